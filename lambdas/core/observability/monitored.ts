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
export const monitoredListSchema = z.array(monitoredResourceSchema).max(500);

/** A short human name for a resource, used in labels and responses. */
export function resourceName(r: MonitoredResource): string {
  switch (r.kind) {
    case 'lambda':
      return r.functionName;
    case 'ecs':
      return `${r.cluster}/${r.service}`;
    case 'elasticache':
      return r.clusterId ?? r.replicationGroupId ?? '';
    case 'rds':
      return r.instance ?? r.cluster ?? '';
    case 'apigateway':
      return `${r.apiName}/${r.stage}`;
    case 'cloudfront':
      return r.distributionId;
    case 'stepfunctions':
      return r.stateMachineArn.split(':').at(-1) ?? r.stateMachineArn;
    case 'dynamodb':
      return r.tableName;
  }
}
