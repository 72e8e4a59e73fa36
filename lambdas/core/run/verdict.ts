import type { TestStatus, ThresholdResult } from '../../model/results';
import type { TestPatch, TestRecord } from '../../ports/test-store';

/**
 * The one place that decides how a run ends. Every runtime (Step Functions on AWS, `npm start`,
 * `throughline run`) reaches its status through these functions, so a run cannot end `cancelled`
 * on one and `interrupted` on another.
 */

/** A test not yet ended: the only statuses a stage may move on from. */
export const ACTIVE_STATUSES: readonly TestStatus[] = ['queued', 'running'];

export const isActive = (status: TestStatus): boolean => ACTIVE_STATUSES.includes(status);

/** Why a run was asked to stop before its plan ended, from the flags on its record. */
export type StopReason = 'abort' | 'cancel' | 'interrupt';

export function stopReason(record: TestRecord): StopReason | undefined {
  if ((record.abortedBy?.length ?? 0) > 0) return 'abort';
  if (record.interruptRequested) return 'interrupt';
  if (record.cancelRequested) return 'cancel';
  return undefined;
}

export interface MeasuredRun {
  readonly plannedWorkers: number;
  readonly completedWorkers: number;
  readonly stop: StopReason | undefined;
  /** Thresholds evaluated on the merged data of every worker. */
  readonly thresholds: readonly ThresholdResult[];
}

/**
 * The status of a run that got as far as its workers: nothing measured is an error; a stop says
 * why (an abortOnFail threshold, a user's cancel, the platform going down); lost workers leave it
 * degraded; otherwise the thresholds decide.
 */
export function measuredStatus(run: MeasuredRun): TestStatus {
  if (run.completedWorkers === 0) return 'error';
  if (run.stop === 'abort') return 'aborted';
  if (run.stop === 'interrupt') return 'interrupted';
  if (run.stop === 'cancel') return 'cancelled';
  if (run.completedWorkers < run.plannedWorkers) return 'degraded';
  return run.thresholds.every((t) => t.ok) ? 'passed' : 'failed';
}

/** `regression: "fail"`: a passed run with a regression against its baseline fails. */
export function withRegressionVerdict(status: TestStatus, regressionFree: boolean): TestStatus {
  return !regressionFree && status === 'passed' ? 'failed' : status;
}

/** A queued test stopped before it was planned. */
export function stoppedBeforeStart(record: TestRecord, at: string): TestPatch {
  return { status: record.interruptRequested ? 'interrupted' : 'cancelled', updatedAt: at, endedAt: at };
}

/** The run failed outside its workers (planning, the state machine, a launch). */
export function failedRun(code: string, message: string, at: string): TestPatch {
  return { status: 'error', updatedAt: at, endedAt: at, error: { code, message } };
}

/** The platform stopped (crash, restart) or lost the runner while the test was active. */
export function interruptedRun(code: string, message: string, at: string): TestPatch {
  return { status: 'interrupted', updatedAt: at, endedAt: at, error: { code, message } };
}
