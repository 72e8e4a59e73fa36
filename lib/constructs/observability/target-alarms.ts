// Alarms on the resources a team registered under monitoring.targets. ElastiCache engine CPU and
// evictions come from cdk-monitoring-constructs' ElastiCache monitor; the rest are custom alarms:
// the library has no ElastiCache memory or connection alarm, its RDS and ECS monitors need CDK
// objects of resources this stack does not own (an RDS endpoint, an ECS cluster's VPC).
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import { ElastiCacheClusterType } from 'cdk-monitoring-constructs';
import type { AlarmThresholds, RegisteredTargets } from '../../config/monitoring-settings';
import { slug } from './alarm-naming';
import { type AlarmSink, CRITICAL, metricOf, WARNING } from './alarm-spec';

const ABOVE = ComparisonOperator.GREATER_THAN_THRESHOLD;

export function addTargetAlarms(alarms: AlarmSink, targets: RegisteredTargets, t: AlarmThresholds): void {
  for (const group of targets.elasticacheClusters)
    for (const node of group.clusterIds ?? []) addCacheNodeAlarms(alarms, node, t);
  for (const db of targets.databases) addDatabaseAlarms(alarms, db, t);
  for (const service of targets.ecsServices) addServiceAlarms(alarms, service, t);
}

/**
 * ElastiCache publishes per node (CacheClusterId such as `my-group-0001-001`), so alarms are per
 * listed node: CloudWatch alarms cannot search for a group's nodes.
 */
function addCacheNodeAlarms(alarms: AlarmSink, node: string, t: AlarmThresholds): void {
  const name = (what: string) => alarms.naming.name(`elasticache-${node}-${what}`);
  alarms.facade.monitorElastiCacheCluster({
    clusterId: node,
    clusterType: ElastiCacheClusterType.REDIS,
    alarmFriendlyName: `elasticache-${node}`,
    addRedisEngineCpuUsageAlarm: {
      [CRITICAL]: {
        maxUsagePercent: t.cacheCpuPercent,
        alarmNameOverride: name('cpu'),
        alarmDescriptionOverride: `ElastiCache node ${node}'s engine thread ran above ${t.cacheCpuPercent} % CPU.`,
      },
    },
    addMaxEvictedItemsCountAlarm: {
      [WARNING]: {
        maxItemsCount: t.cacheEvictions,
        alarmNameOverride: name('evictions'),
        alarmDescriptionOverride: `ElastiCache node ${node} evicted more than ${t.cacheEvictions} keys in five minutes (memory is short).`,
      },
    },
  });
  const metric = (metricName: string) =>
    metricOf('AWS/ElastiCache', metricName, { CacheClusterId: node }, 'Maximum');
  alarms.addCustomAlarm({
    name: `elasticache-${node}-memory`,
    description: `ElastiCache node ${node} uses more than ${t.cacheMemoryPercent} % of its memory for data (evictions follow).`,
    metric: metric('DatabaseMemoryUsagePercentage'),
    severity: CRITICAL,
    threshold: t.cacheMemoryPercent,
    comparison: ABOVE,
  });
  alarms.addCustomAlarm({
    name: `elasticache-${node}-connections`,
    description: `ElastiCache node ${node} holds more than ${t.cacheConnections} client connections (a pool or connection leak).`,
    metric: metric('CurrConnections'),
    severity: WARNING,
    threshold: t.cacheConnections,
    comparison: ABOVE,
  });
}

/** An RDS instance or an Aurora cluster; latency metrics are in seconds, the threshold in ms. */
function addDatabaseAlarms(
  alarms: AlarmSink,
  db: RegisteredTargets['databases'][number],
  t: AlarmThresholds,
): void {
  const [dimension, id] =
    db.instance === undefined
      ? (['DBClusterIdentifier', db.cluster ?? ''] as const)
      : (['DBInstanceIdentifier', db.instance] as const);
  const label = `rds-${slug(id)}`;
  const metric = (metricName: string, statistic: string) =>
    metricOf('AWS/RDS', metricName, { [dimension]: id }, statistic);
  alarms.addCustomAlarm({
    name: `${label}-cpu`,
    description: `Database ${id} ran above ${t.databaseCpuPercent} % CPU.`,
    metric: metric('CPUUtilization', 'Maximum'),
    severity: CRITICAL,
    threshold: t.databaseCpuPercent,
    comparison: ABOVE,
  });
  alarms.addCustomAlarm({
    name: `${label}-connections`,
    description: `Database ${id} holds more than ${t.databaseConnections} connections.`,
    metric: metric('DatabaseConnections', 'Maximum'),
    severity: WARNING,
    threshold: t.databaseConnections,
    comparison: ABOVE,
  });
  for (const [kind, metricName] of [
    ['read', 'ReadLatency'],
    ['write', 'WriteLatency'],
  ] as const)
    alarms.addCustomAlarm({
      name: `${label}-${kind}-latency`,
      description: `Average ${kind} latency of database ${id} is above ${t.databaseLatencyMs} ms.`,
      metric: metric(metricName, 'Average'),
      severity: CRITICAL,
      threshold: t.databaseLatencyMs / 1000,
      comparison: ABOVE,
    });
}

function addServiceAlarms(
  alarms: AlarmSink,
  { cluster, service }: RegisteredTargets['ecsServices'][number],
  t: AlarmThresholds,
): void {
  const label = `ecs-${slug(cluster)}-${slug(service)}`;
  const metric = (metricName: string) =>
    metricOf('AWS/ECS', metricName, { ClusterName: cluster, ServiceName: service }, 'Average');
  for (const [kind, metricName, threshold] of [
    ['cpu', 'CPUUtilization', t.ecsCpuPercent],
    ['memory', 'MemoryUtilization', t.ecsMemoryPercent],
  ] as const)
    alarms.addCustomAlarm({
      name: `${label}-${kind}`,
      description: `ECS service ${cluster}/${service} averaged above ${threshold} % ${kind === 'cpu' ? 'CPU' : 'memory'}.`,
      metric: metric(metricName),
      severity: CRITICAL,
      threshold,
      comparison: ABOVE,
    });
}
