import type { TestRecord } from './test-store';

/** Starts and stops the execution of stored tests (worker threads locally, Lambda or Step Functions on AWS). */
export interface TestLauncher {
  /** Begins running a stored `queued` test in the background; resolves once it is handed off. */
  launch(test: TestRecord): Promise<void>;
  /** Asks a running test to stop now; its workers quiesce within 5 s and results so far are kept. */
  cancel(id: string): Promise<void>;
}
