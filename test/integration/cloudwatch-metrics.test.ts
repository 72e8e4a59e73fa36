import {
  CloudWatchClient,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchMetrics } from '../../lambdas/adapters/aws/cloudwatch-metrics';
import type { MonitoredResource } from '../../lambdas/model/monitored';
import type { MetricSeries, MetricWindow } from '../../lambdas/ports/metrics';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { freePort } from '../helpers/processes';

// The CloudWatch metrics provider against moto. What moto 5.2.5's GetMetricData lacks, and how these
// tests deal with it:
// - metric math: it only evaluates an expression that is a bare id; `100 * a / b` comes back empty,
//   so the error-rate series is checked for shape (expression, unit, statistic), not values;
// - percentile statistics (p99): it fails with an HTML 500, so none is read here;
// - NextToken pagination, PartialData and Messages: it always answers in one complete page, so one
//   test cuts moto's real answer into pages with a middleware and says so.
// moto keeps one CloudWatch per region, like AWS: CloudFront's data lives in its us-east-1.

let moto: Moto;
let euWest: CloudWatchClient;
let usEast: CloudWatchClient;

const ecs: MonitoredResource = { kind: 'ecs', owner: 'target', cluster: 'shop', service: 'checkout' };
const fn: MonitoredResource = { kind: 'lambda', owner: 'platform', functionName: 'api-get-test' };
const cdn: MonitoredResource = { kind: 'cloudfront', owner: 'target', distributionId: 'E2ABCDEF' };
const cacheGroup: MonitoredResource = { kind: 'elasticache', owner: 'target', replicationGroupId: 'orders' };
const RESOURCES = [ecs, fn, cdn, cacheGroup];

/** A whole hour well inside CloudWatch's retention, so periods align on it. */
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000;
const s = (seconds: number) => new Date(T0 + seconds * 1_000);
const iso = (seconds: number) => s(seconds).toISOString();
const ECS_DIMS = [
  { Name: 'ClusterName', Value: 'shop' },
  { Name: 'ServiceName', Value: 'checkout' },
];
const FN_DIMS = [{ Name: 'FunctionName', Value: 'api-get-test' }];
const datum = (
  MetricName: string,
  Dimensions: MetricDatum['Dimensions'],
  at: number,
  Value: number,
  Unit: MetricDatum['Unit'],
): MetricDatum => ({ MetricName, Dimensions, Timestamp: s(at), Value, Unit });

const put = (client: CloudWatchClient, Namespace: string, MetricData: MetricDatum[]) =>
  client.send(new PutMetricDataCommand({ Namespace, MetricData }));

const window = (endSeconds: number, periodSeconds: number, stat: MetricWindow['stat']): MetricWindow => ({
  startMs: T0,
  endMs: T0 + endSeconds * 1_000,
  periodSeconds,
  stat,
});
const find = (series: readonly MetricSeries[], metric: string) => series.find((x) => x.metric === metric);
const values = (x: MetricSeries | undefined) => x?.points.map((p) => [p.timestamp, p.value]);

beforeAll(async () => {
  moto = await startMoto();
  euWest = new CloudWatchClient({ ...awsClientConfig(moto.endpoint), region: 'eu-west-1' });
  usEast = new CloudWatchClient(awsClientConfig(moto.endpoint));
  await put(euWest, 'AWS/ECS', [
    datum('CPUUtilization', ECS_DIMS, 5, 10, 'Percent'),
    datum('CPUUtilization', ECS_DIMS, 35, 30, 'Percent'),
    datum('CPUUtilization', ECS_DIMS, 65, 50, 'Percent'),
    datum('CPUUtilization', ECS_DIMS, 125, 70, 'Percent'),
    // At the window's exclusive end: must not be returned.
    datum('CPUUtilization', ECS_DIMS, 180, 1_000, 'Percent'),
  ]);
  await put(euWest, 'AWS/Lambda', [
    datum('Throttles', FN_DIMS, 10, 2, 'Count'),
    datum('Throttles', FN_DIMS, 20, 3, 'Count'),
    datum('Throttles', FN_DIMS, 70, 4, 'Count'),
    datum('Duration', FN_DIMS, 15, 120, 'Milliseconds'),
    datum('Duration', FN_DIMS, 25, 80, 'Milliseconds'),
    datum('Invocations', FN_DIMS, 15, 40, 'Count'),
    datum('Errors', FN_DIMS, 15, 2, 'Count'),
  ]);
  const cdnDims = [
    { Name: 'DistributionId', Value: 'E2ABCDEF' },
    { Name: 'Region', Value: 'Global' },
  ];
  await put(usEast, 'AWS/CloudFront', [
    datum('Requests', cdnDims, 1, 100, 'None'),
    datum('Requests', cdnDims, 30, 50, 'None'),
    datum('5xxErrorRate', cdnDims, 30, 1.5, 'Percent'),
  ]);
  // The same ECS service in another region: the eu-west-1 read must not see it.
  await put(usEast, 'AWS/ECS', [datum('CPUUtilization', ECS_DIMS, 5, 999, 'Percent')]);
});
afterAll(async () => {
  euWest?.destroy();
  usEast?.destroy();
  await moto?.stop();
});

describe('CloudWatch metrics provider on moto', () => {
  const provider = () =>
    createCloudWatchMetrics({ cloudwatch: euWest, cloudwatchUsEast1: usEast, resources: RESOURCES });

  it('reads the caller statistic per period, and Sum for counts whatever was asked', async () => {
    const report = await provider().read('cpu', window(180, 60, 'Average'));
    expect(report.source).toBe('cloudwatch');
    const cpu = find(report.series, 'CPUUtilization');
    expect(cpu).toMatchObject({
      id: 'cpu_ecs_0_cpu',
      label: 'shop/checkout CPUUtilization',
      resource: { kind: 'ecs', name: 'shop/checkout', owner: 'target' },
      namespace: 'AWS/ECS',
      unit: 'Percent',
      stat: 'Average',
      periodSeconds: 60,
    });
    expect(values(cpu)).toEqual([
      [iso(0), 20],
      [iso(60), 50],
      [iso(120), 70],
    ]);
    const throttles = find(report.series, 'Throttles');
    expect(throttles?.stat).toBe('Sum');
    expect(values(throttles)).toEqual([
      [iso(0), 5],
      [iso(60), 4],
    ]);
    expect(values(find(report.series, 'Duration'))).toEqual([[iso(0), 100]]);
  });

  it('applies Maximum where the series takes the caller statistic', async () => {
    const report = await provider().read('cpu', window(180, 60, 'Maximum'));
    const cpu = find(report.series, 'CPUUtilization');
    expect(cpu?.stat).toBe('Maximum');
    expect(values(cpu)).toEqual([
      [iso(0), 30],
      [iso(60), 50],
      [iso(120), 70],
    ]);
    expect(values(find(report.series, 'Duration'))).toEqual([[iso(0), 120]]);
    expect(find(report.series, 'Throttles')?.stat).toBe('Sum');
  });

  it('reads at the asked period', async () => {
    // One two-minute period; the next one starts at the window's end and is not part of it.
    const report = await provider().read('cpu', window(120, 120, 'Average'));
    const cpu = find(report.series, 'CPUUtilization');
    expect(cpu?.periodSeconds).toBe(120);
    expect(values(cpu)).toEqual([[iso(0), 30]]);
    expect(values(find(report.series, 'Throttles'))).toEqual([[iso(0), 9]]);
  });

  it('returns expressions but never their hidden inputs', async () => {
    const report = await provider().read('cpu', window(180, 60, 'Average'));
    expect(report.series.map((x) => x.metric)).toEqual([
      'CPUUtilization',
      'Duration',
      'ConcurrentExecutions',
      'Throttles',
      'expression',
    ]);
    const rate = find(report.series, 'expression');
    expect(rate).toMatchObject({
      id: 'cpu_lambda_1_errorrate',
      expression: '100 * cpu_lambda_1_errors / cpu_lambda_1_invocations',
      unit: 'Percent',
      stat: 'Sum',
    });
    expect(rate).not.toHaveProperty('namespace');
    // Empty on moto only: it does not evaluate arithmetic (AWS gives [[iso(0), 5]] here).
    expect(rate?.points).toEqual([]);
    // An empty series is still answered.
    expect(find(report.series, 'ConcurrentExecutions')?.points).toEqual([]);
    expect(report.warnings).toEqual([expect.stringContaining('elasticache orders')]);
  });

  it('reads CloudFront with the us-east-1 client, and says when there is none', async () => {
    const report = await provider().read('network', window(180, 60, 'Average'));
    expect(report.series.map((x) => [x.metric, x.stat, x.points.map((p) => p.value)])).toEqual([
      ['Requests', 'Sum', [150]],
      ['BytesDownloaded', 'Sum', []],
      ['5xxErrorRate', 'Average', [1.5]],
    ]);
    const without = createCloudWatchMetrics({ cloudwatch: euWest, resources: RESOURCES });
    const skipped = await without.read('network', window(180, 60, 'Average'));
    expect(skipped.series).toEqual([]);
    expect(skipped.warnings).toEqual([
      expect.stringContaining('elasticache orders'),
      'no CloudWatch client for us-east-1: series of E2ABCDEF skipped',
    ]);
  });

  it('splits a large read into calls within the limits', async () => {
    const services: MonitoredResource[] = Array.from({ length: 120 }, (_, i) => ({
      kind: 'ecs',
      owner: 'target',
      cluster: 'shop',
      service: i === 7 ? 'checkout' : `svc-${i}`,
    }));
    const counted = new CloudWatchClient({ ...awsClientConfig(moto.endpoint), region: 'eu-west-1' });
    const sizes: number[] = [];
    counted.middlewareStack.add(
      (next) => async (args) => {
        sizes.push((args.input as GetMetricDataCommandInput).MetricDataQueries?.length ?? 0);
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    // One day at one minute: 1,440 points per query, so at most 70 queries per call.
    const day: MetricWindow = {
      startMs: T0 - 86_400_000 + 180_000,
      endMs: T0 + 180_000,
      periodSeconds: 60,
      stat: 'Average',
    };
    const report = await createCloudWatchMetrics({ cloudwatch: counted, resources: services }).read(
      'cpu',
      day,
    );
    expect(sizes).toEqual([70, 50]);
    expect(report.series).toHaveLength(120);
    expect(report.series[7]?.points.map((p) => p.value)).toEqual([20, 50, 70]);
    counted.destroy();
  });

  it('follows NextToken, merges pages oldest first and reports partial data (stubbed pages)', async () => {
    const paged = new CloudWatchClient({ ...awsClientConfig(moto.endpoint), region: 'eu-west-1' });
    const tokens: (string | undefined)[] = [];
    paged.middlewareStack.add(
      (next) => async (args) => {
        const token = (args.input as GetMetricDataCommandInput).NextToken;
        tokens.push(token);
        const result = await next(args);
        const output = result.output as GetMetricDataCommandOutput;
        // moto's real answer cut in two pages, newest points first, as AWS may page them.
        for (const r of output.MetricDataResults ?? []) {
          const last = (r.Timestamps?.length ?? 0) - 1;
          const keep = (i: number) => (token === undefined ? i === last : i < last);
          r.Timestamps = r.Timestamps?.filter((_, i) => keep(i));
          r.Values = r.Values?.filter((_, i) => keep(i));
          r.StatusCode = token === undefined || r.Id === 'cpu_lambda_0_duration' ? 'PartialData' : 'Complete';
          if (token !== undefined && r.Id === 'cpu_ecs_1_cpu')
            r.Messages = [{ Code: 'ArithmeticError', Value: 'one value could not be computed' }];
        }
        output.NextToken = token === undefined ? 'page-2' : undefined;
        output.Messages = token === undefined ? [] : [{ Code: 'MaxQueryTimeRangeExceeded', Value: 'cut' }];
        return result;
      },
      { step: 'initialize', name: 'pagesStub' },
    );
    const report = await createCloudWatchMetrics({ cloudwatch: paged, resources: [fn, ecs] }).read(
      'cpu',
      window(180, 60, 'Average'),
    );
    expect(tokens).toEqual([undefined, 'page-2']);
    expect(values(find(report.series, 'CPUUtilization'))).toEqual([
      [iso(0), 20],
      [iso(60), 50],
      [iso(120), 70],
    ]);
    expect(values(find(report.series, 'Throttles'))).toEqual([
      [iso(0), 5],
      [iso(60), 4],
    ]);
    expect(report.warnings).toEqual([
      'CloudWatch: MaxQueryTimeRangeExceeded cut',
      'api-get-test Duration: CloudWatch status PartialData',
      'shop/checkout CPUUtilization: ArithmeticError one value could not be computed',
    ]);
    paged.destroy();
  });

  it('throws with the cause when every call fails, and warns when only some do', async () => {
    const port = await freePort();
    const nowhere = new CloudWatchClient({ ...awsClientConfig(`http://127.0.0.1:${port}`), maxAttempts: 1 });
    const err = await createCloudWatchMetrics({ cloudwatch: nowhere, resources: [ecs] })
      .read('cpu', window(180, 60, 'Average'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^CloudWatch GetMetricData failed/);
    expect((err as Error).cause).toBeInstanceOf(Error);

    const api: MonitoredResource = {
      kind: 'apigateway',
      owner: 'platform',
      apiName: 'throughline',
      stage: 'prod',
    };
    const half = await createCloudWatchMetrics({
      cloudwatch: euWest,
      cloudwatchUsEast1: nowhere,
      resources: [api, cdn],
    }).read('network', window(180, 60, 'Average'));
    expect(half.series.map((x) => x.resource.kind)).toEqual(Array(6).fill('apigateway'));
    expect(half.warnings).toEqual([
      expect.stringMatching(
        /^CloudWatch GetMetricData failed in us-east-1: .*; skipped: E2ABCDEF Requests, E2ABCDEF BytesDownloaded, E2ABCDEF 5xxErrorRate$/,
      ),
    ]);
    nowhere.destroy();
  });

  it('returns nothing, without a call, when no resource has series in the group', async () => {
    const report = await createCloudWatchMetrics({ cloudwatch: euWest, resources: [fn] }).read(
      'database',
      window(180, 60, 'Average'),
    );
    expect(report).toEqual({ source: 'cloudwatch', series: [], warnings: [] });
  });
});
