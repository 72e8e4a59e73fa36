import type { TargetPolicy } from '../model/target-policy';
import type { WindowSnapshot } from '../model/window';

/** Fan-out port: runs one segment of a test somewhere (thread, process, Lambda, Fargate task). */

export interface WorkerJob {
  /** The definition as the user wrote it (plain data); each worker validates it again. */
  readonly definition: unknown;
  /** "k/n:(k+1)/n" style execution segment. */
  readonly segment: string;
  readonly worker: number;
  /** Common start instant, epoch ms. */
  readonly startAtMs: number;
  /** When set, every connection is checked against this allow-list (platform runs; the CLI sets none). */
  readonly targets?: TargetPolicy;
}

export interface WorkerEvents {
  onWindow(window: WindowSnapshot): void;
  /** The worker finished its segment (or stopped when asked). */
  onDone(outcome: { readonly startLagMs: number; readonly skippedIterations: number }): void;
  /** The worker died or could not run; windows it already sent stay valid. */
  onFailure(error: Error): void;
}

export interface WorkerHandle {
  /** Asks the worker to stop now; it still sends its last windows and then onDone. */
  stop(): void;
  /** Ends the worker at once (it sends nothing more); for one that does not stop when asked. */
  kill(): void;
}

export interface WorkerPool {
  start(job: WorkerJob, events: WorkerEvents): WorkerHandle;
}
