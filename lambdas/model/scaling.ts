import { z } from 'zod';

/**
 * The scalable targets the scaling API manages. On AWS each is an Application Auto Scaling target
 * the CDK stack registered (passed to the functions as THROUGHLINE_SCALABLE_TARGETS); locally the
 * only one is the pool of load-test worker threads.
 */

export const SCALABLE_KINDS = [
  'lambda-provisioned-concurrency',
  'ecs-service',
  'elasticache-shards',
  'elasticache-replicas',
  'local-workers',
] as const;
export type ScalableKind = (typeof SCALABLE_KINDS)[number];

export const scalableTargetRefSchema = z.strictObject({
  /** Short id used in the API, e.g. `api-get-test`, `cache-shards`, `local-workers`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  kind: z.enum(SCALABLE_KINDS),
  /** Application Auto Scaling identity (absent for local-workers). */
  serviceNamespace: z.string().min(1).optional(),
  resourceId: z.string().min(1).optional(),
  scalableDimension: z.string().min(1).optional(),
  /** Hard limits the API never goes beyond, whatever a request asks (AWS's or the deployment's). */
  limits: z.strictObject({ min: z.int().min(0), max: z.int().min(1) }),
});
export type ScalableTargetRef = z.infer<typeof scalableTargetRefSchema>;
