import type { Clock } from '../../ports/clock';
import type { RunStore } from '../../ports/run-store';
import type { TestRecord, TestStore } from '../../ports/test-store';
import type { WorkerFanout } from '../../ports/workers';
import { aggregateStep, failRun } from './aggregate';
import { monitorStep } from './monitor';
import { type Planner, planRun } from './plan-run';

/**
 * The run pipeline in one process, step for step what the state machine does on AWS (ADR 007):
 *
 *   Plan ──► Run ┬─ fan-out: one segment worker per plan item (WorkerFanout) ─┬─► Aggregate
 *                └─ Monitor, called again while it answers `continue` ────────┘
 *   any failure outside the workers ──► FailRun (the test ends `error`)
 *
 * The stages are the same functions the Lambda tasks call; only the fan-out differs (worker
 * threads instead of a Distributed Map). A worker that never reports is lost, as on AWS; once the
 * monitor has stopped waiting, workers still running get STOP_GRACE_MS and are then ended.
 */

export interface PipelineDeps {
  readonly tests: TestStore;
  readonly runs: RunStore;
  readonly clock: Clock;
  readonly planner: Planner;
  readonly fanout: WorkerFanout;
  /** How long one monitor call watches (the Lambda's is 14 min); the loop calls it again. */
  readonly monitorCallMs?: number;
  /** Monitor cadence (default 1 s). */
  readonly monitorIntervalMs?: number;
}

/** A worker asked to stop that is still running after this long is ended (and counts as lost). */
export const STOP_GRACE_MS = 5_000;

export async function runPipeline(deps: PipelineDeps, testId: string): Promise<TestRecord | undefined> {
  try {
    const planned = await planRun(deps, testId);
    if (planned.skip) return await deps.tests.get(testId);
    const items = (await deps.runs.planItems(testId)) ?? [];
    const workers = deps.fanout.start(items);
    try {
      let event = {
        testId,
        startAtMs: planned.startAtMs ?? 0,
        plannedMs: planned.plannedMs ?? 0,
        workers: items.length,
        deadlineMs: planned.deadlineMs ?? 0,
      };
      for (;;) {
        const step = await monitorStep(
          deps,
          event,
          deps.monitorCallMs ?? 14 * 60_000,
          deps.monitorIntervalMs,
        );
        if (step.state !== 'continue') break;
        event = step;
      }
    } finally {
      // The Parallel state ends when both branches have: the monitor is done, the workers get a grace.
      await workers.close(STOP_GRACE_MS);
    }
    await aggregateStep(deps, testId);
    return await deps.tests.get(testId);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    await failRun(deps, testId, { Error: e.name, Cause: e.message });
    return deps.tests.get(testId);
  }
}
