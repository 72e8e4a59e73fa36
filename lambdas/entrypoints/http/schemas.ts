import { z } from 'zod';
import { PLATFORM_ERROR_CODES } from '../../core/tests/errors';
import { presetSubmissionSchema } from '../../core/tests/submission';
import { testDefinitionSchema } from '../../model/definition';
import { TEST_STATUSES } from '../../model/results';

/** Requests and responses of the test API, defined once: handlers parse with them, OpenAPI is generated from them. */

export const ERROR_CODES = [
  ...PLATFORM_ERROR_CODES,
  'E_INVALID_DEFINITION',
  'E_INVALID_CURSOR',
  'E_INVALID_JSON',
  'E_UNSUPPORTED_MEDIA_TYPE',
  'E_NOT_ACCEPTABLE',
  'E_PAYLOAD_TOO_LARGE',
  'E_HEADERS_TOO_LARGE',
  'E_NOT_FOUND',
  'E_METHOD_NOT_ALLOWED',
  'E_INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error body; `errorOf(codes)` is the same body limited to the codes one answer can carry. */
export const errorOf = (codes: readonly [ErrorCode, ...ErrorCode[]]) =>
  z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  });
export const errorSchema = errorOf(ERROR_CODES).meta({ id: 'Error' });

export const createTestBodySchema = z.union([testDefinitionSchema, presetSubmissionSchema]).meta({
  id: 'TestSubmission',
  description: 'A test definition (k6-style), or a preset with its target.',
});

/** Retries with the same key return the first test (visible ASCII, like a token). */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** Request bodies the OpenAPI document shows (on the media type: zod drops `examples` of a transforming schema). */
export const createTestExamples = {
  smoke: {
    summary: 'A preset against a local target',
    value: { preset: 'smoke', target: 'http://127.0.0.1:8080/', duration: '10s' },
  },
  definition: {
    summary: 'A definition: an open-model scenario with checks and thresholds',
    value: {
      name: 'checkout',
      baseUrl: 'http://127.0.0.1:8080',
      scenarios: {
        buy: {
          executor: 'constant-arrival-rate',
          rate: 5,
          timeUnit: '1s',
          duration: '10s',
          preAllocatedVUs: 2,
          requests: [{ name: 'home', method: 'GET', path: '/', checks: [{ status: 200 }] }],
        },
      },
      thresholds: { http_req_duration: ['p(95)<250'], http_req_failed: ['rate<0.01'] },
    },
  },
};

export const createQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: validate and return the plan and its cost, run nothing'),
});

export const planSchema = z
  .object({
    runtime: z.enum(['lambda', 'fargate']),
    workers: z.number(),
    perWorker: z.object({ vus: z.number(), rps: z.number() }),
    peak: z.object({ vus: z.number(), rps: z.number(), durationMs: z.number() }),
    sizedBy: z.enum(['vus', 'rps', 'minimum']),
    fanOutMs: z.number(),
    startAtMs: z.number(),
    map: z.object({ maxConcurrency: z.number() }),
    segments: z.array(z.string()),
    cost: z.object({
      computeUsd: z.number(),
      requestsUsd: z.number(),
      stepFunctionsUsd: z.number(),
      storageRequestsUsd: z.number(),
      totalUsd: z.number(),
      assumptions: z.string(),
    }),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'Plan' });

export const dryRunSchema = z.object({ dryRun: z.literal(true), plan: planSchema }).meta({ id: 'DryRun' });

export const testIdSchema = z.string().regex(/^[\w-]{1,64}$/, 'is not a test id');

const thresholdResult = z.object({
  metric: z.string(),
  expression: z.string(),
  ok: z.boolean(),
  value: z.number(),
  abortOnFail: z.boolean(),
});

export const liveSchema = z
  .object({
    elapsedMs: z.number(),
    plannedMs: z.number(),
    progress: z.number().describe('0–1 of the planned duration'),
    vus: z.number(),
    rps: z.number().describe('requests in the last complete second'),
    p95Ms: z.number().describe('p95 latency of the last complete second'),
    p95SoFarMs: z.number().describe('p95 latency of every request so far'),
    requests: z.number(),
    errors: z.number(),
    errorRate: z.number(),
    droppedIterations: z.number(),
    thresholdsAtRisk: z.array(thresholdResult),
    workers: z.object({ running: z.number(), failed: z.number() }),
  })
  .meta({ id: 'LiveStatus' });

export const testResourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(TEST_STATUSES),
    phase: z
      .enum(['queued', 'starting', 'running', 'stopping', 'aggregating', 'finished'])
      .describe(
        'stopping: the workers are ending (lost ones up to their timeout); aggregating: the results are being merged',
      ),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    startedAt: z.iso.datetime().optional(),
    endedAt: z.iso.datetime().optional(),
    tags: z.record(z.string(), z.string()),
    baselineId: z.string().optional(),
    cancelRequested: z.boolean(),
    live: liveSchema.optional(),
    summary: z
      .object({
        requests: z.number(),
        errorRate: z.number(),
        rps: z.number(),
        p95Ms: z.number(),
        thresholdsFailed: z.number(),
        regressions: z.number(),
      })
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    links: z.object({ self: z.string(), results: z.string(), cancel: z.string() }),
  })
  .meta({ id: 'Test' });

export const historyQuerySchema = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  status: z.enum(TEST_STATUSES).optional(),
  tag: z
    .string()
    // No `.`: JavaScript's stops at line breaks, other engines' (the schema's readers) do not.
    .regex(/^[^:]+:/, 'is key:value')
    .optional()
    .describe('key:value'),
  from: z.iso.datetime({ offset: true }).optional().describe('created at or after (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('created before (ISO 8601)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,2048}$/, 'is a nextCursor of an earlier page')
    .optional()
    .describe("the previous page's nextCursor (base64url)"),
});

export const historySchema = z
  .object({ items: z.array(testResourceSchema), nextCursor: z.string().optional() })
  .meta({ id: 'History' });

export const RESULT_FORMATS = ['json', 'csv', 'html', 'junit'] as const;
export const resultsQuerySchema = z.strictObject({
  format: z.enum(RESULT_FORMATS).optional(),
  table: z.enum(['requests', 'timeseries']).default('requests').describe('which CSV table'),
});

export const resultsSchema = z
  .object({
    name: z.string(),
    status: z.enum(TEST_STATUSES),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number(),
    totals: z.record(z.string(), z.unknown()),
    latencyMs: z.record(z.string(), z.number()),
    byRequest: z.array(z.record(z.string(), z.unknown())),
    thresholds: z.array(thresholdResult),
    timeseries: z.array(z.record(z.string(), z.unknown())),
    workers: z.record(z.string(), z.unknown()),
    comparison: z.record(z.string(), z.unknown()).optional(),
    capacity: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "a stepped run's plateaus (offered, achieved, latency, concurrency, sustained), USL fit and maxSustainableRps",
      ),
  })
  .loose()
  .meta({ id: 'Results', description: 'The results document (DESIGN.md §3).' });
