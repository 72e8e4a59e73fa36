// Deployment settings: the `throughline` block of cdk.json's context. Every default lives in the
// schema below and nowhere else; docs/configuration.md is the user-facing table of the same values
// (test/cdk/config.test.ts keeps the two in step).
import { z } from 'zod';
import { isAllowedTargetPattern } from './target-pattern';

/** Caps every load test is checked against before it runs (the handlers enforce them). */
export interface Quotas {
  /** Most virtual users (closed model) or pre-allocated + max VUs (open model) one test may use. */
  readonly maxVus: number;
  /** Most requests per second one test may ask for. */
  readonly maxRps: number;
  /** Longest test, stages and graceful stops included. Bounded by the 15-minute Lambda runner. */
  readonly maxDurationSeconds: number;
  /** Tests running at once; also the runner function's reserved concurrency. */
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
  /** Address alarm notifications go to. Validated now; the alarms that use it come with observability. */
  readonly alarmEmail?: string | undefined;
  /** Days results objects (and their noncurrent versions) are kept in S3. */
  readonly resultsRetentionDays: number;
  /** CloudWatch Logs retention for every log group the stack creates. */
  readonly logRetentionDays: number;
  readonly apiThrottle: ApiThrottle;
  /** What `cdk destroy` does to the table, buckets, log groups and key. */
  readonly removalPolicy: RemovalMode;
}

/** The context key the settings are read from: `cdk.json` → `context.throughline`. */
export const CONTEXT_KEY = 'throughline';

/**
 * A single Lambda runner has 900 s; keep a minute for start-up, result aggregation and the final
 * writes, so a test can never be killed by the timeout before its results are stored.
 */
export const MAX_TEST_DURATION_SECONDS = 840;

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
    maxVus: wholeNumber(1, 1_000_000).default(1000),
    maxRps: wholeNumber(1, 10_000_000).default(5000),
    maxDurationSeconds: wholeNumber(1, MAX_TEST_DURATION_SECONDS).default(780),
    // Reserved concurrency comes out of the account's regional pool (1,000 by default, of which
    // 100 must stay unreserved), so larger values cannot deploy on a default account.
    maxConcurrentTests: wholeNumber(1, 900).default(5),
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
  })
  .prefault({});
