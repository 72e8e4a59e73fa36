// THROUGHLINE_MONITORED: what the metrics endpoints read, in the schema of
// lambdas/core/observability/monitored.ts (test/cdk checks the JSON against it): the platform's own
// resources first, then the targets registered under monitoring.targets.
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { RegisteredTargets } from '../../config/monitoring-settings';

type Owner = 'platform' | 'target';

/** One monitored resource (the runtime's MonitoredResource). */
export type MonitoredResource =
  | { readonly kind: 'lambda'; readonly owner: Owner; readonly functionName: string }
  | { readonly kind: 'ecs'; readonly owner: Owner; readonly cluster: string; readonly service: string }
  | {
      readonly kind: 'elasticache';
      readonly owner: Owner;
      readonly replicationGroupId: string;
      readonly clusterId?: string;
    }
  | { readonly kind: 'rds'; readonly owner: Owner; readonly instance?: string; readonly cluster?: string }
  | { readonly kind: 'apigateway'; readonly owner: Owner; readonly apiName: string; readonly stage: string }
  | { readonly kind: 'cloudfront'; readonly owner: Owner; readonly distributionId: string }
  | { readonly kind: 'stepfunctions'; readonly owner: Owner; readonly stateMachineArn: string }
  | { readonly kind: 'dynamodb'; readonly owner: Owner; readonly tableName: string };

export interface PlatformResources {
  /** Every API and run function (and the notifier), by name (tokens for generated names). */
  readonly functionNames: readonly string[];
  readonly apiName: string;
  readonly apiStage: string;
  readonly stateMachineArn: string;
  readonly tableName: string;
}

export function monitoredResources(
  platform: PlatformResources,
  targets: RegisteredTargets,
): MonitoredResource[] {
  const owner = 'platform';
  return [
    ...platform.functionNames.map((functionName) => ({ kind: 'lambda', owner, functionName }) as const),
    { kind: 'apigateway', owner, apiName: platform.apiName, stage: platform.apiStage },
    { kind: 'stepfunctions', owner, stateMachineArn: platform.stateMachineArn },
    { kind: 'dynamodb', owner, tableName: platform.tableName },
    ...registered(targets),
  ];
}

function registered(t: RegisteredTargets): MonitoredResource[] {
  const owner = 'target';
  return [
    ...t.lambdaFunctions.map((functionName) => ({ kind: 'lambda', owner, functionName }) as const),
    ...t.ecsServices.map(({ cluster, service }) => ({ kind: 'ecs', owner, cluster, service }) as const),
    // ElastiCache publishes per node: one entry per listed node, or the group when none is listed.
    ...t.elasticacheClusters.flatMap(({ replicationGroupId, clusterIds }) =>
      clusterIds === undefined || clusterIds.length === 0
        ? [{ kind: 'elasticache', owner, replicationGroupId } as const]
        : clusterIds.map(
            (clusterId) => ({ kind: 'elasticache', owner, replicationGroupId, clusterId }) as const,
          ),
    ),
    ...t.databases.map((db) =>
      db.instance === undefined
        ? ({ kind: 'rds', owner, cluster: db.cluster ?? '' } as const)
        : ({ kind: 'rds', owner, instance: db.instance } as const),
    ),
    ...t.apiGatewayStages.map(
      ({ apiName, stage }) => ({ kind: 'apigateway', owner, apiName, stage }) as const,
    ),
    ...t.cloudfrontDistributions.map(
      (distributionId) => ({ kind: 'cloudfront', owner, distributionId }) as const,
    ),
  ];
}

/** THROUGHLINE_MONITORED; names that are still tokens resolve at deploy. */
export const monitoredJson = (scope: IConstruct, resources: readonly MonitoredResource[]): string =>
  Stack.of(scope).toJsonString(resources);
