import { z } from 'zod';
import { type MonitoredResource, monitoredResourceSchema } from '../../model/monitored';

/** The list of monitored resources (the type and its schema are in model/monitored), and their names. */

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
