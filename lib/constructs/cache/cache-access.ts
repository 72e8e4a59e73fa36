// What the cache routes' handlers need beyond the cache itself: POST /cache/invalidations sends CDN
// paths to the invalidation queue, and the VPC the cache routes run in gets an endpoint for exactly
// the AWS services those handlers call (derived from routes.ts, so a new cache route brings its own).
import type { RegisteredTargets } from '../../config/monitoring-settings';
import type { OperationAccess } from '../api/performance-api';
import type { RouteSpec } from '../api/routes';
import type { TestStorage } from '../storage/test-storage';
import type { CacheCluster } from './cache-cluster';
import type { CacheNetwork } from './cache-network';
import type { CdnInvalidation } from './cdn-invalidation';

/** The `invalidateCache` operation: the queue's URL and sqs:SendMessage on it, when the CDN is deployed. */
export function invalidateCacheAccess(invalidations: CdnInvalidation | undefined): OperationAccess {
  return {
    environment: invalidations?.environment ?? {},
    grant: (handler) => invalidations?.grantSend(handler),
  };
}

export interface CacheRouteServices {
  readonly storage: TestStorage;
  readonly invalidations?: CdnInvalidation | undefined;
}

/**
 * Adds to the cache VPC the endpoints its routes' handlers call: DynamoDB and S3 (gateway, free)
 * for those that read tests or results, CloudWatch for the metrics handler, SQS for the one that
 * queues CDN invalidations. Secrets Manager (the AUTH token) the cache tier adds itself.
 */
export function reachCacheRouteServices(
  network: CacheNetwork,
  routes: readonly RouteSpec[],
  { storage, invalidations }: CacheRouteServices,
): void {
  const inVpc = routes.filter((r) => r.cache);
  const tests = inVpc.map((r) => r.tests).filter((t) => t !== 'none');
  if (tests.length > 0)
    network.reachTable(storage.table, tests.every((t) => t === 'read') ? 'read' : 'readWrite');
  if (inVpc.some((r) => r.results !== 'none')) network.reachBucket(storage.resultsBucket);
  if (inVpc.some((r) => r.operation === 'readMetrics')) network.reachMetrics();
  if (invalidations !== undefined && inVpc.some((r) => r.operation === 'invalidateCache'))
    network.reachQueue(invalidations.queue);
}

/**
 * The registered targets with the platform's own cache group first, node by node: it gets the
 * alarms and dashboard rows of a registered group (ADR 004). A registration of the same group is
 * dropped rather than watched twice.
 */
export function withPlatformCache(
  targets: RegisteredTargets,
  cache: Pick<CacheCluster, 'replicationGroupId' | 'nodeIds'> | undefined,
): RegisteredTargets {
  if (cache === undefined) return targets;
  return {
    ...targets,
    elasticacheClusters: [
      { replicationGroupId: cache.replicationGroupId, clusterIds: [...cache.nodeIds] },
      ...targets.elasticacheClusters.filter((c) => c.replicationGroupId !== cache.replicationGroupId),
    ],
  };
}
