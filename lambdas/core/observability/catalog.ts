import type { MonitoredResource, ResourceKind } from '../../model/monitored';
import type { MetricGroup, MetricQuery, Statistic } from '../../ports/metrics';
import { resourceName } from './monitored';

/**
 * Which CloudWatch series describe a monitored resource, per metric group. Pure data: the CloudWatch
 * adapter turns these queries into GetMetricData calls.
 *
 * A spec without `stat` takes the caller's statistic (Average, Maximum, p99 … all make sense for a
 * gauge); counts fix `Sum`, because the average of per-request 0/1 samples or of one-minute counts
 * is not what a person reading "requests" expects.
 *
 * Ids are `<prefix>_<kind>_<index of the resource in the list>_<key>`: they match CloudWatch's
 * `^[a-z][a-zA-Z0-9_]*$`, are unique within one call, and stay stable while the list does.
 */

type MetricSpec = {
  readonly key: string;
  readonly metricName: string;
  readonly unit: string;
  readonly stat?: Statistic;
  readonly hidden?: boolean;
  /** Extra dimensions on top of the resource's own (DynamoDB's Operation). */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly label?: string;
};
/** `{key}` in the expression names another spec of the same resource. */
type ExpressionSpec = {
  readonly key: string;
  readonly expression: string;
  readonly unit: string;
  readonly label: string;
};
type Spec = MetricSpec | ExpressionSpec;

const isExpression = (s: Spec): s is ExpressionSpec => 'expression' in s;

const sum = (key: string, metricName: string, unit = 'Count', hidden = false): MetricSpec => ({
  key,
  metricName,
  unit,
  stat: 'Sum',
  ...(hidden ? { hidden } : {}),
});
const gauge = (key: string, metricName: string, unit: string): MetricSpec => ({ key, metricName, unit });
const rate = (key: string, numerator: string, denominator: string, label: string): ExpressionSpec => ({
  key,
  expression: `100 * {${numerator}} / {${denominator}}`,
  unit: 'Percent',
  label,
});

/** Where a kind's metrics live: namespace, the resource's dimensions, and the region if fixed. */
interface Source {
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly region?: string;
}

function sourceOf(r: MonitoredResource): Source | undefined {
  switch (r.kind) {
    case 'lambda':
      return { namespace: 'AWS/Lambda', dimensions: { FunctionName: r.functionName } };
    case 'ecs':
      return { namespace: 'AWS/ECS', dimensions: { ClusterName: r.cluster, ServiceName: r.service } };
    case 'elasticache':
      // ElastiCache publishes per node (CacheClusterId) only; see catalogWarnings.
      return r.clusterId
        ? { namespace: 'AWS/ElastiCache', dimensions: { CacheClusterId: r.clusterId } }
        : undefined;
    case 'rds':
      // One instance is what load shows on; a cluster id gives Aurora's cluster-wide figures.
      if (r.instance) return { namespace: 'AWS/RDS', dimensions: { DBInstanceIdentifier: r.instance } };
      return r.cluster ? { namespace: 'AWS/RDS', dimensions: { DBClusterIdentifier: r.cluster } } : undefined;
    case 'apigateway':
      // REST APIs; HTTP APIs publish under ApiId with lower-case 4xx/5xx names.
      return { namespace: 'AWS/ApiGateway', dimensions: { ApiName: r.apiName, Stage: r.stage } };
    case 'cloudfront':
      return {
        namespace: 'AWS/CloudFront',
        dimensions: { DistributionId: r.distributionId, Region: 'Global' },
        region: 'us-east-1',
      };
    case 'stepfunctions':
      return { namespace: 'AWS/States', dimensions: { StateMachineArn: r.stateMachineArn } };
    case 'dynamodb':
      return { namespace: 'AWS/DynamoDB', dimensions: { TableName: r.tableName } };
  }
}

type GroupSpecs = Partial<Record<MetricGroup, readonly Spec[]>>;

/** DynamoDB publishes request latency per operation; these are the ones reads and writes mostly use. */
const DYNAMO_OPERATIONS = ['GetItem', 'PutItem', 'Query'] as const;

const CATALOG: Readonly<Record<ResourceKind, GroupSpecs>> = {
  lambda: {
    // Lambda has no CPU metric (CPU comes with the memory size); under load, duration, concurrency
    // and throttles are what move. Memory needs Lambda Insights, so the memory group is empty.
    cpu: [
      gauge('duration', 'Duration', 'Milliseconds'),
      gauge('concurrency', 'ConcurrentExecutions', 'Count'),
      sum('throttles', 'Throttles'),
      sum('errors', 'Errors', 'Count', true),
      sum('invocations', 'Invocations', 'Count', true),
      rate('errorrate', 'errors', 'invocations', 'error rate'),
    ],
  },
  ecs: {
    // Service-level network figures need Container Insights (ECS/ContainerInsights), not assumed.
    cpu: [gauge('cpu', 'CPUUtilization', 'Percent')],
    memory: [gauge('memory', 'MemoryUtilization', 'Percent')],
  },
  elasticache: {
    // Valkey/Redis run commands on one thread: EngineCPUUtilization shows saturation that host CPU
    // (all cores averaged) hides.
    cpu: [gauge('cpu', 'CPUUtilization', 'Percent'), gauge('enginecpu', 'EngineCPUUtilization', 'Percent')],
    memory: [
      gauge('memoryused', 'DatabaseMemoryUsagePercentage', 'Percent'),
      gauge('freeable', 'FreeableMemory', 'Bytes'),
      sum('evictions', 'Evictions'),
    ],
    network: [
      sum('bytesin', 'NetworkBytesIn', 'Bytes'),
      sum('bytesout', 'NetworkBytesOut', 'Bytes'),
      gauge('connections', 'CurrConnections', 'Count'),
    ],
  },
  rds: {
    cpu: [gauge('cpu', 'CPUUtilization', 'Percent')],
    memory: [gauge('freeable', 'FreeableMemory', 'Bytes')],
    network: [
      gauge('receive', 'NetworkReceiveThroughput', 'Bytes/Second'),
      gauge('transmit', 'NetworkTransmitThroughput', 'Bytes/Second'),
    ],
    database: [
      gauge('cpu', 'CPUUtilization', 'Percent'),
      gauge('connections', 'DatabaseConnections', 'Count'),
      gauge('readlatency', 'ReadLatency', 'Seconds'),
      gauge('writelatency', 'WriteLatency', 'Seconds'),
    ],
  },
  apigateway: {
    network: [
      sum('count', 'Count'),
      gauge('latency', 'Latency', 'Milliseconds'),
      gauge('integration', 'IntegrationLatency', 'Milliseconds'),
      sum('e4xx', '4XXError'),
      sum('e5xx', '5XXError'),
      rate('rate5xx', 'e5xx', 'count', '5xx rate'),
    ],
  },
  cloudfront: {
    network: [
      sum('requests', 'Requests'),
      sum('bytes', 'BytesDownloaded', 'Bytes'),
      // Already a percentage per minute: summing it would be meaningless.
      { key: 'rate5xx', metricName: '5xxErrorRate', unit: 'Percent', stat: 'Average' },
    ],
  },
  stepfunctions: {
    network: [sum('started', 'ExecutionsStarted'), sum('failed', 'ExecutionsFailed')],
  },
  dynamodb: {
    database: [
      ...DYNAMO_OPERATIONS.map(
        (op): MetricSpec => ({
          key: `latency${op.toLowerCase()}`,
          metricName: 'SuccessfulRequestLatency',
          unit: 'Milliseconds',
          dimensions: { Operation: op },
          label: `SuccessfulRequestLatency ${op}`,
        }),
      ),
      sum('rcu', 'ConsumedReadCapacityUnits'),
      sum('wcu', 'ConsumedWriteCapacityUnits'),
      // ThrottledRequests exists only per Operation; the per-table throttle events cover them all.
      sum('readthrottles', 'ReadThrottleEvents'),
      sum('writethrottles', 'WriteThrottleEvents'),
    ],
  },
};

function build(prefix: string, specsOf: (r: MonitoredResource) => readonly Spec[] | undefined) {
  return (resources: readonly MonitoredResource[]): MetricQuery[] =>
    resources.flatMap((resource, index) => {
      const specs = specsOf(resource);
      const source = sourceOf(resource);
      if (!specs || !source) return [];
      const idOf = (key: string) => `${prefix}_${resource.kind}_${index}_${key}`;
      const name = resourceName(resource);
      const region = source.region ? { region: source.region } : {};
      return specs.map((s): MetricQuery => {
        if (isExpression(s))
          return {
            id: idOf(s.key),
            label: `${name} ${s.label}`,
            resource,
            expression: s.expression.replace(/\{([a-z0-9]+)\}/g, (_, key: string) => idOf(key)),
            unit: s.unit,
            ...region,
          };
        return {
          id: idOf(s.key),
          label: `${name} ${s.label ?? s.metricName}`,
          resource,
          namespace: source.namespace,
          metricName: s.metricName,
          dimensions: { ...source.dimensions, ...s.dimensions },
          unit: s.unit,
          ...(s.stat ? { stat: s.stat } : {}),
          ...(s.hidden ? { hidden: true } : {}),
          ...region,
        };
      });
    });
}

/** Every series of one group for these resources (hidden inputs of expressions included). */
export function metricQueries(group: MetricGroup, resources: readonly MonitoredResource[]): MetricQuery[] {
  return build(group, (r) => CATALOG[r.kind][group])(resources);
}

/**
 * Resources the catalog cannot address as configured, said rather than silently dropped. `group`
 * limits the warnings to resources that have series in that group (all of them when absent).
 */
export function catalogWarnings(resources: readonly MonitoredResource[], group?: MetricGroup): string[] {
  const warnings: string[] = [];
  for (const r of resources) {
    if (group && !CATALOG[r.kind][group]) continue;
    if (r.kind === 'elasticache' && !r.clusterId)
      warnings.push(
        r.replicationGroupId
          ? `elasticache ${r.replicationGroupId}: CloudWatch publishes ElastiCache metrics per node (CacheClusterId), ` +
              `never per replication group; its series are skipped: set clusterId to the node to watch, ` +
              `e.g. ${r.replicationGroupId}-0001-001 (or ${r.replicationGroupId}-001 without cluster mode)`
          : 'elasticache resource without clusterId or replicationGroupId: skipped',
      );
    if (r.kind === 'rds' && !r.instance && !r.cluster)
      warnings.push('rds resource without instance or cluster: skipped');
  }
  return warnings;
}
