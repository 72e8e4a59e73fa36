// The scalable targets of a deployment as data: what the stack registers with Application Auto
// Scaling and what the scaling API may touch, in the THROUGHLINE_SCALABLE_TARGETS schema of
// lambdas/core/scaling/targets.ts (test/cdk checks the JSON against that schema).
import { createHash } from 'node:crypto';
import {
  type CapacityLimits,
  DEFAULT_LAMBDA_CONCURRENCY,
  ECS_TASK_LIMITS,
  REPLICA_LIMITS,
  SHARD_LIMITS,
  UNRESERVED_LAMBDA_CONCURRENCY,
} from '../../config/scaling-settings';
import type { ThroughlineSettings } from '../../config/settings';
import { kebabOf } from '../api/routes';

export type ScalableKind =
  | 'lambda-provisioned-concurrency'
  | 'ecs-service'
  | 'elasticache-shards'
  | 'elasticache-replicas';

export interface ScalableTargetSpec {
  /** Short id used by the scaling API: `api-get-test`, `cache-<group>-shards`, `ecs-<cluster>-<service>`. */
  readonly id: string;
  readonly kind: ScalableKind;
  readonly serviceNamespace: 'lambda' | 'ecs' | 'elasticache';
  readonly resourceId: string;
  readonly scalableDimension: string;
  /** The hard limits AWS allows (not the configured min and max, which the API may change). */
  readonly limits: CapacityLimits;
}

/** The alias of an API function that API Gateway invokes and provisioned concurrency is set on. */
export const LIVE_ALIAS = 'live';

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A target id from arbitrary names: lowercase and hyphens; too long or altered ones gain a hash. */
function targetId(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '');
  if (cleaned === raw && ID.test(cleaned)) return cleaned;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 6);
  return `${cleaned.slice(0, 56).replace(/-+$/, '')}-${hash}`;
}

/** The hard limit of provisioned concurrency: the account's concurrency less what Lambda keeps unreserved. */
export function provisionedConcurrencyLimits(
  settings: Pick<ThroughlineSettings, 'capacity'>,
): CapacityLimits {
  const quota = settings.capacity?.limits?.lambdaConcurrency ?? DEFAULT_LAMBDA_CONCURRENCY;
  return { min: 0, max: quota - UNRESERVED_LAMBDA_CONCURRENCY };
}

/**
 * Every scalable target, in a stable order: the aliased API functions (named by `functionName`),
 * then each registered ElastiCache group's shards and replicas, then each registered ECS service.
 */
export function scalableTargetSpecs(
  settings: Pick<ThroughlineSettings, 'scaling' | 'capacity'>,
  functionName: (routeId: string) => string,
): ScalableTargetSpec[] {
  const { api, elasticache, ecsServices } = settings.scaling;
  const lambdaLimits = provisionedConcurrencyLimits(settings);
  return [
    ...api.routes.map(
      (route): ScalableTargetSpec => ({
        id: `api-${kebabOf(route)}`,
        kind: 'lambda-provisioned-concurrency',
        serviceNamespace: 'lambda',
        resourceId: `function:${functionName(route)}:${LIVE_ALIAS}`,
        scalableDimension: 'lambda:function:ProvisionedConcurrency',
        limits: lambdaLimits,
      }),
    ),
    ...elasticache.flatMap(({ replicationGroupId: rg, shards, replicas }) => [
      ...(shards === undefined
        ? []
        : [
            {
              id: `cache-${rg}-shards`,
              kind: 'elasticache-shards',
              serviceNamespace: 'elasticache',
              resourceId: `replication-group/${rg}`,
              scalableDimension: 'elasticache:replication-group:NodeGroups',
              limits: SHARD_LIMITS,
            } satisfies ScalableTargetSpec,
          ]),
      ...(replicas === undefined
        ? []
        : [
            {
              id: `cache-${rg}-replicas`,
              kind: 'elasticache-replicas',
              serviceNamespace: 'elasticache',
              resourceId: `replication-group/${rg}`,
              scalableDimension: 'elasticache:replication-group:Replicas',
              limits: REPLICA_LIMITS,
            } satisfies ScalableTargetSpec,
          ]),
    ]),
    ...ecsServices.map(
      ({ cluster, service }): ScalableTargetSpec => ({
        id: targetId(`ecs-${cluster}-${service}`),
        kind: 'ecs-service',
        serviceNamespace: 'ecs',
        resourceId: `service/${cluster}/${service}`,
        scalableDimension: 'ecs:service:DesiredCount',
        limits: ECS_TASK_LIMITS,
      }),
    ),
  ];
}

/** THROUGHLINE_SCALABLE_TARGETS. */
export const scalableTargetsJson = (specs: readonly ScalableTargetSpec[]): string => JSON.stringify(specs);
