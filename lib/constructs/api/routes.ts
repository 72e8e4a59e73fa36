// The performance API as data: every route, the handler entry file behind it, and exactly the
// access that handler gets. PerformanceApi turns this table into resources, methods and grants.

/** Access a handler gets to the test table. */
export type TestsAccess = 'none' | 'read' | 'readWrite';
/** Access a handler gets to the results bucket. */
export type ResultsAccess = 'none' | 'read';

export interface RouteSpec {
  /** Construct id of the handler. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path below `/performance`. */
  readonly path: string;
  /** File name in lambdas/entrypoints/lambda/. */
  readonly entry: string;
  readonly description: string;
  readonly tests: TestsAccess;
  readonly results: ResultsAccess;
  /** Whether the handler starts the distributed run (the state machine). */
  readonly startsRun: boolean;
  /** JSON-schema model API Gateway checks the request body against, if any. */
  readonly bodyModel?: 'createTest';
}

export const API_BASE_PATH = 'performance';

export const ROUTES: readonly RouteSpec[] = [
  {
    id: 'CreateTest',
    method: 'POST',
    path: 'tests',
    entry: 'create-test.ts',
    description: 'start a load test',
    tests: 'readWrite',
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
  },
  {
    id: 'CancelTest',
    method: 'DELETE',
    path: 'tests/{id}',
    entry: 'cancel-test.ts',
    description: 'cancel a running test',
    // Cancelling sets the test's stop flag; the workers stop and the execution ends by itself
    // after storing the results so far (ADR 003), so no Step Functions permission is needed.
    tests: 'readWrite',
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
];
