import type { z } from 'zod';
import {
  cacheInvalidationSchema,
  cacheStatsSchema,
  cacheWarmSchema,
  invalidatedSchema,
  warmedSchema,
} from './cache-schemas';
import {
  alarmsQuerySchema,
  alarmsSchema,
  manualScalingSchema,
  metricsAnswerSchema,
  metricsQuerySchema,
  metricsSummarySchema,
  scalingChangeSchema,
  scalingConfigSchema,
  scalingHistoryQuerySchema,
  scalingHistorySchema,
  scalingStatusSchema,
} from './ops-schemas';
import {
  createQuerySchema,
  createTestBodySchema,
  createTestExamples,
  dryRunSchema,
  type ErrorCode,
  errorOf,
  errorSchema,
  historyQuerySchema,
  historySchema,
  idempotencyKeySchema,
  resultsQuerySchema,
  resultsSchema,
  testResourceSchema,
} from './schemas';

/** Every route of the API, once: the local server dispatches on it and OpenAPI is generated from it. */

export type HandlerName =
  | 'createTest'
  | 'listTests'
  | 'getTest'
  | 'getResults'
  | 'cancelTest'
  | 'openApi'
  | 'metricsSummary'
  | 'metricsGroup'
  | 'listAlarms'
  | 'scalingStatus'
  | 'scalingConfig'
  | 'scalingManual'
  | 'scalingHistory'
  | 'cacheStats'
  | 'cacheInvalidations'
  | 'cacheWarm';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway style template: `{name}` is a path parameter. */
  readonly path: string;
  readonly handler: HandlerName;
  readonly summary: string;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Named example bodies for the document. */
  readonly examples?: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
  readonly headers?: readonly {
    readonly name: string;
    readonly description: string;
    readonly schema: z.ZodType;
  }[];
  /** Status → schema (or media types for non-JSON bodies). */
  readonly responses: Readonly<
    Record<
      number,
      { readonly description: string; readonly schema?: z.ZodType; readonly media?: readonly string[] }
    >
  >;
}

/**
 * An error answer. A 422 lists its codes: it is the answer for a request its schema allows but that
 * cannot be carried out now or here (a quota, a cursor this store did not issue, a window the source
 * cannot answer), so the fuzz test accepts it from schema-valid data, and only with these codes.
 */
const err = (description: string, codes?: readonly [ErrorCode, ...ErrorCode[]]) => ({
  description,
  schema: codes ? errorOf(codes) : errorSchema,
});

const WINDOW_REFUSED =
  'A window this source cannot answer: start not before end, longer than 455 days, starting over 455 days ago or ending over 5 min from now, a period under the source’s shortest or giving over 1,440 points';

export const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/performance/tests',
    handler: 'createTest',
    summary: 'Start a load test from a definition or a preset (or, with dryRun=true, only plan it)',
    query: createQuerySchema,
    body: createTestBodySchema,
    examples: createTestExamples,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Retries with the same key return the first test.',
        schema: idempotencyKeySchema,
      },
    ],
    responses: {
      200: {
        description: 'dryRun=true: the plan and its estimated cost; nothing was stored or run',
        schema: dryRunSchema,
      },
      202: { description: 'Accepted; the test is queued', schema: testResourceSchema },
      400: err('Bad JSON or an invalid definition (every problem listed)'),
      403: err('A target is outside the allow-list'),
      415: err('Not application/json'),
      422: err(
        'Over a quota, unknown baseline, Idempotency-Key reused with another definition, or a definition that matches the schema but breaks a rule it cannot state (a regular expression RE2 cannot compile, maxVUs below preAllocatedVUs, a duration over 24 days)',
        ['E_INVALID_DEFINITION', 'E_QUOTA_EXCEEDED', 'E_BASELINE_NOT_FOUND', 'E_IDEMPOTENCY_CONFLICT'],
      ),
      429: err('Too many tests running'),
    },
  },
  {
    method: 'GET',
    path: '/performance/tests/history',
    handler: 'listTests',
    summary: 'Tests, newest first, filtered and paginated',
    query: historyQuerySchema,
    responses: {
      200: { description: 'One page', schema: historySchema },
      400: err('Bad filter, or a cursor that is not base64url'),
      422: err('A cursor this store did not issue', ['E_INVALID_CURSOR']),
    },
  },
  {
    method: 'GET',
    path: '/performance/tests/{id}',
    handler: 'getTest',
    summary: 'Status and live figures of a test',
    responses: { 200: { description: 'The test', schema: testResourceSchema }, 404: err('No such test') },
  },
  {
    method: 'GET',
    path: '/performance/tests/{id}/results',
    handler: 'getResults',
    summary: 'Results as JSON, CSV, HTML or JUnit (format= or Accept)',
    query: resultsQuerySchema,
    responses: {
      200: {
        description: 'The results',
        schema: resultsSchema,
        media: ['text/csv', 'text/html', 'application/xml'],
      },
      404: err('No such test, or it ended without results'),
      406: err('No acceptable format'),
      409: err('The test is still running'),
    },
  },
  {
    method: 'DELETE',
    path: '/performance/tests/{id}',
    handler: 'cancelTest',
    summary: 'Cancel a test; workers stop within 5 s and results so far are kept',
    responses: {
      200: { description: 'Already cancelled', schema: testResourceSchema },
      202: { description: 'Stopping', schema: testResourceSchema },
      404: err('No such test'),
      409: err('The test already ended'),
    },
  },
  {
    method: 'GET',
    path: '/performance/openapi.json',
    handler: 'openApi',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
  {
    method: 'GET',
    path: '/performance/metrics',
    handler: 'metricsSummary',
    summary:
      'Latest value and range of every metric series (CloudWatch on AWS, this process and machine locally)',
    query: metricsQuerySchema,
    responses: {
      200: { description: 'Summary', schema: metricsSummarySchema },
      400: err('A time, period or statistic not in one of its forms'),
      422: err(WINDOW_REFUSED, ['E_INVALID_WINDOW']),
    },
  },
  {
    method: 'GET',
    path: '/performance/metrics/{group}',
    handler: 'metricsGroup',
    summary: 'Time series of one group: cpu, memory, network or database',
    query: metricsQuerySchema,
    responses: {
      200: { description: 'Series over the window', schema: metricsAnswerSchema },
      400: err('A time, period or statistic not in one of its forms'),
      422: err(WINDOW_REFUSED, ['E_INVALID_WINDOW']),
      404: err('No such group'),
    },
  },
  {
    method: 'GET',
    path: '/performance/alarms',
    handler: 'listAlarms',
    summary: 'State of every alarm of this deployment (rules over the process and machine locally)',
    query: alarmsQuerySchema,
    responses: { 200: { description: 'Alarms, those in ALARM first', schema: alarmsSchema } },
  },
  {
    method: 'GET',
    path: '/performance/scaling/status',
    handler: 'scalingStatus',
    summary: 'Scalable targets: current, desired, min, max, policies, schedules, activities in progress',
    responses: { 200: { description: 'Every target', schema: scalingStatusSchema } },
  },
  {
    method: 'PUT',
    path: '/performance/scaling/config',
    handler: 'scalingConfig',
    summary: "Set a target's range, target value, cooldowns and schedules (checked against AWS limits)",
    body: scalingConfigSchema,
    responses: {
      200: { description: 'Applied and recorded', schema: scalingChangeSchema },
      400: err('Invalid change (every problem listed)'),
      404: err('No such target'),
      415: err('Not application/json'),
    },
  },
  {
    method: 'POST',
    path: '/performance/scaling/manual',
    handler: 'scalingManual',
    summary: 'Set a capacity now, with a reason; it holds until the next configuration',
    body: manualScalingSchema,
    responses: {
      200: { description: 'Applied and recorded', schema: scalingChangeSchema },
      400: err('Invalid capacity or missing reason'),
      404: err('No such target'),
      415: err('Not application/json'),
    },
  },
  {
    method: 'GET',
    path: '/performance/scaling/history',
    handler: 'scalingHistory',
    summary:
      'Scaling activities (with the reasons scaling did not happen) merged with manual and configuration changes',
    query: scalingHistoryQuerySchema,
    responses: {
      200: { description: 'Newest first', schema: scalingHistorySchema },
      400: err('Bad filter'),
      404: err('No such target'),
    },
  },
  {
    method: 'GET',
    path: '/performance/cache/stats',
    handler: 'cacheStats',
    summary:
      'Per tier: hits, misses, hit rate, evictions, compression savings, latency, breaker state; popular keys',
    responses: {
      200: { description: 'This instance’s view (L3 is shared)', schema: cacheStatsSchema },
      400: err('The cache is off'),
    },
  },
  {
    method: 'POST',
    path: '/performance/cache/invalidations',
    handler: 'cacheInvalidations',
    summary: 'Invalidate keys, patterns, tags (with their dependents) in every tier, and CDN paths',
    body: cacheInvalidationSchema,
    responses: {
      200: { description: 'What was invalidated where', schema: invalidatedSchema },
      400: err('Nothing to invalidate, or a bad path (every problem listed)'),
      415: err('Not application/json'),
    },
  },
  {
    method: 'POST',
    path: '/performance/cache/warm',
    handler: 'cacheWarm',
    summary: 'Load API paths (or the most requested ones) into the cache before they are asked for',
    body: cacheWarmSchema,
    responses: {
      200: { description: 'Each path and whether it is now cached', schema: warmedSchema },
      400: err('Nothing to warm, or a path outside the API'),
      415: err('Not application/json'),
    },
  },
];

/** Each path template once, the literal ones first: like API Gateway, `/tests/history` wins over `/tests/{id}`. */
const TEMPLATES = [...new Set(ROUTES.map((r) => r.path))]
  .map((path) => {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}/?$`,
    );
    return { path, names, pattern, routes: ROUTES.filter((r) => r.path === path) };
  })
  .sort((a, b) => a.names.length - b.names.length);

/**
 * Matches a method and path to a route and its path parameters; `allowed` lists the methods of
 * the resource when it exists but not with this method.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { allowed: readonly string[] } | undefined {
  for (const template of TEMPLATES) {
    const m = template.pattern.exec(path);
    if (!m) continue;
    const route = template.routes.find((r) => r.method === method);
    if (!route) return { allowed: template.routes.map((r) => r.method) };
    try {
      const pathParameters = Object.fromEntries(
        template.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]),
      );
      return { route, pathParameters };
    } catch {
      return undefined; // malformed percent-encoding matches no resource
    }
  }
  return undefined;
}
