import type { TestResults, TestStatus, WorkerFailure } from '../../model/results';
import type { Clock } from '../../ports/clock';
import type { ReportPublisher } from '../../ports/report-publisher';
import type { RunStore, WorkerReport } from '../../ports/run-store';
import type { TestRecord, TestStore } from '../../ports/test-store';
import { capacityOf } from '../capacity/plateaus';
import { buildResults } from '../load/results';
import { evaluateThresholds } from '../load/thresholds';
import { publishedFiles } from '../report/rendered';
import { MergedRun } from '../stats/aggregate';
import { every } from '../timing';
import { finishTest } from './finish';
import { runMessage } from './run-message';
import { failedRun, isActive, measuredStatus, stopReason } from './verdict';

/**
 * The end of a distributed run: merges every window every worker wrote (exactly: histograms
 * bucket by bucket, never averaged percentiles), names each segment whose worker failed or never
 * reported, flags saturated workers, evaluates thresholds on the merged data and finishes the test.
 */

export interface DistributedRun {
  readonly startAtMs: number;
  /** Segment of each worker, in worker order (the plan's). */
  readonly segments: readonly string[];
}

/** A worker this busy measured its own queueing as much as the target's latency. */
export const SATURATED_CPU_PERCENT = 90;
export const SATURATED_LOOP_DELAY_MS = 50;
/** How often a long aggregation marks the test alive (well inside the 60 s a silent run is given). */
const HEARTBEAT_MS = 10_000;

function saturationWarnings(reports: readonly WorkerReport[]): string[] {
  const busy = reports.filter(
    (r) =>
      r.resources.cpuPercentMax >= SATURATED_CPU_PERCENT ||
      r.resources.eventLoopDelayP99Ms >= SATURATED_LOOP_DELAY_MS,
  );
  if (busy.length === 0) return [];
  const worst = busy.map(
    (r) =>
      `worker ${r.worker} (CPU ${r.resources.cpuPercentMax} %, event-loop delay p99 ${r.resources.eventLoopDelayP99Ms} ms)`,
  );
  return [
    `${busy.length} of ${reports.length} workers were saturated: their latencies include their own queueing; plan more workers or fewer VUs/rate per worker. ${worst.slice(0, 10).join(', ')}${busy.length > 10 ? ', …' : ''}`,
  ];
}

export async function aggregateRun(
  deps: { readonly tests: TestStore; readonly runs: RunStore; readonly clock: Clock },
  testId: string,
  run: DistributedRun,
): Promise<TestRecord | undefined> {
  const record = await deps.tests.get(testId);
  if (!record) throw new Error(`test ${testId} does not exist`);
  // A retry after an attempt that finished the test (or a run something else ended): what is stored stands.
  if (!isActive(record.status)) return record;
  const merged = new MergedRun();
  const stamp = () => new Date(deps.clock.now()).toISOString();
  // The wait is over (quietUntil ends now): from here the heartbeat is the sign of life.
  await deps.tests.update(testId, { phase: 'aggregating', quietUntil: stamp(), updatedAt: stamp() }, [
    'running',
  ]);
  // A merge of many windows takes minutes: the test is seen to be alive, not silent.
  const stopHeartbeat = every(deps.clock, HEARTBEAT_MS, () => {
    void deps.tests
      .update(testId, { updatedAt: new Date(deps.clock.now()).toISOString() }, ['running'])
      .catch(() => {});
  });
  try {
    await deps.runs.eachWindow(testId, (w) => merged.add(w));
  } finally {
    stopHeartbeat();
  }
  const reports = await deps.runs.workerReports(testId);
  const byWorker = new Map(reports.map((r) => [r.worker, r]));
  const failures: WorkerFailure[] = [];
  run.segments.forEach((segment, worker) => {
    const report = byWorker.get(worker);
    if (!report)
      failures.push({
        worker,
        segment,
        error: 'the worker never reported: lost (timeout, crash, throttling or a failed launch)',
      });
    else if (report.outcome === 'failed') failures.push({ worker, segment, error: report.error ?? 'failed' });
  });
  const completed = run.segments.length - failures.length;

  const now = deps.clock.now();
  const lastIndex = Math.max(-1, ...[...merged.windows.values()].map((w) => w.index));
  const endedAtMs = lastIndex < 0 ? now : Math.min(now, run.startAtMs + (lastIndex + 1) * 1_000);
  const elapsedMs = Math.max(0, endedAtMs - run.startAtMs);
  const spec = await deps.runs.spec(testId);
  if (!spec) throw new Error(`test ${testId} has no validated spec in the run store`);
  const results = evaluateThresholds(spec.test.thresholds, merged, elapsedMs);
  const abortedBy = record.abortedBy ?? [];
  const status = measuredStatus({
    plannedWorkers: run.segments.length,
    completedWorkers: completed,
    stop: stopReason(record),
    thresholds: results,
  });

  const built = buildResults(merged, {
    name: record.name,
    status,
    startedAtMs: run.startAtMs,
    endedAtMs,
    thresholds: results,
    ...(abortedBy.length > 0 ? { abortedBy } : {}),
    workers: {
      planned: run.segments.length,
      completed,
      failed: failures.length,
      failures,
      maxStartLagMs: Math.max(0, ...reports.map((r) => r.startLagMs)),
      skippedIterations: reports.reduce((sum, r) => sum + r.skippedIterations, 0),
    },
  });
  const warnings = saturationWarnings(reports);
  const capacity = capacityOf(spec.test, merged);
  return finishTest(deps.tests, deps.clock, record, spec.test, {
    ...built,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(capacity.model === 'none' ? {} : { capacity }),
  });
}

/**
 * The state machine's Aggregate task: reads the plan, aggregates, publishes the finished reports
 * for the CDN (when there is one) and words the notification. Safe to retry at any point: a test
 * already finished keeps its results, and its reports are published again.
 */
export async function aggregateStep(
  deps: {
    readonly tests: TestStore;
    readonly runs: RunStore;
    readonly clock: Clock;
    readonly reports?: ReportPublisher | undefined;
  },
  testId: string,
): Promise<{ testId: string; status: string; message: string; results?: TestResults; name?: string }> {
  const items = await deps.runs.planItems(testId);
  if (!items || items.length === 0) throw new Error(`test ${testId} has no plan`);
  const record = await aggregateRun(deps, testId, {
    startAtMs: items[0]?.startAtMs ?? 0,
    segments: items.map((i) => i.segment),
  });
  const results = await deps.tests.getResults(testId);
  if (results && deps.reports) await deps.reports.publish(testId, publishedFiles(testId, results));
  return {
    testId,
    status: record?.status ?? 'unknown',
    message: runMessage(testId, record, results),
    ...(results ? { results } : {}),
    ...(record ? { name: record.name } : {}),
  };
}

/** The state machine's catch path: the test ends `error` with the cause, unless it already ended. */
export async function failRun(
  deps: { readonly tests: TestStore; readonly clock: Clock },
  testId: string,
  error: { readonly Error?: string; readonly Cause?: string } | undefined,
): Promise<{ testId: string; status: TestStatus }> {
  const now = new Date(deps.clock.now()).toISOString();
  const message = `${error?.Error ?? 'Error'}: ${(error?.Cause ?? '').slice(0, 1_000)}`;
  const verdict = failedRun('E_RUN_FAILED', message, now);
  await deps.tests.update(testId, verdict, ['queued', 'running']);
  return { testId, status: verdict.status ?? 'error' };
}
