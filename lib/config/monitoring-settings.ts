// The `monitoring` block: who is told about alarms, the thresholds the alarms use, and the
// resources a team registers to be watched beside the platform's own. settings.ts composes it.
import { z } from 'zod';

const num = () => z.number({ error: 'must be a number' });
const positive = (max: number) =>
  num()
    .positive({ error: 'must be greater than 0' })
    .max(max, { error: `must be at most ${max}` });
const percent = () =>
  num().gt(0, { error: 'must be greater than 0' }).max(100, { error: 'must be at most 100 (a percentage)' });
const count = (min: number, max: number) =>
  num()
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/** A string matching `pattern`; `what` says what it must look like. */
const id = (pattern: RegExp, what: string) =>
  z.string({ error: 'must be a string' }).regex(pattern, { error: `must be ${what}` });

export const LAMBDA_NAME = id(
  /^[A-Za-z0-9_-]{1,64}$/,
  'a Lambda function name (1-64 letters, digits, - or _)',
);
const ECS_NAME = id(/^[A-Za-z0-9_-]{1,255}$/, 'an ECS name (1-255 letters, digits, - or _)');
/** ElastiCache replication group ids: lowercase, start with a letter, no double or trailing hyphen. */
export const REPLICATION_GROUP_ID = id(
  /^(?=.{1,40}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
  'an ElastiCache replication group id (1-40 lowercase letters, digits and single hyphens, starting with a letter)',
);
const CACHE_CLUSTER_ID = id(
  /^(?=.{1,50}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
  'an ElastiCache node id such as "my-group-0001-001"',
);
const RDS_ID = id(
  /^(?=.{1,63}$)[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/,
  'an RDS identifier (1-63 letters, digits and single hyphens, starting with a letter)',
);
const API_NAME = id(/^[\x20-\x7e]{1,128}$/, 'an API Gateway REST API name (1-128 printable characters)');
const STAGE_NAME = id(/^[A-Za-z0-9_-]{1,128}$/, 'an API Gateway stage name (letters, digits, - or _)');
const DISTRIBUTION_ID = id(/^[A-Z0-9]{10,20}$/, 'a CloudFront distribution id such as "E2QWRUHAPOMQZL"');

export const ecsServiceSchema = z.strictObject({ cluster: ECS_NAME, service: ECS_NAME });

export const targetsSchema = z
  .strictObject({
    lambdaFunctions: z.array(LAMBDA_NAME, { error: 'must be an array of function names' }).default([]),
    ecsServices: z.array(ecsServiceSchema, { error: 'must be an array of {cluster, service}' }).default([]),
    elasticacheClusters: z
      .array(
        z.strictObject({
          replicationGroupId: REPLICATION_GROUP_ID,
          /** The group's nodes (CacheClusterId): ElastiCache publishes its metrics per node. */
          clusterIds: z.array(CACHE_CLUSTER_ID, { error: 'must be an array of node ids' }).optional(),
        }),
        { error: 'must be an array of {replicationGroupId, clusterIds?}' },
      )
      .default([]),
    databases: z
      .array(
        z
          .strictObject({ instance: RDS_ID.optional(), cluster: RDS_ID.optional() })
          .refine((d) => (d.instance === undefined) !== (d.cluster === undefined), {
            error:
              'must name exactly one of "instance" (an RDS DB instance) and "cluster" (an Aurora cluster)',
          }),
        { error: 'must be an array of {instance} or {cluster}' },
      )
      .default([]),
    apiGatewayStages: z
      .array(z.strictObject({ apiName: API_NAME, stage: STAGE_NAME }), {
        error: 'must be an array of {apiName, stage}',
      })
      .default([]),
    cloudfrontDistributions: z
      .array(DISTRIBUTION_ID, { error: 'must be an array of distribution ids' })
      .default([]),
  })
  .prefault({});

const thresholdsSchema = z
  .strictObject({
    apiLatencyP95Ms: positive(29_000).default(1000),
    apiLatencyP99Ms: positive(29_000).default(3000),
    api5xxRatePercent: percent().default(1),
    lambdaErrorRatePercent: percent().default(1),
    cacheCpuPercent: percent().default(80),
    cacheMemoryPercent: percent().default(80),
    cacheEvictions: count(0, 1_000_000_000).default(1000),
    cacheConnections: count(1, 65_000).default(5000),
    cacheHitRatePercent: percent().default(80),
    databaseCpuPercent: percent().default(80),
    databaseConnections: count(1, 1_000_000).default(500),
    databaseLatencyMs: positive(60_000).default(20),
    ecsCpuPercent: percent().default(85),
    ecsMemoryPercent: percent().default(85),
  })
  .prefault({})
  .check((ctx) => {
    const { apiLatencyP95Ms: p95, apiLatencyP99Ms: p99 } = ctx.value;
    if (p95 > p99)
      ctx.issues.push({
        code: 'custom',
        continue: true,
        path: ['apiLatencyP95Ms'],
        input: p95,
        message: `must not exceed apiLatencyP99Ms (${p99}): a p95 is never above the p99`,
      });
  });

/** Who hears about alarms, with which thresholds, and what besides the platform is watched. */
export const monitoringSchema = z
  .strictObject({
    emails: z
      .array(z.email({ error: 'must be an email address' }), { error: 'must be an array of email addresses' })
      .default([]),
    webhook: z
      // On by default: the notifier is ready when the URL is put into the secret, and skips until then.
      .strictObject({ enabled: z.boolean({ error: 'must be true or false' }).default(true) })
      .prefault({}),
    notify: z
      .enum(['composite', 'every-alarm'], { error: 'must be "composite" or "every-alarm"' })
      .default('composite'),
    thresholds: thresholdsSchema,
    targets: targetsSchema,
  })
  .prefault({});

export type MonitoringSettings = z.infer<typeof monitoringSchema>;
export type AlarmThresholds = MonitoringSettings['thresholds'];
export type RegisteredTargets = MonitoringSettings['targets'];
