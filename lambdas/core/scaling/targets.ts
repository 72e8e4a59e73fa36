import { z } from 'zod';
import { type ScalableKind, scalableTargetRefSchema } from '../../model/scaling';

/** The list of scalable targets (one target's type and schema are in model/scaling) and AWS's ranges. */

export const scalableTargetListSchema = z.array(scalableTargetRefSchema).max(100);

/** Target-tracking metric ranges AWS accepts (or advises) per kind; ElastiCache documents 35–70 %. */
export const TARGET_VALUE_RANGE: Readonly<Record<ScalableKind, readonly [number, number] | undefined>> = {
  'lambda-provisioned-concurrency': [0.1, 0.9],
  'ecs-service': [1, 100],
  'elasticache-shards': [35, 70],
  'elasticache-replicas': [35, 70],
  'local-workers': undefined,
};
