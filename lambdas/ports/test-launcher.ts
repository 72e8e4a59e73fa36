import type { TestRecord } from './test-store';

/** Starts and stops the execution of stored tests (worker threads locally, Lambda or Step Functions on AWS). */
export interface TestLauncher {
  /** Begins running a stored `queued` test in the background; resolves once it is handed off. */
  launch(test: TestRecord): Promise<void>;
  /** Asks a running test to stop now; its workers quiesce within 5 s and results so far are kept. */
  cancel(id: string): Promise<void>;
  /**
   * Whether the runtime is still running this test (its execution, its local pipeline); false when
   * it never did or has ended. Rejects when it cannot tell: a caller then judges nothing.
   */
  isRunning(id: string): Promise<boolean>;
}
