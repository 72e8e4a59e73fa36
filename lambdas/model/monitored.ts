import { z } from 'zod';

/**
 * What the metrics endpoints and alarms watch: the platform's own resources and the targets a team
 * registers in cdk.json. The CDK stack passes the list to the functions as THROUGHLINE_MONITORED.
 */

const owner = z.enum(['platform', 'target']);
const name = z.string().min(1).max(512);

export const monitoredResourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('lambda'), owner, functionName: name }),
  z.strictObject({ kind: z.literal('ecs'), owner, cluster: name, service: name }),
  /** `clusterId` is a CacheClusterId (a node, e.g. `my-rg-0001-001`); `replicationGroupId` names the group. */
  z.strictObject({
    kind: z.literal('elasticache'),
    owner,
    replicationGroupId: name.optional(),
    clusterId: name.optional(),
  }),
  z.strictObject({
    kind: z.literal('rds'),
    owner,
    instance: name.optional(),
    cluster: name.optional(),
  }),
  z.strictObject({ kind: z.literal('apigateway'), owner, apiName: name, stage: name }),
  z.strictObject({ kind: z.literal('cloudfront'), owner, distributionId: name }),
  z.strictObject({ kind: z.literal('stepfunctions'), owner, stateMachineArn: name }),
  z.strictObject({ kind: z.literal('dynamodb'), owner, tableName: name }),
]);

export type MonitoredResource = z.infer<typeof monitoredResourceSchema>;
export type ResourceKind = MonitoredResource['kind'];
