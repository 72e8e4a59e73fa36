import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { createCloudWatchAlarms } from '../../lambdas/adapters/aws/cloudwatch-alarms';
import type { AlarmStateValue } from '../../lambdas/ports/alarms';
import { awsClientConfig, startMoto } from '../helpers/moto';
import { alarmReaderContract } from './alarm-reader.contract';

// The CloudWatch reader on moto: 120 alarms of the deployment `tl-prod-` (more than one page of
// DescribeAlarms' 100), put in ALARM and INSUFFICIENT_DATA by SetAlarmState, an anomaly-detection
// alarm among them, and alarms of `tl-staging-` and another app beside them.
//
// Stubbed, because moto 5.2.5 lacks it: DescribeAlarms paging. moto ignores MaxRecords and
// NextToken and answers everything at once, so a middleware cuts moto's real answer into pages of
// MaxRecords with NextToken, as CloudWatch does. (Also moto ignores StateValue when
// AlarmNamePrefix is given; nothing is stubbed for that: the reader filters again, and the
// contract's state filter case covers it. moto has no PutCompositeAlarm, so no composite alarm is
// in the situation; test/integration/cloudwatch-alarms.test.ts maps one.)

const PREFIX = 'tl-prod-';
const FILLERS = 116;

const metricAlarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}) =>
  new PutMetricAlarmCommand({
    AlarmName: name,
    AlarmDescription: `errors of ${name}`,
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: name }],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    ...extra,
  });

/** Pages of MaxRecords over moto's single answer; NextToken is the offset of the next page. */
function pageLikeCloudWatch(client: CloudWatchClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as DescribeAlarmsCommandInput;
      const offset = Number(input.NextToken ?? 0);
      const max = input.MaxRecords ?? 50;
      const result = await next({ ...args, input: { ...input, NextToken: undefined } });
      const output = result.output as DescribeAlarmsCommandOutput;
      // Both kinds count towards a page, metric alarms first.
      const metric = output.MetricAlarms ?? [];
      const composite = output.CompositeAlarms ?? [];
      const all = metric.length + composite.length;
      output.MetricAlarms = metric.slice(offset, offset + max);
      output.CompositeAlarms = composite.slice(
        Math.max(0, offset - metric.length),
        Math.max(0, offset + max - metric.length),
      );
      output.NextToken = offset + max < all ? String(offset + max) : undefined;
      return result;
    },
    { step: 'initialize', name: 'describeAlarmsPagingStub' },
  );
}

alarmReaderContract('CloudWatch (moto)', async () => {
  const moto = await startMoto();
  const setup = new CloudWatchClient(awsClientConfig(moto.endpoint));
  const expected: Record<string, AlarmStateValue> = {};
  const put = async (name: string, extra?: Partial<PutMetricAlarmCommandInput>) => {
    await setup.send(metricAlarm(name, extra));
    if (name.startsWith(PREFIX)) expected[name] = 'OK';
  };
  const set = async (name: string, state: AlarmStateValue, reason: string) => {
    await setup.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
    if (name.startsWith(PREFIX)) expected[name] = state;
  };

  for (let i = 0; i < FILLERS; i++) await put(`${PREFIX}fn-${String(i).padStart(3, '0')}-errors`);
  await put(`${PREFIX}api-5xx`, {
    Namespace: 'AWS/ApiGateway',
    MetricName: '5XXError',
    Dimensions: [
      { Name: 'ApiName', Value: 'throughline' },
      { Name: 'Stage', Value: 'prod' },
    ],
  });
  await put(`${PREFIX}cpu`, {
    Namespace: 'AWS/ECS',
    MetricName: 'CPUUtilization',
    Statistic: 'Average',
    Threshold: 80,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    ActionsEnabled: false,
  });
  await put(`${PREFIX}latency-anomaly`, {
    Namespace: undefined,
    MetricName: undefined,
    Dimensions: undefined,
    Statistic: undefined,
    Period: undefined,
    Threshold: undefined,
    ComparisonOperator: 'GreaterThanUpperThreshold',
    ThresholdMetricId: 'band',
    Metrics: [
      {
        Id: 'latency',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: 'Duration',
            Dimensions: [{ Name: 'FunctionName', Value: 'api-get-test' }],
          },
          Period: 60,
          Stat: 'p99',
        },
        ReturnData: true,
      },
      { Id: 'band', Expression: 'ANOMALY_DETECTION_BAND(latency, 2)', ReturnData: true },
    ],
  });
  await set(`${PREFIX}api-5xx`, 'ALARM', 'Threshold Crossed: 6 errors > 5');
  await set(`${PREFIX}latency-anomaly`, 'INSUFFICIENT_DATA', 'no datapoints in the last 2 periods');
  const foreign = ['tl-staging-api-5xx', 'tl-prodx-cpu', 'other-app-errors'];
  for (const name of foreign) await put(name);
  await set('tl-staging-api-5xx', 'ALARM', 'staging is not ours');

  const cloudwatch = new CloudWatchClient(awsClientConfig(moto.endpoint));
  pageLikeCloudWatch(cloudwatch);
  // The situation needs more than one page for the deployment's alarms.
  const first = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: PREFIX, MaxRecords: 100 }),
  );
  if (first.NextToken === undefined || first.MetricAlarms?.length !== 100)
    throw new Error('the paging stub did not cut the alarms into pages of 100');
  return {
    reader: createCloudWatchAlarms(cloudwatch, PREFIX),
    source: 'cloudwatch',
    expected: { ...expected },
    foreign,
    now: () => Date.now(),
    async transition() {
      await set(`${PREFIX}cpu`, 'ALARM', 'Threshold Crossed: 93 >= 80');
      return { name: `${PREFIX}cpu`, to: 'ALARM' };
    },
    cleanup: async () => {
      cloudwatch.destroy();
      setup.destroy();
      await moto.stop();
    },
  };
});
