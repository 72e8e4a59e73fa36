// The performance API as data: every route, the handler entry file behind it, and exactly the
// access that handler gets. PerformanceApi turns this table into resources, methods and grants.

/**
 * Access a handler gets to the test table: `read` (records and indexes); `submit`, what creating a
 * test calls (GetItem, PutItem, UpdateItem on records, Query on the indexes); `flag`, what
 * cancelling calls (GetItem and UpdateItem of one record). No handler may Scan, delete or batch.
 */
export type TestsAccess = 'none' | 'read' | 'submit' | 'flag';
/** Access a handler gets to the results bucket. */
export type ResultsAccess = 'none' | 'read';
/**
 * What an operations handler does beyond tests and results; the grants and the environment of
 * each are the business of the observability and scaling constructs (see OperationAccess).
 */
export type Operation =
  | 'readMetrics'
  | 'readAlarms'
  | 'readScalingStatus'
  | 'readScalingHistory'
  | 'configureScaling'
  | 'scaleManually'
  | 'invalidateCache';

export interface RouteSpec {
  /** Construct id of the handler. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/performance`. */
  readonly path: string;
  /** Further paths (same method) the same handler serves, e.g. `metrics/{group}` beside `metrics`. */
  readonly additionalPaths?: readonly string[];
  /** File name in lambdas/entrypoints/lambda/. */
  readonly entry: string;
  readonly description: string;
  readonly tests: TestsAccess;
  readonly results: ResultsAccess;
  /** Whether the handler starts the distributed run (the state machine). */
  readonly startsRun: boolean;
  /** JSON-schema model API Gateway checks the request body against, if any. */
  readonly bodyModel?: 'createTest';
  /** The operations handler this is, if it is one. */
  readonly operation?: Operation;
  /**
   * Whether the handler uses the shared cache tier (L3): with the cache deployed it runs in the
   * cache's VPC with its endpoint and AUTH token (ADR 006).
   */
  readonly cache?: boolean;
}

const operation = (
  id: string,
  method: RouteSpec['method'],
  path: string,
  entry: string,
  description: string,
  op: Operation,
): RouteSpec => ({
  id,
  method,
  path,
  entry,
  description,
  tests: 'none',
  results: 'none',
  startsRun: false,
  operation: op,
});

export const API_BASE_PATH = 'performance';

export const ROUTES: readonly RouteSpec[] = [
  {
    id: 'CreateTest',
    method: 'POST',
    path: 'tests',
    entry: 'create-test.ts',
    description: 'start a load test',
    tests: 'submit',
    results: 'none',
    startsRun: true,
    bodyModel: 'createTest',
  },
  {
    id: 'ListTests',
    method: 'GET',
    path: 'tests/history',
    entry: 'list-tests.ts',
    description: 'list past tests',
    tests: 'read',
    results: 'none',
    startsRun: false,
    cache: true,
  },
  {
    id: 'GetTest',
    method: 'GET',
    path: 'tests/{id}',
    entry: 'get-test.ts',
    description: 'live status of a test',
    tests: 'read',
    results: 'none',
    startsRun: false,
    cache: true,
  },
  {
    id: 'GetResults',
    method: 'GET',
    path: 'tests/{id}/results',
    entry: 'get-results.ts',
    description: 'final results of a test',
    tests: 'read',
    results: 'read',
    startsRun: false,
    cache: true,
  },
  {
    id: 'CancelTest',
    method: 'DELETE',
    path: 'tests/{id}',
    entry: 'cancel-test.ts',
    description: 'cancel a running test',
    // Cancelling sets the test's stop flag; the workers stop and the execution ends by itself
    // after storing the results so far (ADR 003), so no Step Functions permission is needed.
    tests: 'flag',
    results: 'none',
    startsRun: false,
  },
  {
    id: 'OpenApi',
    method: 'GET',
    path: 'openapi.json',
    entry: 'openapi.ts',
    description: 'the OpenAPI document of this API',
    tests: 'none',
    results: 'none',
    startsRun: false,
  },
  {
    ...operation('GetMetrics', 'GET', 'metrics', 'get-metrics.ts', 'current metrics', 'readMetrics'),
    // One handler for the overview and each group (cpu, memory, network, database).
    additionalPaths: ['metrics/{group}'],
    // Not on the cache tier (ADR 006): its environment is the largest (THROUGHLINE_MONITORED), and
    // from the VPC it would need a CloudWatch endpoint for answers that are one-minute data anyway.
  },
  operation('ListAlarms', 'GET', 'alarms', 'list-alarms.ts', 'alarms of this deployment', 'readAlarms'),
  operation(
    'GetScalingStatus',
    'GET',
    'scaling/status',
    'get-scaling-status.ts',
    'capacity and policies of every scalable target',
    'readScalingStatus',
  ),
  operation(
    'PutScalingConfig',
    'PUT',
    'scaling/config',
    'put-scaling-config.ts',
    'change limits, target values, cooldowns and schedules',
    'configureScaling',
  ),
  operation(
    'PostScalingManual',
    'POST',
    'scaling/manual',
    'post-scaling-manual.ts',
    'set capacity by hand',
    'scaleManually',
  ),
  operation(
    'GetScalingHistory',
    'GET',
    'scaling/history',
    'get-scaling-history.ts',
    'scaling activities and manual changes',
    'readScalingHistory',
  ),
  {
    id: 'GetCacheStats',
    method: 'GET',
    path: 'cache/stats',
    entry: 'get-cache-stats.ts',
    description: 'hit rates, evictions and sizes of the cache tiers',
    tests: 'none',
    results: 'none',
    startsRun: false,
    cache: true,
  },
  {
    ...operation(
      'PostCacheInvalidations',
      'POST',
      'cache/invalidations',
      'post-cache-invalidations.ts',
      'invalidate cached keys, patterns, tags and CDN paths',
      'invalidateCache',
    ),
    cache: true,
  },
  {
    id: 'PostCacheWarm',
    method: 'POST',
    path: 'cache/warm',
    entry: 'post-cache-warm.ts',
    description: 'load tests and results into the cache before they are asked for',
    tests: 'read',
    results: 'read',
    startsRun: false,
    cache: true,
  },
];

/** Every path of a route below `/performance`. */
export const pathsOf = (route: RouteSpec): readonly string[] => [
  route.path,
  ...(route.additionalPaths ?? []),
];

/** `GetTest` → `get-test`: the route's part of function names and scalable target ids. */
export const kebabOf = (routeId: string): string =>
  routeId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * The fixed name of a route's function, `<stack>-<route>` (e.g. `Throughline-get-test`), at most
 * Lambda's 64 characters. Fixed rather than generated because other functions' environments name it
 * (THROUGHLINE_MONITORED, THROUGHLINE_SCALABLE_TARGETS), the metrics handler's its own: a generated
 * name is a reference, and a function cannot reference itself.
 */
export function apiFunctionName(stackName: string, routeId: string): string {
  const suffix = kebabOf(routeId);
  return `${stackName.slice(0, 63 - suffix.length)}-${suffix}`;
}
