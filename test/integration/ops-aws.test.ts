import {
  ApplicationAutoScalingClient,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsAlarms, awsMetrics, awsScaling } from '../../lambdas/composition/aws-operations';
import { type AwsConfig, awsConfig } from '../../lambdas/config/aws';
import {
  getMetricsHandler,
  listAlarmsHandler,
  scalingHistoryHandler,
  scalingManualHandler,
  scalingStatusHandler,
} from '../../lambdas/entrypoints/http/ops-handlers';
import {
  alarmsSchema,
  metricsAnswerSchema,
  scalingHistorySchema,
  scalingStatusSchema,
} from '../../lambdas/entrypoints/http/ops-schemas';
import { apiEvent, lambdaContext } from '../helpers/api-event';
import { awsClientConfig, createTestTable, type Moto, startMoto } from '../helpers/moto';

// The AWS side of the metrics, alarms and scaling endpoints, end to end on a real moto server: the
// functions' own configuration parsing and composition, the handlers, the adapters. Metric data is
// put for a registered ECS service, then read back through GET /metrics/cpu.

const silent = { info: () => {}, error: () => {} };
let moto: Moto;
let config: AwsConfig;
let clients: ReturnType<typeof awsClientConfig>;
const TABLE = 'throughline-ops';
/** Whole minutes well inside the window, so every point lands in a period of its own. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;

beforeAll(async () => {
  moto = await startMoto();
  clients = awsClientConfig(moto.endpoint);
  await createTestTable(new DynamoDBClient(clients), TABLE);
  config = awsConfig({
    AWS_REGION: 'us-east-1',
    THROUGHLINE_TABLE_NAME: TABLE,
    THROUGHLINE_RESULTS_BUCKET: 'unused',
    THROUGHLINE_POLICY: JSON.stringify({
      allowedTargets: ['public'],
      quotas: { maxVus: 10, maxRps: 10, maxDurationSeconds: 60, maxConcurrentTests: 1 },
    }),
    THROUGHLINE_MONITORED: JSON.stringify([
      { kind: 'ecs', owner: 'target', cluster: 'shop', service: 'checkout' },
      { kind: 'lambda', owner: 'platform', functionName: 'throughline-GetTest' },
    ]),
    THROUGHLINE_SCALABLE_TARGETS: JSON.stringify([
      {
        id: 'ecs-shop-checkout',
        kind: 'ecs-service',
        serviceNamespace: 'ecs',
        resourceId: 'service/shop/checkout',
        scalableDimension: 'ecs:service:DesiredCount',
        limits: { min: 0, max: 50 },
      },
    ]),
    THROUGHLINE_ALARM_PREFIX: 'Throughline-',
  });
  const cloudwatch = new CloudWatchClient(clients);
  // Two samples per minute: Average, Maximum and Sum differ, so the statistic applied shows.
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ECS',
      MetricData: [0, 1, 2].flatMap((m) =>
        [10, 30].map((v) => ({
          MetricName: 'CPUUtilization',
          Dimensions: [
            { Name: 'ClusterName', Value: 'shop' },
            { Name: 'ServiceName', Value: 'checkout' },
          ],
          Timestamp: new Date(BASE + m * 60_000 + (v === 10 ? 5_000 : 35_000)),
          Value: v + m,
          Unit: 'Percent',
        })),
      ),
    }),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'Throughline-checkout-cpu-high',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'someone-elses-alarm',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cloudwatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'Throughline-checkout-cpu-high',
      StateValue: 'ALARM',
      StateReason: 'test',
    }),
  );
  const ecs = new ECSClient(clients);
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout',
      containerDefinitions: [{ name: 'app', image: 'app:1', memory: 512 }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'shop',
      serviceName: 'checkout',
      taskDefinition: 'checkout',
      desiredCount: 2,
    }),
  );
  await new ApplicationAutoScalingClient(clients).send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/shop/checkout',
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 1,
      MaxCapacity: 10,
    }),
  );
});
afterAll(async () => {
  await moto?.stop();
});

const invoke = async (
  handler: (e: never, c: never) => Promise<unknown>,
  event: ReturnType<typeof apiEvent>,
) => {
  const r = (await handler(event as never, lambdaContext as never)) as { statusCode: number; body: string };
  return { status: r.statusCode, body: JSON.parse(r.body) };
};

describe('GET /performance/metrics/{group} on CloudWatch (moto)', () => {
  const window = {
    start: new Date(BASE - 60_000).toISOString(),
    end: new Date(BASE + 4 * 60_000).toISOString(),
    period: '60',
  };

  it('returns the data put for a registered target with the statistic and period asked for', async () => {
    const handler = getMetricsHandler({ metrics: awsMetrics(config, clients), log: silent });
    const read = async (stat: string) => {
      const r = await invoke(
        handler,
        apiEvent('GET', '/performance/metrics/cpu', {
          pathParameters: { group: 'cpu' },
          query: { ...window, stat },
        }),
      );
      expect(r.status).toBe(200);
      const body = metricsAnswerSchema.parse(r.body);
      expect(body).toMatchObject({ source: 'cloudwatch', group: 'cpu', periodSeconds: 60, stat });
      const cpu = body.series.find((s) => s.resource.kind === 'ecs' && s.metric === 'CPUUtilization');
      expect(cpu).toMatchObject({
        namespace: 'AWS/ECS',
        stat,
        periodSeconds: 60,
        resource: { name: 'shop/checkout', owner: 'target' },
      });
      return cpu?.points ?? [];
    };
    const minute = (m: number) => new Date(BASE + m * 60_000).toISOString();
    expect(await read('Average')).toEqual([0, 1, 2].map((m) => ({ timestamp: minute(m), value: 20 + m })));
    expect((await read('Maximum')).map((p) => p.value)).toEqual([30, 31, 32]);
    expect((await read('Sum')).map((p) => p.value)).toEqual([40, 42, 44]);
  });

  it('refuses periods CloudWatch cannot give', async () => {
    const handler = getMetricsHandler({ metrics: awsMetrics(config, clients), log: silent });
    const r = await invoke(
      handler,
      apiEvent('GET', '/performance/metrics/cpu', {
        pathParameters: { group: 'cpu' },
        query: { period: '10' },
      }),
    );
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('E_INVALID_WINDOW');
    expect(r.body.error.details.problems).toEqual(["period=10: this source's shortest period is 60 s"]);
  });
});

describe('GET /performance/alarms on CloudWatch (moto)', () => {
  it("lists this deployment's alarms only, with their state", async () => {
    const r = await invoke(
      listAlarmsHandler({ alarms: awsAlarms(config, clients), log: silent }),
      apiEvent('GET', '/performance/alarms'),
    );
    expect(r.status).toBe(200);
    const body = alarmsSchema.parse(r.body);
    expect(body.source).toBe('cloudwatch');
    expect(body.alarms.map((a) => [a.name, a.state])).toEqual([['Throughline-checkout-cpu-high', 'ALARM']]);
    expect(body.alarms[0]).toMatchObject({ metric: 'AWS/ECS/CPUUtilization', threshold: 80 });
  });
});

describe('scaling endpoints on Application Auto Scaling (moto)', () => {
  it('a manual capacity is applied, recorded with its principal and reason, and shows in status and history', async () => {
    const scaling = awsScaling(config, silent, clients);
    const manual = await invoke(
      scalingManualHandler({ scaling, log: silent }),
      apiEvent('POST', '/performance/scaling/manual', {
        body: { target: 'ecs-shop-checkout', capacity: 4, reason: 'launch day' },
        userArn: 'arn:aws:iam::123456789012:role/oncall',
      }),
    );
    expect(manual.status).toBe(200);
    expect(manual.body.recorded).toMatchObject({
      action: 'manual',
      actor: 'arn:aws:iam::123456789012:role/oncall',
      before: { min: 1, max: 10 },
    });
    const status = scalingStatusSchema.parse(
      (
        await invoke(
          scalingStatusHandler({ scaling, log: silent }),
          apiEvent('GET', '/performance/scaling/status'),
        )
      ).body,
    );
    expect(status.source).toBe('application-autoscaling');
    expect(status.targets[0]).toMatchObject({ id: 'ecs-shop-checkout', min: 4, max: 4, desired: 2 });
    const history = await invoke(
      scalingHistoryHandler({ scaling, log: silent }),
      apiEvent('GET', '/performance/scaling/history'),
    );
    expect(history.status).toBe(200);
    const body = scalingHistorySchema.parse(history.body);
    expect(body.items[0]).toMatchObject({
      source: 'manual',
      target: 'ecs-shop-checkout',
      reason: 'launch day',
      capacity: 4,
    });
  });
});
