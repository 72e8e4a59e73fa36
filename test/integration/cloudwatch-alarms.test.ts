import {
  CloudWatchClient,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchAlarms } from '../../lambdas/adapters/aws/cloudwatch-alarms';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

// The alarm reader against moto's CloudWatch. moto 5.2.5 lacks three things this reader relies on,
// and the tests that need them say so where they stub:
// - PutCompositeAlarm is not implemented, so no composite alarm can exist in moto;
// - DescribeAlarms never paginates;
// - DescribeAlarms ignores StateValue when AlarmNamePrefix is given (the reader filters again).

let moto: Moto;
let cloudwatch: CloudWatchClient;
const client = () => new CloudWatchClient(awsClientConfig(moto.endpoint));

const metricAlarm = (
  name: string,
  extra: Partial<PutMetricAlarmCommandInput> = {},
): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'AWS/ApiGateway',
  MetricName: '5XXError',
  Dimensions: [
    { Name: 'ApiName', Value: 'throughline' },
    { Name: 'Stage', Value: 'prod' },
  ],
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 3,
  Threshold: 5,
  ComparisonOperator: 'GreaterThanThreshold',
  ...extra,
});

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = client();
  await cloudwatch.send(
    new PutMetricAlarmCommand(metricAlarm('tl-prod-api-5xx', { AlarmDescription: 'API answers 5xx' })),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand(
      metricAlarm('tl-prod-cpu', {
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Threshold: 80,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        ActionsEnabled: false,
      }),
    ),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'tl-prod-latency-anomaly',
      EvaluationPeriods: 2,
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
    }),
  );
  await cloudwatch.send(new PutMetricAlarmCommand(metricAlarm('other-app-errors')));
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'tl-prod-api-5xx',
      StateValue: 'ALARM',
      StateReason: '6 errors > 5',
    }),
  );
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'tl-prod-latency-anomaly',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'no data',
    }),
  );
});
afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

describe('CloudWatch alarm reader', () => {
  it('lists the alarms of its prefix, mapped, by name', async () => {
    const before = Date.now();
    const alarms = await createCloudWatchAlarms(cloudwatch, 'tl-prod-').list({});
    expect(alarms.map((a) => a.name)).toEqual(['tl-prod-api-5xx', 'tl-prod-cpu', 'tl-prod-latency-anomaly']);
    const [api, cpu, anomaly] = alarms;
    expect(api).toMatchObject({
      type: 'metric',
      state: 'ALARM',
      reason: '6 errors > 5',
      description: 'API answers 5xx',
      metric: 'AWS/ApiGateway/5XXError',
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      actionsEnabled: true,
    });
    expect(Date.parse(api?.updatedAt ?? '')).toBeLessThanOrEqual(before + 60_000);
    expect(api?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(cpu).toMatchObject({ type: 'metric', state: 'OK', threshold: 80, actionsEnabled: false });
    expect(cpu).not.toHaveProperty('description');
    expect(anomaly).toMatchObject({
      type: 'anomaly',
      state: 'INSUFFICIENT_DATA',
      metric: 'AWS/Lambda/Duration',
      comparison: 'GreaterThanUpperThreshold',
    });
    expect(anomaly).not.toHaveProperty('threshold');
  });

  it('filters by state', async () => {
    const reader = createCloudWatchAlarms(cloudwatch, 'tl-prod-');
    expect((await reader.list({ state: 'ALARM' })).map((a) => a.name)).toEqual(['tl-prod-api-5xx']);
    expect((await reader.list({ state: 'OK' })).map((a) => a.name)).toEqual(['tl-prod-cpu']);
    expect((await reader.list({ state: 'INSUFFICIENT_DATA' })).map((a) => a.name)).toEqual([
      'tl-prod-latency-anomaly',
    ]);
  });

  it('reads every alarm of the account with an empty prefix', async () => {
    const all = await createCloudWatchAlarms(cloudwatch, '').list({ state: 'OK' });
    expect(all.map((a) => a.name)).toEqual(['other-app-errors', 'tl-prod-cpu']);
  });

  it('asks for both alarm types and maps composite alarms (stubbed: moto has no PutCompositeAlarm)', async () => {
    const stubbed = client();
    const inputs: DescribeAlarmsCommandInput[] = [];
    stubbed.middlewareStack.add(
      (next) => async (args) => {
        inputs.push({ ...(args.input as DescribeAlarmsCommandInput) });
        const result = await next(args);
        const output = result.output as DescribeAlarmsCommandOutput;
        // What AWS returns for a composite alarm of this deployment (and moto cannot hold).
        output.CompositeAlarms = [
          {
            AlarmName: 'tl-prod-api-degraded',
            AlarmDescription: '5xx and latency together',
            AlarmRule: 'ALARM("tl-prod-api-5xx") AND ALARM("tl-prod-latency-anomaly")',
            StateValue: 'ALARM',
            StateReason: 'tl-prod-api-5xx transitioned to ALARM',
            StateUpdatedTimestamp: new Date('2025-03-10T08:00:00.000Z'),
            ActionsEnabled: true,
          },
        ];
        return result;
      },
      { step: 'initialize', name: 'compositeAlarmStub' },
    );
    const alarms = await createCloudWatchAlarms(stubbed, 'tl-prod-').list({ state: 'ALARM' });
    expect(inputs).toEqual([
      {
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
        AlarmNamePrefix: 'tl-prod-',
        StateValue: 'ALARM',
      },
    ]);
    expect(alarms).toEqual([
      {
        name: 'tl-prod-api-5xx',
        type: 'metric',
        state: 'ALARM',
        reason: '6 errors > 5',
        updatedAt: expect.any(String),
        description: 'API answers 5xx',
        metric: 'AWS/ApiGateway/5XXError',
        threshold: 5,
        comparison: 'GreaterThanThreshold',
        actionsEnabled: true,
      },
      {
        name: 'tl-prod-api-degraded',
        type: 'composite',
        state: 'ALARM',
        reason: 'tl-prod-api-5xx transitioned to ALARM',
        updatedAt: '2025-03-10T08:00:00.000Z',
        description: '5xx and latency together',
        actionsEnabled: true,
      },
    ]);
    stubbed.destroy();
  });

  it('follows NextToken (stubbed: moto returns every alarm in one page)', async () => {
    const paged = client();
    const tokens: (string | undefined)[] = [];
    paged.middlewareStack.add(
      (next) => async (args) => {
        const token = (args.input as DescribeAlarmsCommandInput).NextToken;
        tokens.push(token);
        const result = await next(args);
        const output = result.output as DescribeAlarmsCommandOutput;
        // moto's real answer, cut in two pages as AWS would.
        const alarms = output.MetricAlarms ?? [];
        output.MetricAlarms = token === undefined ? alarms.slice(0, 2) : alarms.slice(2);
        output.NextToken = token === undefined ? 'page-2' : undefined;
        return result;
      },
      { step: 'initialize', name: 'paginationStub' },
    );
    const alarms = await createCloudWatchAlarms(paged, '').list({});
    expect(tokens).toEqual([undefined, 'page-2']);
    expect(alarms.map((a) => a.name)).toEqual([
      'other-app-errors',
      'tl-prod-api-5xx',
      'tl-prod-cpu',
      'tl-prod-latency-anomaly',
    ]);
    paged.destroy();
  });
});
