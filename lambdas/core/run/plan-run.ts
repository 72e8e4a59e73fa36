import type { ValidDefinition } from '../../model/definition';
import type { Clock } from '../../ports/clock';
import type { PlanItem, RunStore } from '../../ports/run-store';
import type { TestStore } from '../../ports/test-store';
import { plannedDurationMs } from '../load/executors';
import { nthOfSegments } from '../load/segment';
import type { CapacityConfig } from './capacity';
import { planTest } from './planner';
import { stoppedBeforeStart } from './verdict';

/**
 * The first stage of every run (Step Functions' Plan task, and the local coordinator's first
 * step): a queued test is split into worker segments, its items (one per worker) are stored where
 * the fan-out reads them, and it becomes `running`. A test stopped before this point, or already
 * taken, is skipped. It reads the validated spec written at submission: nothing is validated again.
 */

/** How one runtime lays out a test: which runtime, the segments, and the common start. */
export interface RunLayout {
  readonly runtime: 'lambda' | 'fargate' | 'local';
  readonly segments: readonly string[];
  /** The common start instant, epoch ms. */
  readonly startAtMs: number;
  /** The planned run, for the live progress and the monitor's end of waiting. */
  readonly plannedMs: number;
}
export type Planner = (test: ValidDefinition, nowMs: number) => RunLayout;

/** AWS: workers sized from per-worker capacity, Lambda or Fargate (core/run/planner.ts). */
export const capacityPlanner =
  (capacity: CapacityConfig): Planner =>
  (test, nowMs) => {
    const plan = planTest(test.definition, capacity, nowMs);
    return {
      runtime: plan.runtime,
      segments: plan.segments,
      startAtMs: plan.startAtMs,
      plannedMs: plan.peak.durationMs,
    };
  };

/**
 * Local: a fixed number of worker threads (read as each test starts: the scaling API can change
 * it). Threads load in parallel on few cores; one that started after the common instant would
 * fire its overdue arrivals at once and charge its own start-up to the target's latency.
 */
export const threadPlanner =
  (workers: () => number): Planner =>
  (test, nowMs) => {
    const n = workers();
    return {
      runtime: 'local',
      segments: Array.from({ length: n }, (_, k) => nthOfSegments(k, n).toString()),
      startAtMs: nowMs + 250 + 100 * n,
      plannedMs: Math.max(...Object.values(test.definition.scenarios).map(plannedDurationMs)),
    };
  };

export interface PlannedRun {
  readonly testId: string;
  readonly skip: boolean;
  readonly runtime?: RunLayout['runtime'];
  readonly workers?: number;
  readonly startAtMs?: number;
  readonly plannedMs?: number;
  /** When the monitor gives up waiting for workers (the run's planned end plus grace). */
  readonly deadlineMs?: number;
}

/** Time a worker gets beyond the planned run: upload of its last windows and report. */
const WORKER_GRACE_MS = 120_000;

export interface PlanDeps {
  readonly tests: TestStore;
  readonly runs: RunStore;
  readonly clock: Clock;
  readonly planner: Planner;
}

export async function planRun(deps: PlanDeps, testId: string): Promise<PlannedRun> {
  const { tests, runs, clock } = deps;
  const record = await tests.get(testId);
  if (!record) throw new Error(`test ${testId} does not exist`);
  const iso = () => new Date(clock.now()).toISOString();
  if (record.status !== 'queued') return { testId, skip: true };
  if (record.cancelRequested) {
    await tests.update(testId, stoppedBeforeStart(record, iso()), ['queued']);
    return { testId, skip: true };
  }
  const spec = await runs.spec(testId);
  if (!spec) throw new Error(`test ${testId} has no validated spec in the run store`);
  const now = clock.now();
  const layout = deps.planner(spec.test, now);
  const deadlineMs = layout.startAtMs + layout.plannedMs + WORKER_GRACE_MS;
  const items: PlanItem[] = layout.segments.map((segment, worker) => ({
    testId,
    segment,
    worker,
    startAtMs: layout.startAtMs,
    timeoutSeconds: Math.ceil((deadlineMs - now) / 1_000),
  }));
  await runs.putPlanItems(testId, items);
  const running = await tests.update(
    testId,
    { status: 'running', phase: 'measuring', startedAt: iso(), updatedAt: iso() },
    ['queued'],
  );
  if (!running) return { testId, skip: true };
  return {
    testId,
    skip: false,
    runtime: layout.runtime,
    workers: layout.segments.length,
    startAtMs: layout.startAtMs,
    plannedMs: layout.plannedMs,
    deadlineMs,
  };
}
