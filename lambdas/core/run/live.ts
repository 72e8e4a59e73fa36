import type { ValidDefinition } from '../../model/definition';
import type { LiveStatus } from '../../model/live';
import { thresholdsAtRisk } from '../load/thresholds';
import type { MergedRun, MergedSeries } from '../stats/aggregate';

/**
 * The live figures of a run from the windows merged so far: what the monitor stores on the test
 * each second, what `GET /tests/{id}` serves and what the CLI's progress line shows.
 */

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
