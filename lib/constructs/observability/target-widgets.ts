// Dashboard rows for the resources registered under monitoring.targets: each kind's key metrics,
// one line per resource. CloudFront's metrics live in us-east-1 only; graphs may read another region.
import { type IMetric, type IWidget, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { RegisteredTargets } from '../../config/monitoring-settings';
import { DASHBOARD_PERIOD, graph, search } from './dashboard-widgets';

const metric = (
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
  label: string,
  region?: string,
): Metric =>
  new Metric({
    namespace,
    metricName,
    dimensionsMap,
    statistic,
    label,
    period: DASHBOARD_PERIOD,
    ...(region === undefined ? {} : { region }),
  });

export function targetWidgets(t: RegisteredTargets): IWidget[][] {
  return [lambdaRow(t), ecsRow(t), cacheRow(t), databaseRow(t), apiRow(t), cloudfrontRow(t)].filter(
    (row) => row.length > 0,
  );
}

function lambdaRow({ lambdaFunctions: names }: RegisteredTargets): IWidget[] {
  if (names.length === 0) return [];
  const each = (metricName: string, statistic: string) =>
    names.map((n) => metric('AWS/Lambda', metricName, { FunctionName: n }, statistic, n));
  return [
    graph('Targets: function invocations', each('Invocations', 'Sum')),
    graph('Targets: function errors', each('Errors', 'Sum')),
    graph('Targets: function duration p99 (ms)', each('Duration', 'p99')),
  ];
}

function ecsRow({ ecsServices }: RegisteredTargets): IWidget[] {
  if (ecsServices.length === 0) return [];
  const each = (metricName: string) =>
    ecsServices.map(({ cluster, service }) =>
      metric(
        'AWS/ECS',
        metricName,
        { ClusterName: cluster, ServiceName: service },
        'Average',
        `${cluster}/${service}`,
      ),
    );
  return [
    graph('Targets: ECS CPU (%)', each('CPUUtilization'), 12),
    graph('Targets: ECS memory (%)', each('MemoryUtilization'), 12),
  ];
}

/** Per listed node; a group without listed nodes is found by search (its node ids start with its id). */
function cacheRow({ elasticacheClusters }: RegisteredTargets): IWidget[] {
  if (elasticacheClusters.length === 0) return [];
  const each = (metricName: string, statistic: string): IMetric[] =>
    elasticacheClusters.flatMap(({ replicationGroupId: rg, clusterIds }): IMetric[] =>
      clusterIds !== undefined && clusterIds.length > 0
        ? clusterIds.map((node) =>
            metric('AWS/ElastiCache', metricName, { CacheClusterId: node }, statistic, node),
          )
        : [search(`{AWS/ElastiCache,CacheClusterId} MetricName="${metricName}" "${rg}"`, statistic, '')],
    );
  return [
    graph('Targets: ElastiCache engine CPU (%)', each('EngineCPUUtilization', 'Maximum'), 6),
    graph('Targets: ElastiCache memory (%)', each('DatabaseMemoryUsagePercentage', 'Maximum'), 6),
    graph('Targets: ElastiCache hit rate (%)', each('CacheHitRate', 'Average'), 6),
    graph(
      'Targets: ElastiCache connections, evictions',
      [...each('CurrConnections', 'Maximum'), ...each('Evictions', 'Sum')],
      6,
    ),
  ];
}

function databaseRow({ databases }: RegisteredTargets): IWidget[] {
  if (databases.length === 0) return [];
  const each = (metricName: string, statistic: string) =>
    databases.map((db) => {
      const [dimension, id] =
        db.instance === undefined
          ? ['DBClusterIdentifier', db.cluster ?? '']
          : ['DBInstanceIdentifier', db.instance];
      return metric('AWS/RDS', metricName, { [dimension]: id }, statistic, id);
    });
  return [
    graph('Targets: database CPU (%)', each('CPUUtilization', 'Maximum'), 6),
    graph('Targets: database connections', each('DatabaseConnections', 'Maximum'), 6),
    graph('Targets: database read latency (s)', each('ReadLatency', 'Average'), 6),
    graph('Targets: database write latency (s)', each('WriteLatency', 'Average'), 6),
  ];
}

function apiRow({ apiGatewayStages: stages }: RegisteredTargets): IWidget[] {
  if (stages.length === 0) return [];
  const each = (metricName: string, statistic: string) =>
    stages.map(({ apiName, stage }) =>
      metric(
        'AWS/ApiGateway',
        metricName,
        { ApiName: apiName, Stage: stage },
        statistic,
        `${apiName}/${stage}`,
      ),
    );
  return [
    graph('Targets: API requests', each('Count', 'Sum')),
    graph('Targets: API latency p95 (ms)', each('Latency', 'p95')),
    graph('Targets: API 5xx', each('5XXError', 'Sum')),
  ];
}

function cloudfrontRow({ cloudfrontDistributions: ids }: RegisteredTargets): IWidget[] {
  if (ids.length === 0) return [];
  const each = (metricName: string, statistic: string) =>
    ids.map((id) =>
      metric(
        'AWS/CloudFront',
        metricName,
        { DistributionId: id, Region: 'Global' },
        statistic,
        id,
        'us-east-1',
      ),
    );
  return [
    graph('Targets: CloudFront requests', each('Requests', 'Sum'), 12),
    graph('Targets: CloudFront error rate (%)', each('TotalErrorRate', 'Average'), 12),
  ];
}
