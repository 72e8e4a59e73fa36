import { ThroughlineError } from '../model/errors';
import type { LiveStatus } from '../model/live';
import type { TestResults, TestStatus } from '../model/results';

/** The performance API as a client sees it (the CLI's `run --api`); adapters/node/api-client.ts speaks it over HTTPS. */

/** The `live` figures of `GET /performance/tests/{id}` (schema: liveSchema): LiveStatus with API names. */
export type RemoteLive = Omit<LiveStatus, 'atRisk'> & { readonly thresholdsAtRisk: LiveStatus['atRisk'] };

/** The parts of a test resource (schema: testResourceSchema) the CLI reads. */
export interface RemoteTest {
  readonly id: string;
  readonly name: string;
  readonly status: TestStatus;
  readonly phase: string;
  readonly live?: RemoteLive;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface PerformanceApi {
  /** The absolute URL of a test resource. */
  testUrl(id: string): string;
  /** POST /performance/tests; retries are safe: the key makes the API return the first test. */
  createTest(submission: unknown, idempotencyKey: string): Promise<{ test: RemoteTest; replayed: boolean }>;
  getTest(id: string): Promise<RemoteTest>;
  /** DELETE /performance/tests/{id}: asks the workers to stop. */
  cancelTest(id: string): Promise<RemoteTest>;
  /** The results JSON of a finished test. */
  getResults(id: string): Promise<TestResults>;
}

/** An error answer of the API (`{"error": {code, message, details}}`), or a reply that is not the API's. */
export class ApiError extends ThroughlineError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, { details });
    this.name = 'ApiError';
  }
}
