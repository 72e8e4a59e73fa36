// Deployment settings: the `throughline` block of cdk.json's context. Every default lives in the
// schema below and nowhere else, except those the runtime shares (lambdas/model/defaults.ts, the
// quotas); docs/configuration.md is the user-facing table of the same values
// (test/cdk/config.test.ts keeps the two in step).
import { z } from 'zod';
import { DEFAULT_QUOTAS } from '../../lambdas/model/defaults';
import { type CacheSettings, cacheSchema } from './cache-settings';
import {
  type MonitoringSettings,
  monitoringSchema,
  type RegisteredTargets,
  targetsSchema,
} from './monitoring-settings';
import { type CapacityOverrides, capacitySchema, type FargateSettings, fargateSchema } from './run-settings';
import {
  DEFAULT_LAMBDA_CONCURRENCY,
  type ScalingSettings,
  scalingSchema,
  UNRESERVED_LAMBDA_CONCURRENCY,
} from './scaling-settings';
import { isAllowedTargetPattern } from './target-pattern';

/** Caps every load test is checked against before it runs (the handlers enforce them). */
export interface Quotas {
  /** Most virtual users (closed model) or pre-allocated + max VUs (open model) one test may use. */
  readonly maxVus: number;
  /** Most requests per second one test may ask for. */
  readonly maxRps: number;
  /** Longest test, stages and graceful stops included; also sets the state machine's timeout. */
  readonly maxDurationSeconds: number;
  /** Tests queued or running at once; create-test refuses more. */
  readonly maxConcurrentTests: number;
}

/** Stage-wide API Gateway throttling (token bucket). */
export interface ApiThrottle {
  /** Steady-state requests per second across the whole API stage. */
  readonly rateLimit: number;
  /** Requests the bucket can absorb at once above the steady rate. */
  readonly burstLimit: number;
}

export type RemovalMode = 'retain' | 'destroy';

export interface ThroughlineSettings {
  /** Hosts and networks load tests may target: `api.example.com`, `*.example.com`, `10.0.0.0/8`, `public`. */
  readonly allowedTargets: readonly string[];
  readonly quotas: Quotas;
  /** Address subscribed to the run notifications topic (one message per finished distributed run). */
  readonly alarmEmail?: string | undefined;
  /** Days results objects (and their noncurrent versions) are kept in S3. */
  readonly resultsRetentionDays: number;
  /** CloudWatch Logs retention for every log group the stack creates. */
  readonly logRetentionDays: number;
  readonly apiThrottle: ApiThrottle;
  /** What `cdk destroy` does to the table, buckets, log groups, keys and state machine. */
  readonly removalPolicy: RemovalMode;
  /** Size and purchase option of the Fargate worker task. */
  readonly fargate: FargateSettings;
  /** Planner capacity overrides (THROUGHLINE_CAPACITY); absent: the planner's defaults. */
  readonly capacity?: CapacityOverrides | undefined;
  /** Alarm recipients, thresholds, and the resources registered to be watched. */
  readonly monitoring: MonitoringSettings;
  /** Provisioned concurrency of API functions and auto scaling of registered targets. */
  readonly scaling: ScalingSettings;
  /** The shared cache tier (ElastiCache for Valkey) and the CDN in front of finished results (ADR 006). */
  readonly cache: CacheSettings;
}

/** The context key the settings are read from: `cdk.json` → `context.throughline`. */
export const CONTEXT_KEY = 'throughline';

/**
 * Tests longer than a Lambda worker can take run on Fargate, which has no time limit. The state
 * machine's timeout is the longest test plus an hour for fan-out and aggregation (see
 * LoadTestOrchestrator); 23 h keeps that within a day.
 */
export const MAX_TEST_DURATION_SECONDS = 82_800;

/** Retention values CloudWatch Logs accepts (never-expire is deliberately not offered). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const quotasSchema = z
  .strictObject({
    // The defaults are local mode's too (lambdas/model/defaults.ts): the same test runs in both.
    maxVus: wholeNumber(1, 1_000_000).default(DEFAULT_QUOTAS.maxVus),
    maxRps: wholeNumber(1, 10_000_000).default(DEFAULT_QUOTAS.maxRps),
    maxDurationSeconds: wholeNumber(1, MAX_TEST_DURATION_SECONDS).default(DEFAULT_QUOTAS.maxDurationSeconds),
    // Every running test holds at least one Lambda execution (its monitor) from the account's
    // regional pool of 1,000, and its workers need more of it.
    maxConcurrentTests: wholeNumber(1, 900).default(DEFAULT_QUOTAS.maxConcurrentTests),
  })
  .prefault({});

const apiThrottleSchema = z
  .strictObject({
    rateLimit: z
      .number({ error: 'must be a number' })
      .positive({ error: 'must be greater than 0' })
      .max(1_000_000, { error: 'must be at most 1000000' })
      .default(50),
    burstLimit: wholeNumber(1, 1_000_000).default(100),
  })
  .prefault({});

/** Validates and fills in the `throughline` context block. Defaults are applied here, once. */
export const settingsSchema = z
  .strictObject({
    allowedTargets: z
      .array(
        z.string({ error: 'must be a string' }).refine(isAllowedTargetPattern, {
          error:
            'must be a host name, a *.wildcard host pattern, an IP address, a CIDR block, "loopback" or "public"',
        }),
        { error: 'must be an array of host patterns or CIDR blocks' },
      )
      .default([]),
    quotas: quotasSchema,
    alarmEmail: z.email({ error: 'must be an email address' }).optional(),
    resultsRetentionDays: wholeNumber(1, 36_500).default(90),
    logRetentionDays: z
      .number({ error: 'must be a number' })
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        error: `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    apiThrottle: apiThrottleSchema,
    removalPolicy: z
      .enum(['retain', 'destroy'], { error: 'must be "retain" or "destroy"' })
      .default('retain'),
    fargate: fargateSchema,
    capacity: capacitySchema.optional(),
    monitoring: monitoringSchema,
    scaling: scalingSchema,
    cache: cacheSchema,
  })
  .prefault({})
  // A refinement that runs even when other settings have problems, so every problem is listed; it
  // looks only at blocks that are valid themselves (their own problems are reported already).
  .superRefine((value, ctx) => {
    const issue = (path: PropertyKey[], input: unknown, message: string) =>
      ctx.addIssue({ code: 'custom', path, input, message });
    const registration = registrationBlocks.safeParse(value);
    if (registration.success) checkRegistered(registration.data, issue);
    const concurrency = concurrencyBlocks.safeParse(value);
    if (concurrency.success) checkProvisionedConcurrency(concurrency.data, issue);
  });

const registrationBlocks = z.object({
  monitoring: z.object({ targets: targetsSchema }).prefault({}),
  scaling: scalingSchema,
});
const concurrencyBlocks = z.object({ scaling: scalingSchema, capacity: capacitySchema.optional() });

type Issue = (path: PropertyKey[], input: unknown, message: string) => void;

/** Only registered targets are scaled: what is scaled is also watched and listed by the metrics API. */
function checkRegistered(
  {
    monitoring: { targets },
    scaling,
  }: { monitoring: { targets: RegisteredTargets }; scaling: ScalingSettings },
  issue: Issue,
): void {
  const groups = new Set(targets.elasticacheClusters.map((c) => c.replicationGroupId));
  const seenGroups = new Set<string>();
  for (const [i, { replicationGroupId: rg }] of scaling.elasticache.entries()) {
    if (!groups.has(rg))
      issue(
        ['scaling', 'elasticache', i, 'replicationGroupId'],
        rg,
        'must be registered in monitoring.targets.elasticacheClusters (what is scaled is also watched)',
      );
    if (seenGroups.has(rg))
      issue(['scaling', 'elasticache', i], rg, 'scales a replication group named before');
    seenGroups.add(rg);
  }
  const key = (s: { cluster: string; service: string }) => `${s.cluster}/${s.service}`;
  const services = new Set(targets.ecsServices.map(key));
  const seenServices = new Set<string>();
  for (const [i, service] of scaling.ecsServices.entries()) {
    if (!services.has(key(service)))
      issue(
        ['scaling', 'ecsServices', i],
        key(service),
        'must be registered in monitoring.targets.ecsServices (what is scaled is also watched)',
      );
    if (seenServices.has(key(service)))
      issue(['scaling', 'ecsServices', i], key(service), 'scales a service named before');
    seenServices.add(key(service));
  }
}

/**
 * Provisioned concurrency comes out of the account's regional concurrency, of which Lambda keeps
 * 100 unreserved: every aliased route at its max must fit in the rest.
 */
function checkProvisionedConcurrency(
  { scaling: { api }, capacity }: Pick<ThroughlineSettings, 'scaling' | 'capacity'>,
  issue: Issue,
): void {
  const quota = capacity?.limits?.lambdaConcurrency ?? DEFAULT_LAMBDA_CONCURRENCY;
  const available = quota - UNRESERVED_LAMBDA_CONCURRENCY;
  const why = `the account's Lambda concurrency (${quota}, capacity.limits.lambdaConcurrency) less the ${UNRESERVED_LAMBDA_CONCURRENCY} Lambda keeps unreserved`;
  if (api.max > available) issue(['scaling', 'api', 'max'], api.max, `must be at most ${available}: ${why}`);
  for (const [i, s] of api.schedules.entries())
    for (const bound of ['min', 'max'] as const) {
      const value = s[bound];
      if (value !== undefined && value > available)
        issue(['scaling', 'api', 'schedules', i, bound], value, `must be at most ${available}: ${why}`);
    }
  const total = api.routes.length * api.max;
  if (api.max <= available && total > available)
    issue(
      ['scaling', 'api', 'routes'],
      api.routes,
      `${api.routes.length} routes at max ${api.max} would provision ${total}; at most ${available} fit: ${why}`,
    );
}
