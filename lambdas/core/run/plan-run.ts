import type { Clock } from '../../ports/clock';
import type { PlanItem, RunStore } from '../../ports/run-store';
import type { TestStore } from '../../ports/test-store';
import { parseTestDefinition } from '../load/validate';
import type { CapacityConfig } from './capacity';
import { planTest } from './planner';

/**
 * The first step of a distributed run: a queued test is planned, its items (one per worker) are
 * stored where the fan-out reads them, and it becomes `running`. A test cancelled before this
 * point, or already taken, is skipped.
 */

export interface PlannedRun {
  readonly testId: string;
  readonly skip: boolean;
  readonly runtime?: 'lambda' | 'fargate';
  readonly workers?: number;
  readonly startAtMs?: number;
  readonly plannedMs?: number;
  /** When the monitor gives up waiting for workers (the run's planned end plus grace). */
  readonly deadlineMs?: number;
}

/** Time a worker gets beyond the planned run: upload of its last windows and report. */
const WORKER_GRACE_MS = 120_000;

export async function planRun(
  deps: {
    readonly tests: TestStore;
    readonly runs: RunStore;
    readonly clock: Clock;
    readonly capacity: CapacityConfig;
  },
  testId: string,
): Promise<PlannedRun> {
  const { tests, runs, clock } = deps;
  const record = await tests.get(testId);
  if (!record) throw new Error(`test ${testId} does not exist`);
  const iso = () => new Date(clock.now()).toISOString();
  if (record.status !== 'queued') return { testId, skip: true };
  if (record.cancelRequested) {
    await tests.update(testId, { status: 'cancelled', updatedAt: iso(), endedAt: iso() }, ['queued']);
    return { testId, skip: true };
  }
  const { definition } = parseTestDefinition(record.definition);
  const now = clock.now();
  const plan = planTest(definition, deps.capacity, now);
  const deadlineMs = plan.startAtMs + plan.peak.durationMs + WORKER_GRACE_MS;
  const items: PlanItem[] = plan.segments.map((segment, worker) => ({
    testId,
    segment,
    worker,
    startAtMs: plan.startAtMs,
    timeoutSeconds: Math.ceil((deadlineMs - now) / 1_000),
  }));
  await runs.putPlanItems(testId, items);
  const running = await tests.update(testId, { status: 'running', startedAt: iso(), updatedAt: iso() }, [
    'queued',
  ]);
  if (!running) return { testId, skip: true };
  return {
    testId,
    skip: false,
    runtime: plan.runtime,
    workers: plan.workers,
    startAtMs: plan.startAtMs,
    plannedMs: plan.peak.durationMs,
    deadlineMs,
  };
}
