import { describe, expect, it } from 'vitest';
import { batchQueries, GET_METRIC_DATA_LIMITS } from '../../lambdas/adapters/aws/cloudwatch-metrics';
import { catalogWarnings, metricQueries } from '../../lambdas/core/observability/catalog';
import type { MonitoredResource } from '../../lambdas/model/monitored';
import { METRIC_GROUPS, type MetricQuery } from '../../lambdas/ports/metrics';

const lambda: MonitoredResource = { kind: 'lambda', owner: 'platform', functionName: 'api-create-test' };
const ecs: MonitoredResource = { kind: 'ecs', owner: 'target', cluster: 'shop', service: 'checkout' };
const cacheNode: MonitoredResource = {
  kind: 'elasticache',
  owner: 'platform',
  replicationGroupId: 'tl-cache',
  clusterId: 'tl-cache-0001-001',
};
const cacheGroup: MonitoredResource = { kind: 'elasticache', owner: 'target', replicationGroupId: 'orders' };
const rdsInstance: MonitoredResource = { kind: 'rds', owner: 'target', instance: 'orders-db-1' };
const rdsCluster: MonitoredResource = { kind: 'rds', owner: 'target', cluster: 'orders-aurora' };
const api: MonitoredResource = {
  kind: 'apigateway',
  owner: 'platform',
  apiName: 'throughline',
  stage: 'prod',
};
const cdn: MonitoredResource = { kind: 'cloudfront', owner: 'target', distributionId: 'E2ABCDEF' };
const sfn: MonitoredResource = {
  kind: 'stepfunctions',
  owner: 'platform',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:run',
};
const table: MonitoredResource = { kind: 'dynamodb', owner: 'platform', tableName: 'tests' };
const ALL = [lambda, ecs, cacheNode, cacheGroup, rdsInstance, rdsCluster, api, cdn, sfn, table, ecs];

type Plain = Extract<MetricQuery, { metricName: string }>;
type Expr = Extract<MetricQuery, { expression: string }>;
const plain = (qs: readonly MetricQuery[]) => qs.filter((q): q is Plain => 'metricName' in q);
const exprs = (qs: readonly MetricQuery[]) => qs.filter((q): q is Expr => 'expression' in q);
const byMetric = (qs: readonly MetricQuery[], name: string) => plain(qs).filter((q) => q.metricName === name);
const one = (qs: readonly MetricQuery[], name: string) => {
  const found = byMetric(qs, name);
  expect(found).toHaveLength(1);
  return found[0] as Plain;
};
/** Ids an expression names that exist among the queries. */
const inputsOf = (e: Expr, qs: readonly MetricQuery[]) =>
  qs.filter((q) => new RegExp(`\\b${q.id}\\b`).test(e.expression));

describe('metric catalog', () => {
  it('gives ids CloudWatch accepts, unique within every group', () => {
    for (const qs of METRIC_GROUPS.map((g) => metricQueries(g, ALL))) {
      expect(qs.length).toBeGreaterThan(0);
      for (const q of qs) expect(q.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
      expect(new Set(qs.map((q) => q.id)).size).toBe(qs.length);
    }
    // The same resource listed twice still gets distinct ids (its position is part of the id).
    const twice = metricQueries('cpu', [ecs, ecs]).map((q) => q.id);
    expect(twice).toEqual(['cpu_ecs_0_cpu', 'cpu_ecs_1_cpu']);
    expect(metricQueries('cpu', ALL)).toEqual(metricQueries('cpu', ALL));
  });

  it('points every expression at queries of the same list', () => {
    for (const qs of METRIC_GROUPS.map((g) => metricQueries(g, ALL)))
      for (const e of exprs(qs)) {
        const ids = e.expression.match(/[a-z][a-zA-Z0-9_]*/g) ?? [];
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(qs.map((q) => q.id)).toContain(id);
      }
  });

  it('reads ECS services by cluster and service, with the caller statistic', () => {
    const cpu = one(metricQueries('cpu', [ecs]), 'CPUUtilization');
    expect(cpu).toMatchObject({
      namespace: 'AWS/ECS',
      dimensions: { ClusterName: 'shop', ServiceName: 'checkout' },
      unit: 'Percent',
      label: 'shop/checkout CPUUtilization',
    });
    expect(cpu.stat).toBeUndefined();
    expect(one(metricQueries('memory', [ecs]), 'MemoryUtilization').dimensions).toEqual(cpu.dimensions);
    expect(metricQueries('database', [ecs])).toEqual([]);
  });

  it('describes Lambda by duration, concurrency, summed throttles and a computed error rate', () => {
    const qs = metricQueries('cpu', [lambda]);
    expect(byMetric(qs, 'CPUUtilization')).toEqual([]);
    expect(one(qs, 'Duration').stat).toBeUndefined();
    expect(one(qs, 'ConcurrentExecutions').dimensions).toEqual({ FunctionName: 'api-create-test' });
    expect(one(qs, 'Throttles').stat).toBe('Sum');
    const errors = one(qs, 'Errors');
    const invocations = one(qs, 'Invocations');
    expect([errors.stat, errors.hidden, invocations.stat, invocations.hidden]).toEqual([
      'Sum',
      true,
      'Sum',
      true,
    ]);
    const [rate] = exprs(qs);
    expect(rate?.expression).toBe(`100 * ${errors.id} / ${invocations.id}`);
    expect(rate?.unit).toBe('Percent');
    expect(metricQueries('memory', [lambda])).toEqual([]);
  });

  it('reads ElastiCache per node and says why a replication group alone is skipped', () => {
    const cpu = metricQueries('cpu', [cacheNode]);
    expect(plain(cpu).map((q) => q.metricName)).toEqual(['CPUUtilization', 'EngineCPUUtilization']);
    for (const q of plain(cpu)) expect(q.dimensions).toEqual({ CacheClusterId: 'tl-cache-0001-001' });
    const memory = metricQueries('memory', [cacheNode]);
    expect(one(memory, 'Evictions').stat).toBe('Sum');
    expect(one(memory, 'FreeableMemory').unit).toBe('Bytes');
    expect(one(memory, 'DatabaseMemoryUsagePercentage').stat).toBeUndefined();
    const network = metricQueries('network', [cacheNode]);
    expect(plain(network).map((q) => [q.metricName, q.stat])).toEqual([
      ['NetworkBytesIn', 'Sum'],
      ['NetworkBytesOut', 'Sum'],
      ['CurrConnections', undefined],
    ]);

    expect(metricQueries('cpu', [cacheGroup])).toEqual([]);
    const [warning] = catalogWarnings([cacheGroup], 'cpu');
    expect(warning).toContain('orders');
    expect(warning).toContain('CacheClusterId');
    expect(warning).toContain('orders-0001-001');
    expect(catalogWarnings([cacheGroup], 'database')).toEqual([]);
    expect(catalogWarnings([cacheNode])).toEqual([]);
  });

  it('reads RDS by instance or cluster, in the cpu, memory, network and database groups', () => {
    expect(one(metricQueries('cpu', [rdsInstance]), 'CPUUtilization').dimensions).toEqual({
      DBInstanceIdentifier: 'orders-db-1',
    });
    expect(one(metricQueries('cpu', [rdsCluster]), 'CPUUtilization').dimensions).toEqual({
      DBClusterIdentifier: 'orders-aurora',
    });
    expect(one(metricQueries('memory', [rdsInstance]), 'FreeableMemory').namespace).toBe('AWS/RDS');
    expect(plain(metricQueries('network', [rdsInstance])).map((q) => q.unit)).toEqual([
      'Bytes/Second',
      'Bytes/Second',
    ]);
    expect(plain(metricQueries('database', [rdsInstance])).map((q) => q.metricName)).toEqual([
      'CPUUtilization',
      'DatabaseConnections',
      'ReadLatency',
      'WriteLatency',
    ]);
    const bare: MonitoredResource = { kind: 'rds', owner: 'target' };
    expect(metricQueries('database', [bare])).toEqual([]);
    expect(catalogWarnings([bare], 'database')).toHaveLength(1);
  });

  it('sums API Gateway counts and derives the 5xx rate from them', () => {
    const qs = metricQueries('network', [api]);
    const count = one(qs, 'Count');
    const e5xx = one(qs, '5XXError');
    expect([count.stat, one(qs, '4XXError').stat, e5xx.stat]).toEqual(['Sum', 'Sum', 'Sum']);
    expect(count.dimensions).toEqual({ ApiName: 'throughline', Stage: 'prod' });
    expect([one(qs, 'Latency').stat, one(qs, 'IntegrationLatency').stat]).toEqual([undefined, undefined]);
    const [rate] = exprs(qs);
    expect(rate && inputsOf(rate, qs).map((q) => q.id)).toEqual([count.id, e5xx.id]);
    expect(rate?.expression).toBe(`100 * ${e5xx.id} / ${count.id}`);
  });

  it('reads CloudFront in us-east-1 with the Global region dimension', () => {
    const qs = metricQueries('network', [cdn]);
    expect(plain(qs).map((q) => [q.metricName, q.stat])).toEqual([
      ['Requests', 'Sum'],
      ['BytesDownloaded', 'Sum'],
      ['5xxErrorRate', 'Average'],
    ]);
    for (const q of qs) expect(q.region).toBe('us-east-1');
    expect(one(qs, 'Requests').dimensions).toEqual({ DistributionId: 'E2ABCDEF', Region: 'Global' });
    // Nothing else is pinned to a region.
    for (const q of metricQueries('network', [api, sfn, cacheNode, rdsInstance]))
      expect(q.region).toBeUndefined();
  });

  it('counts Step Functions executions and reads DynamoDB per table and operation', () => {
    const states = metricQueries('network', [sfn]);
    expect(plain(states).map((q) => [q.metricName, q.stat, q.dimensions.StateMachineArn])).toEqual([
      ['ExecutionsStarted', 'Sum', sfn.kind === 'stepfunctions' ? sfn.stateMachineArn : ''],
      ['ExecutionsFailed', 'Sum', sfn.kind === 'stepfunctions' ? sfn.stateMachineArn : ''],
    ]);
    const db = metricQueries('database', [table]);
    const latency = byMetric(db, 'SuccessfulRequestLatency');
    expect(latency.map((q) => q.dimensions)).toEqual([
      { TableName: 'tests', Operation: 'GetItem' },
      { TableName: 'tests', Operation: 'PutItem' },
      { TableName: 'tests', Operation: 'Query' },
    ]);
    for (const q of latency) expect(q.stat).toBeUndefined();
    for (const name of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ReadThrottleEvents'])
      expect(one(db, name)).toMatchObject({ stat: 'Sum', dimensions: { TableName: 'tests' } });
  });

  it('puts each resource in the groups it belongs to', () => {
    const kinds = (g: (typeof METRIC_GROUPS)[number]) => [
      ...new Set(metricQueries(g, ALL).map((q) => q.resource.kind)),
    ];
    expect(kinds('cpu')).toEqual(['lambda', 'ecs', 'elasticache', 'rds']);
    expect(kinds('memory')).toEqual(['ecs', 'elasticache', 'rds']);
    expect(kinds('network')).toEqual(['elasticache', 'rds', 'apigateway', 'cloudfront', 'stepfunctions']);
    expect(kinds('database')).toEqual(['rds', 'dynamodb']);
  });
});

describe('GetMetricData batching', () => {
  const metric = (id: string, extra: Partial<Plain> = {}): Plain => ({
    id,
    label: id,
    resource: ecs,
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: {},
    unit: 'Percent',
    ...extra,
  });
  const expression = (id: string, text: string): Expr => ({
    id,
    label: id,
    resource: ecs,
    expression: text,
    unit: 'Percent',
  });
  const ids = (batches: MetricQuery[][]) => batches.map((b) => b.map((q) => q.id));

  it('sends up to 500 queries per call, in order', () => {
    const qs = Array.from({ length: 1_001 }, (_, i) => metric(`m${i}`));
    const batches = batchQueries(qs, 60);
    expect(batches.map((b) => b.length)).toEqual([500, 500, 1]);
    expect(batches.flat()).toEqual(qs);
  });

  it('keeps queries × points per call within 100,800', () => {
    const qs = Array.from({ length: 150 }, (_, i) => metric(`m${i}`));
    // A day at one minute: 1,440 points, so 70 queries per call.
    const batches = batchQueries(qs, 1_440);
    expect(batches.map((b) => b.length)).toEqual([70, 70, 10]);
    for (const b of batches)
      expect(b.length * 1_440).toBeLessThanOrEqual(GET_METRIC_DATA_LIMITS.maxDatapoints);
  });

  it('never separates an expression from the queries it reads, hidden or not', () => {
    const qs: MetricQuery[] = [
      metric('a0'),
      metric('a1'),
      metric('errs', { hidden: true }),
      metric('a2'),
      metric('invs', { hidden: true }),
      expression('rate', '100 * errs / invs'),
      metric('a3'),
    ];
    // Three queries per call would cut the rate's unit (errs, invs, rate) in two.
    const batches = batchQueries(qs, 1, { maxQueries: 3, maxDatapoints: 1_000 });
    const withRate = batches.find((b) => b.some((q) => q.id === 'rate'));
    expect(withRate?.map((q) => q.id)).toEqual(['errs', 'invs', 'rate']);
    expect(ids(batches).flat().sort()).toEqual(qs.map((q) => q.id).sort());
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(3);
  });

  it('joins chains of expressions and METRICS() into one unit', () => {
    const qs: MetricQuery[] = [
      metric('x'),
      expression('y', 'x * 2'),
      expression('z', 'y + 1'),
      metric('w'),
      expression('all', 'SUM(METRICS())'),
    ];
    expect(ids(batchQueries(qs, 1, { maxQueries: 5, maxDatapoints: 1_000 }))).toEqual([
      ['x', 'y', 'z', 'w', 'all'],
    ]);
    expect(() => batchQueries(qs, 1, { maxQueries: 4, maxDatapoints: 1_000 })).toThrow(RangeError);
    expect(ids(batchQueries(qs.slice(0, 4), 1, { maxQueries: 3, maxDatapoints: 1_000 }))).toEqual([
      ['x', 'y', 'z'],
      ['w'],
    ]);
  });

  it('gives a unit over the data-point limit a call of its own (NextToken pages it)', () => {
    const qs = [metric('a'), metric('b'), metric('c')];
    expect(ids(batchQueries(qs, 200_000))).toEqual([['a'], ['b'], ['c']]);
  });

  it('rejects duplicate ids, which CloudWatch would refuse', () => {
    expect(() => batchQueries([metric('a'), metric('a')], 1)).toThrow(/duplicate/);
    expect(batchQueries([], 10)).toEqual([]);
  });
});
