import type { TestDefinition } from '../model/definition';
import type { TargetPolicy } from '../model/target-policy';
import type { PlanItem } from './run-store';

/** What one worker runs: its segment of the validated test (built by the segment worker). */
export interface WorkerJob {
  /** The definition validated at submission, every default applied. */
  readonly definition: TestDefinition;
  /** "k/n:(k+1)/n" style execution segment. */
  readonly segment: string;
  readonly worker: number;
  /** Common start instant, epoch ms. */
  readonly startAtMs: number;
  /** When set, every connection is checked against this allow-list (platform runs; the CLI sets none). */
  readonly targets?: TargetPolicy;
}

/**
 * Fan-out port of the local coordinator: runs one segment worker (core/run/segment-worker.ts) per
 * plan item somewhere (worker threads locally; on AWS the state machine's Distributed Map does this).
 * A worker's windows and report reach the run store, never this port.
 */
export interface WorkerFanout {
  start(items: readonly PlanItem[]): FanoutRun;
}

export interface FanoutRun {
  /** Resolves once every worker has ended, however it ended (a lost worker simply never reports). */
  readonly ended: Promise<void>;
  /** Gives the workers still running `graceMs` to end, then ends them (they are lost); resolves when all are gone. */
  close(graceMs: number): Promise<void>;
}
