import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetProvisionedConcurrencyConfigCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ScalableTargetRef } from '../../model/scaling';

/**
 * The capacity a scalable target has now and the capacity it is moving to, read from the service
 * itself: Application Auto Scaling only knows min and max. `null` when the service cannot say (no
 * client given, no permission, the resource gone): status stays useful without it.
 */

export interface CapacityClients {
  readonly lambda?: LambdaClient;
  readonly ecs?: ECSClient;
  readonly elasticache?: ElastiCacheClient;
}

export interface Capacity {
  readonly current: number | null;
  readonly desired: number | null;
}

const UNKNOWN: Capacity = { current: null, desired: null };
const num = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n : null);

/** `function:<name>:<alias or version>` → provisioned concurrency allocated vs requested. */
async function lambdaCapacity(lambda: LambdaClient, resourceId: string): Promise<Capacity> {
  const [kind, name, qualifier] = resourceId.split(':');
  if (kind !== 'function' || !name || !qualifier) return UNKNOWN;
  const res = await lambda.send(
    new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }),
  );
  return {
    current: num(res.AllocatedProvisionedConcurrentExecutions),
    desired: num(res.RequestedProvisionedConcurrentExecutions),
  };
}

/** `service/<cluster>/<service>` → running tasks vs the desired count. */
async function ecsCapacity(ecs: ECSClient, resourceId: string): Promise<Capacity> {
  const [kind, cluster, service] = resourceId.split('/');
  if (kind !== 'service' || !cluster || !service) return UNKNOWN;
  const res = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const s = res.services?.[0];
  return s ? { current: num(s.runningCount), desired: num(s.desiredCount) } : UNKNOWN;
}

/**
 * `replication-group/<id>` → shards (node groups) or replicas per shard. ElastiCache does not say
 * what a resize is moving to, so desired is the current figure. Replicas are the fewest of any
 * shard: Application Auto Scaling sets the same count on all of them, and the lowest is what a
 * read-heavy shard has.
 */
async function elasticacheCapacity(
  elasticache: ElastiCacheClient,
  resourceId: string,
  kind: 'elasticache-shards' | 'elasticache-replicas',
): Promise<Capacity> {
  const [type, id] = resourceId.split('/');
  if (type !== 'replication-group' || !id) return UNKNOWN;
  const res = await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  const groups = res.ReplicationGroups?.[0]?.NodeGroups ?? [];
  if (groups.length === 0) return UNKNOWN;
  const value =
    kind === 'elasticache-shards'
      ? groups.length
      : Math.min(...groups.map((g) => Math.max(0, (g.NodeGroupMembers?.length ?? 1) - 1)));
  return { current: value, desired: value };
}

/** Never throws: a failed read is `null` capacity. */
export async function readCapacity(clients: CapacityClients, target: ScalableTargetRef): Promise<Capacity> {
  const resourceId = target.resourceId ?? '';
  try {
    switch (target.kind) {
      case 'lambda-provisioned-concurrency':
        return clients.lambda ? await lambdaCapacity(clients.lambda, resourceId) : UNKNOWN;
      case 'ecs-service':
        return clients.ecs ? await ecsCapacity(clients.ecs, resourceId) : UNKNOWN;
      case 'elasticache-shards':
      case 'elasticache-replicas':
        return clients.elasticache
          ? await elasticacheCapacity(clients.elasticache, resourceId, target.kind)
          : UNKNOWN;
      case 'local-workers':
        return UNKNOWN;
    }
  } catch {
    // Capacity is a nicety next to min/max/policies; an IAM gap or a deleted resource must not
    // fail the whole status.
    return UNKNOWN;
  }
}
