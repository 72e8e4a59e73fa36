import { z } from 'zod';
import { DEFAULT_MAX_RESPONSE_BODY_BYTES } from './defaults';
import { parseDuration } from './duration';
import { ThroughlineError } from './errors';
import { headerProblem } from './headers';
import {
  caseInsensitive,
  durationJson,
  HTTP_URL_PATTERN,
  headersJson,
  MAX_DURATION_MS,
  PATH_OR_URL,
  PATHS_NEED_BASE_URL,
  REQUEST_URL_PATTERN,
  REQUESTS_OR_FLOWS,
  thresholdsJson,
} from './json-schema';
import type { ParsedThreshold } from './thresholds';

/**
 * The test definition: JSON or YAML modelled on k6 options (DESIGN.md §3). Field names follow k6
 * wherever k6 has one. Parsing yields durations in milliseconds and every default applied once.
 */

/**
 * Marks a problem of a definition that matches the published schema but cannot be run as written
 * (a 422, not a 400): a rule JSON Schema cannot state, such as one field bounded by another.
 */
export const UNPROCESSABLE = { unprocessable: true } as const;

/** Timers hold at most 2^31 - 1 ms; longer waits would fire at once. */
const duration = (what = 'a duration') =>
  z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not ${what}` });
        return z.NEVER;
      }
      if (ms > MAX_DURATION_MS) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(value)} is longer than 24 days, the longest we schedule`,
          params: UNPROCESSABLE,
        });
        return z.NEVER;
      }
      return ms;
    })
    .meta(durationJson());
const positiveDuration = duration()
  .refine((ms) => ms > 0, 'must be longer than 0')
  .meta(durationJson(true));
const count = z.number().int('must be a whole number').nonnegative('must not be negative');
const positiveCount = count.min(1, 'must be at least 1');
const name = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const stringMatch = {
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  contains: z.string().optional(),
  matches: z.string().optional(),
  exists: z.boolean().optional(),
};
const checkSchema = z.union([
  z.strictObject({
    name: name.optional(),
    status: z.union([z.number().int(), z.array(z.number().int()).min(1), z.string().regex(/^[1-5]xx$/)]),
  }),
  z.strictObject({ name: name.optional(), header: z.string().min(1), ...stringMatch }),
  z.strictObject({ name: name.optional(), body: z.literal(true), ...stringMatch }),
  z.strictObject({
    name: name.optional(),
    json: z.string().min(1),
    ...stringMatch,
    lt: z.number().optional(),
    gt: z.number().optional(),
  }),
  z.strictObject({ name: name.optional(), maxDuration: duration() }),
]);
const captureSchema = z.union([
  z.strictObject({ json: z.string().min(1) }),
  z.strictObject({ header: z.string().min(1) }),
  z.strictObject({ regex: z.string().min(1), group: count.optional() }),
]);
const thinkTime = z.union([duration(), z.strictObject({ min: duration(), max: duration() })]);

const requestSchema = z
  .strictObject({
    name: name.optional(),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }))
      .meta({ pattern: caseInsensitive(HTTP_METHODS) })
      .optional(),
    path: z.string().startsWith('/', 'must start with "/"').optional(),
    url: z.string().meta({ pattern: REQUEST_URL_PATTERN, maxLength: 2048 }).optional(),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    headers: z
      .record(z.string(), z.string())
      .superRefine((headers, ctx) => {
        for (const [key, value] of Object.entries(headers)) {
          const message = headerProblem(key, value);
          if (message) ctx.addIssue({ code: 'custom', path: [key], message });
        }
      })
      .meta(headersJson)
      .optional(),
    body: z.unknown().optional(),
    checks: z.array(checkSchema).optional(),
    capture: z
      .record(z.string().regex(/^\w+$/, 'capture names are letters, digits and _'), captureSchema)
      .optional(),
    thinkTime: thinkTime.optional(),
    timeout: positiveDuration.optional(),
  })
  .meta(PATH_OR_URL);
const stage = z.strictObject({ duration: duration(), target: count });
const flowSchema = z.strictObject({
  name: name.optional(),
  weight: z.number().positive('must be above 0').default(1),
  requests: z.array(requestSchema).min(1, 'needs at least one request'),
});
const common = {
  startTime: duration().default(0),
  gracefulStop: duration().default(30_000),
  thinkTime: thinkTime.optional(),
  requests: z.array(requestSchema).min(1, 'needs at least one request').optional(),
  flows: z.array(flowSchema).min(1, 'needs at least one flow').optional(),
  tags: z.record(z.string(), z.string()).optional(),
};
const executorSchema = z.discriminatedUnion(
  'executor',
  [
    z
      .strictObject({
        executor: z.literal('constant-vus'),
        vus: positiveCount.default(1),
        duration: positiveDuration,
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
    z
      .strictObject({
        executor: z.literal('ramping-vus'),
        startVUs: count.default(1),
        stages: z.array(stage).min(1, 'needs at least one stage'),
        gracefulRampDown: duration().default(30_000),
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
    z
      .strictObject({
        executor: z.literal('constant-arrival-rate'),
        rate: z.number().positive('must be above 0'),
        timeUnit: positiveDuration.default(1_000),
        duration: positiveDuration,
        preAllocatedVUs: positiveCount,
        maxVUs: positiveCount.optional(),
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
    z
      .strictObject({
        executor: z.literal('ramping-arrival-rate'),
        startRate: z.number().nonnegative().default(0),
        timeUnit: positiveDuration.default(1_000),
        stages: z
          .array(stage.extend({ target: z.number().nonnegative() }))
          .min(1, 'needs at least one stage'),
        preAllocatedVUs: positiveCount,
        maxVUs: positiveCount.optional(),
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
    z
      .strictObject({
        executor: z.literal('per-vu-iterations'),
        vus: positiveCount.default(1),
        iterations: positiveCount.default(1),
        maxDuration: positiveDuration.default(600_000),
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
    z
      .strictObject({
        executor: z.literal('shared-iterations'),
        vus: positiveCount.default(1),
        iterations: positiveCount.default(1),
        maxDuration: positiveDuration.default(600_000),
        ...common,
      })
      .meta(REQUESTS_OR_FLOWS),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `"executor" must be one of constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, per-vu-iterations, shared-iterations`
        : undefined,
  },
);

const thresholdEntry = z.union([
  z.string(),
  z.strictObject({
    threshold: z.string(),
    abortOnFail: z.boolean().default(false),
    delayAbortEval: duration().default(0),
  }),
]);

/** A target: an http(s) URL without credentials (a preset's `target`, a definition's `baseUrl`). */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .meta({ pattern: HTTP_URL_PATTERN, maxLength: 2048 });
export const tagsSchema = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 20, 'at most 20 tags')
  .meta({ maxProperties: 20 });
/** Compare with: a test id, or "previous" (the latest finished run with the same name). */
export const baselineSchema = z.string().regex(/^(previous|[\w-]{1,64})$/, 'is "previous" or a test id');

export const testDefinitionSchema = z
  .strictObject({
    name: name.default('unnamed'),
    baseUrl: httpUrlSchema.optional(),
    scenarios: z
      .record(
        z.string().regex(/^[\w.-]+$/, 'scenario names are letters, digits, ".", "-" and "_"'),
        executorSchema,
      )
      .refine((s) => Object.keys(s).length > 0, 'needs at least one scenario')
      .meta({ minProperties: 1 }),
    thresholds: z.record(z.string(), z.array(thresholdEntry).min(1)).meta(thresholdsJson()).default({}),
    tags: tagsSchema.optional(),
    baseline: baselineSchema.optional(),
    /** `fail`: a statistically significant regression against the baseline fails the test. */
    regression: z.enum(['warn', 'fail']).default('warn'),
    timeout: positiveDuration.default(60_000),
    connectTimeout: positiveDuration.default(10_000),
    insecureSkipTLSVerify: z.boolean().default(false),
    /** Accepted for k6 compatibility; bodies are only ever kept when a check or capture reads them. */
    discardResponseBodies: z.boolean().default(false),
    /**
     * Largest response body kept for a check or capture (k6 has no such option; named like its
     * others). A larger one fails that request (kind "other") instead of growing the worker's memory.
     */
    maxResponseBodyBytes: positiveCount.default(DEFAULT_MAX_RESPONSE_BODY_BYTES),
  })
  .meta(PATHS_NEED_BASE_URL);

export type RawTestDefinition = z.input<typeof testDefinitionSchema>;
type Parsed = z.output<typeof testDefinitionSchema>;
export type ParsedScenario = Parsed['scenarios'][string];
export type ExecutorConfig = ParsedScenario;
export type ExecutorName = ParsedScenario['executor'];
export type RequestStep = z.output<typeof requestSchema>;
export type Check = z.output<typeof checkSchema>;
export type Capture = z.output<typeof captureSchema>;
export type ThinkTime = z.output<typeof thinkTime>;

export interface Flow {
  readonly name: string;
  readonly weight: number;
  readonly requests: readonly RequestStep[];
}
type WithFlows<S> = S extends unknown ? Omit<S, 'flows'> & { readonly flows: readonly Flow[] } : never;
/** A scenario after validation: `requests` or `flows` normalized into weighted flows. */
export type Scenario = WithFlows<ParsedScenario>;
export interface ThresholdSpec {
  readonly threshold: string;
  readonly abortOnFail: boolean;
  readonly delayAbortEval: number;
}
export type TestDefinition = Omit<Parsed, 'scenarios' | 'thresholds'> & {
  readonly scenarios: Readonly<Record<string, Scenario>>;
  readonly thresholds: Readonly<Record<string, readonly ThresholdSpec[]>>;
};

export interface DefinitionProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown for a definition that does not validate; lists every problem with its path. `unprocessable`:
 * the definition matches the published schema, and only rules it cannot state failed (HTTP 422).
 */
export class InvalidDefinitionError extends ThroughlineError {
  declare readonly code: 'E_INVALID_DEFINITION';
  readonly unprocessable: boolean;
  constructor(
    readonly problems: readonly DefinitionProblem[],
    options: { readonly unprocessable?: boolean } = {},
  ) {
    super(
      'E_INVALID_DEFINITION',
      `invalid test definition:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
      { details: { problems } },
    );
    this.name = 'InvalidDefinitionError';
    this.unprocessable = options.unprocessable ?? false;
  }
}

/** A key holding control characters (a header name with CR/LF) is quoted, so the message stays one line. */
const pathKey = (part: PropertyKey): string => {
  const text = String(part);
  return /[^\x20-\x7e\u00a0-\uffff]/.test(text) ? JSON.stringify(text) : text;
};

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${pathKey(part)}`))
    .join('');
}

/** A definition that passed validation, every default applied (what every stage after submission reads). */
export interface ValidDefinition {
  readonly definition: TestDefinition;
  readonly thresholds: readonly ParsedThreshold[];
}
