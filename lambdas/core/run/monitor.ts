import type { ValidDefinition } from '../../model/definition';
import type { Clock } from '../../ports/clock';
import type { RunStore } from '../../ports/run-store';
import type { TestStore } from '../../ports/test-store';
import { thresholdsToAbort } from '../load/thresholds';
import { MergedRun } from '../stats/aggregate';
import { liveStatus } from './live';

/**
 * Watches a distributed run while it goes: merges the windows all workers have written so far,
 * keeps the test's live figures current, and evaluates abortOnFail thresholds across ALL workers;
 * when one fails it raises the stop flag every worker polls. Returns when every worker has
 * reported, the run stopped, or `untilMs` came (a Lambda monitor is re-invoked for long runs).
 * A lost worker never reports: once the planned run is over and no window has arrived for
 * IDLE_AFTER_END_MS, the monitor stops waiting (Aggregate names the missing segments).
 */

export const IDLE_AFTER_END_MS = 10_000;

export interface MonitorPlan {
  readonly startAtMs: number;
  readonly plannedMs: number;
  readonly workers: number;
}

export type MonitorEnd = 'finished' | 'stopped' | 'continue';

export async function monitorRun(
  deps: { readonly tests: TestStore; readonly runs: RunStore; readonly clock: Clock },
  testId: string,
  plan: MonitorPlan,
  untilMs: number,
  intervalMs = 1_000,
): Promise<MonitorEnd> {
  const { tests, runs, clock } = deps;
  const merged = new MergedRun();
  let position: string | undefined;
  let aborted = false;
  let lastWindowAt = clock.now();
  // The validated test, read once (written at submission, never changed).
  let test: ValidDefinition | undefined;
  for (;;) {
    const record = await tests.get(testId);
    if (record?.status !== 'running') return 'stopped';
    test ??= (await runs.spec(testId))?.test;
    if (!test) throw new Error(`test ${testId} has no validated spec in the run store`);
    const page = await runs.readWindows(testId, position);
    for (const w of page.windows) merged.add(w);
    position = page.position;
    if (page.windows.length > 0) lastWindowAt = clock.now();
    const reports = await runs.workerReports(testId);
    if (reports.length >= plan.workers) return 'finished';
    const over = clock.now() > plan.startAtMs + plan.plannedMs;
    if ((over || record.cancelRequested) && clock.now() - lastWindowAt > IDLE_AFTER_END_MS) return 'finished';
    const elapsedMs = Math.max(0, clock.now() - plan.startAtMs);
    const failed = reports.filter((r) => r.outcome === 'failed').length;
    const live = liveStatus(merged, elapsedMs, plan.plannedMs, plan.workers - reports.length, failed, test);
    await tests.update(testId, { live, updatedAt: new Date(clock.now()).toISOString() }, ['running']);
    if (!aborted && !record.cancelRequested) {
      const failing = thresholdsToAbort(test.thresholds, merged, elapsedMs, merged.coveredMs);
      if (failing.length > 0) {
        aborted = true;
        await tests.update(testId, { cancelRequested: true, abortedBy: failing }, ['running']);
      }
    }
    if (clock.now() + intervalMs > untilMs) return 'continue';
    await clock.sleep(intervalMs);
  }
}

export interface MonitorEvent extends MonitorPlan {
  readonly testId: string;
  readonly deadlineMs: number;
}

/**
 * One call of the state machine's Monitor task: watches for at most `callMs`, and says
 * `continue` when the run goes on (the state machine calls again), else `finished` or `stopped`.
 * Past the deadline the workers are done or lost: it stops looping and Aggregate names what is missing.
 */
export async function monitorStep(
  deps: { readonly tests: TestStore; readonly runs: RunStore; readonly clock: Clock },
  event: MonitorEvent,
  callMs: number,
  intervalMs?: number,
): Promise<MonitorEvent & { readonly state: MonitorEnd }> {
  const until = Math.min(event.deadlineMs, deps.clock.now() + callMs);
  const ran = await monitorRun(deps, event.testId, event, until, intervalMs);
  const state = ran === 'continue' && deps.clock.now() >= event.deadlineMs ? 'finished' : ran;
  // Nothing writes while the run waits for its workers to end (a lost one takes until its
  // timeout, the deadline): said on the record, so that the wait is not taken for a lost runner.
  if (state === 'finished') {
    const now = deps.clock.now();
    await deps.tests.update(
      event.testId,
      {
        phase: 'waiting',
        quietUntil: new Date(Math.max(now, event.deadlineMs)).toISOString(),
        updatedAt: new Date(now).toISOString(),
      },
      ['running'],
    );
  }
  return { ...event, state };
}
