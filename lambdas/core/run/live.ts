import type { ValidDefinition } from '../../model/definition';
import type { LiveStatus } from '../../model/live';
import type { TestResults, TestStatus, ThresholdResult, WorkerFailure } from '../../model/results';
import type { TargetPolicy } from '../../model/target-policy';
import type { Clock } from '../../ports/clock';
import type { WorkerHandle, WorkerPool } from '../../ports/workers';
import { plannedDurationMs } from '../load/executors';
import { buildResults } from '../load/results';
import { nthOfSegments } from '../load/segment';
import { evaluateThresholds, thresholdsAtRisk, thresholdsToAbort } from '../load/thresholds';
import { MergedRun, type MergedSeries } from '../stats/aggregate';

export interface RunTestOptions {
  /** The definition as the user wrote it: what workers receive. */
  readonly input: unknown;
  /** The same definition, validated. */
  readonly test: ValidDefinition;
  readonly workers: number;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  /** Time the workers get to start before the common start instant (default: 250 ms + 100 ms per worker). */
  readonly startDelayMs?: number;
  /** Aborting interrupts the run (Ctrl-C, cancel); results so far are kept. */
  readonly stop?: AbortSignal;
  /** Status of a run stopped through `stop`. */
  readonly stopStatus?: TestStatus;
  readonly onProgress?: (status: LiveStatus) => void;
  /** Allow-list the workers enforce on every connection. */
  readonly targets?: TargetPolicy;
}

/**
 * Workers load in parallel on few cores; one that starts after the common instant would fire its
 * overdue arrivals at once and charge its own start-up to the target's latency.
 */
const startDelayFor = (workers: number) => 250 + 100 * workers;
/** A worker asked to stop that is still running after this long is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * Runs a test over N workers: each gets an equal execution segment and the same start instant;
 * their windows are merged exactly as they arrive. Once a second, abortOnFail thresholds are
 * evaluated on the merged data of all workers. A failed worker leaves a degraded result.
 */
export async function runTest(o: RunTestOptions): Promise<TestResults> {
  const { clock, test } = o;
  const { definition, thresholds } = test;
  const merged = new MergedRun();
  const plannedMs = Math.max(...Object.values(definition.scenarios).map(plannedDurationMs));
  const startAtMs = clock.now() + (o.startDelayMs ?? startDelayFor(o.workers));
  const failures: WorkerFailure[] = [];
  let completed = 0;
  let maxStartLagMs = 0;
  let skippedIterations = 0;
  let abortedBy: ThresholdResult[] | undefined;
  let stopped = false;
  const handles: WorkerHandle[] = [];
  let settle!: () => void;
  const allDone = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const ended = new Set<number>();
  const finished = (k: number) => {
    ended.add(k);
    if (ended.size === o.workers) settle();
  };

  for (let k = 0; k < o.workers; k++) {
    const segment = nthOfSegments(k, o.workers).toString();
    handles.push(
      o.pool.start(
        { definition: o.input, segment, worker: k, startAtMs, ...(o.targets ? { targets: o.targets } : {}) },
        {
          onWindow: (w) => {
            if (!ended.has(k)) merged.add(w);
          },
          onDone: ({ startLagMs, skippedIterations: skipped }) => {
            if (ended.has(k)) return;
            maxStartLagMs = Math.max(maxStartLagMs, startLagMs);
            skippedIterations += skipped;
            completed++;
            finished(k);
          },
          onFailure: (error) => {
            if (ended.has(k)) return;
            failures.push({ worker: k, segment, error: error.message });
            finished(k);
          },
        },
      ),
    );
  }
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stopAll = () => {
    if (stopped) return;
    stopped = true;
    for (const h of handles) h.stop();
    killTimer = setTimeout(() => {
      handles.forEach((h, k) => {
        if (ended.has(k)) return;
        h.kill();
        failures.push({
          worker: k,
          segment: nthOfSegments(k, o.workers).toString(),
          error: `did not stop within ${STOP_GRACE_MS} ms and was killed`,
        });
        finished(k);
      });
    }, STOP_GRACE_MS);
  };
  const onStop = () => stopAll();
  o.stop?.addEventListener('abort', onStop, { once: true });
  if (o.stop?.aborted) stopAll();

  const monitor = setInterval(() => {
    const elapsedMs = Math.max(0, clock.now() - startAtMs);
    if (!stopped && thresholds.length > 0) {
      const failing = thresholdsToAbort(thresholds, merged, elapsedMs, merged.coveredMs);
      if (failing.length > 0) {
        abortedBy = failing;
        stopAll();
      }
    }
    o.onProgress?.(
      liveStatus(
        merged,
        elapsedMs,
        plannedMs,
        o.workers - completed - failures.length,
        failures.length,
        test,
      ),
    );
  }, 1_000);

  await allDone;
  clearInterval(monitor);
  clearTimeout(killTimer);
  o.stop?.removeEventListener('abort', onStop);
  const endedAtMs = clock.now();
  const elapsedMs = Math.max(0, endedAtMs - startAtMs);
  const results = evaluateThresholds(thresholds, merged, elapsedMs);
  let status: TestStatus;
  if (failures.length === o.workers) status = 'error';
  else if (abortedBy) status = 'aborted';
  else if (o.stop?.aborted) status = o.stopStatus ?? 'interrupted';
  else if (failures.length > 0) status = 'degraded';
  else status = results.every((r) => r.ok) ? 'passed' : 'failed';
  return buildResults(merged, {
    name: definition.name,
    status,
    startedAtMs: startAtMs,
    endedAtMs,
    thresholds: results,
    ...(abortedBy ? { abortedBy } : {}),
    workers: {
      planned: o.workers,
      completed,
      failed: failures.length,
      failures,
      maxStartLagMs: Math.round(maxStartLagMs),
      skippedIterations,
    },
  });
}

/** Only the p95 (the live line shows no other percentile), rounded like the results' figures. */
const p95Ms = (s: MergedSeries) =>
  s.histogram.count === 0 ? 0 : Math.round(s.histogram.percentile(95)) / 1_000;

export function liveStatus(
  merged: MergedRun,
  elapsedMs: number,
  plannedMs: number,
  running: number,
  failed: number,
  test: ValidDefinition,
): LiveStatus {
  const last = merged.latestWindow;
  const all = merged.select();
  return {
    elapsedMs,
    plannedMs,
    vus: last?.vus ?? 0,
    rps: last?.all.requests ?? 0,
    p95Ms: last ? p95Ms(last.all) : 0,
    p95SoFarMs: p95Ms(all),
    requests: all.requests,
    errors: all.failed,
    errorRate: all.requests === 0 ? 0 : all.failed / all.requests,
    droppedIterations: merged.totals.dropped,
    atRisk: thresholdsAtRisk(test.thresholds, merged, merged.coveredMs),
    workers: { running, failed },
  };
}
