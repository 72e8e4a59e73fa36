import type { ValidDefinition } from '../model/definition';
import type { TargetPolicy } from '../model/target-policy';
import type { WindowSnapshot } from '../model/window';

/**
 * What the workers of one distributed run leave behind (S3 on AWS, files locally): one window
 * snapshot per worker per second, and one report per worker when it ends.
 */

/** How a worker's run went, beyond its windows: start, skips, resources, failure. */
export interface WorkerReport {
  readonly worker: number;
  readonly segment: string;
  readonly outcome: 'completed' | 'failed';
  /** ms the worker began after the common start. */
  readonly startLagMs: number;
  readonly skippedIterations: number;
  readonly windows: number;
  /** Peak figures sampled once a second while it ran. */
  readonly resources: {
    readonly cpuPercentMax: number;
    readonly cpuPercentMean: number;
    readonly rssMbMax: number;
    /** p99 event-loop delay: a busy worker sends late. */
    readonly eventLoopDelayP99Ms: number;
  };
  readonly error?: string;
}

export interface WindowPage {
  readonly windows: readonly WindowSnapshot[];
  /** Give it back to read only what was written since (it re-reads the last few seconds). */
  readonly position: string;
}

/** One worker's assignment in a distributed run (an item of the Step Functions Map). */
export interface PlanItem {
  readonly testId: string;
  readonly segment: string;
  readonly worker: number;
  /** The common start instant, epoch ms. */
  readonly startAtMs: number;
  /** How long the worker may take, start wait included (a Fargate task's timeout). */
  readonly timeoutSeconds: number;
}

/**
 * What every stage after submission reads instead of the definition as submitted: the test
 * validated once, with every default applied, and the allow-list its workers enforce.
 */
export interface RunSpec {
  readonly testId: string;
  readonly test: ValidDefinition;
  /** Checked by workers on every connection (platform runs); the CLI's own runs set none. */
  readonly targets?: TargetPolicy;
}

export interface RunStore {
  /** Stores the validated test of a run (written once, at submission). */
  putSpec(spec: RunSpec): Promise<void>;
  /** The stored spec, or undefined when none was written. */
  spec(testId: string): Promise<RunSpec | undefined>;
  /** Stores the plan's items (a JSON array, what the Map reads); replaces an earlier plan. */
  putPlanItems(testId: string, items: readonly PlanItem[]): Promise<void>;
  /** The stored items, or undefined when the run was never planned. */
  planItems(testId: string): Promise<readonly PlanItem[] | undefined>;
  /** Stores one window of one worker; writing the same (worker, index) again replaces it. */
  putWindow(testId: string, window: WindowSnapshot): Promise<void>;
  /**
   * Windows of every worker, in index order. Without `position`: all of them. With the position of
   * an earlier page: those not returned before (windows a worker wrote late included).
   */
  readWindows(testId: string, position?: string): Promise<WindowPage>;
  /**
   * Every window in index order, handed over a page at a time and not kept (the final aggregate
   * of 600,000 windows must not hold them all). Resolves with how many there were.
   */
  eachWindow(testId: string, onWindow: (window: WindowSnapshot) => void): Promise<number>;
  putWorkerReport(testId: string, report: WorkerReport): Promise<void>;
  /** Every worker report written so far, in worker order. */
  workerReports(testId: string): Promise<readonly WorkerReport[]>;
}
