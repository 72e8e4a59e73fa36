import type { CapacityBlock, PlateauMeasure } from '../../model/capacity';
import type { ValidDefinition } from '../../model/definition';
import { latencySummary } from '../load/results';
import { compare, thresholdValue } from '../load/thresholds';
import { MergedRun, MergedSeries } from '../stats/aggregate';
import { BucketHistogram } from '../stats/histogram';
import { capacityFitReport } from './fit-report';
import { type Hold, stepSchedule } from './schedule';

/**
 * Capacity from a stepped run: each plateau of its schedule measured on the exactly merged windows
 * of its steady part (the first WARMUP_SHARE dropped), its concurrency by Little's law, its verdict
 * against the test's own thresholds, a USL fit over the plateaus and the highest throughput that
 * met them all (the max sustainable throughput).
 */

/** Share of each plateau dropped as warm-up (the system settling on the new level). */
export const WARMUP_SHARE = 0.2;
/** Achieved below this share of the offered rate, a plateau is saturated whatever the thresholds say. */
export const ACHIEVED_SHARE = 0.95;
/** Little's law check: a closed model's VUs and X·R apart by more than this mean queueing in the client. */
const LITTLE_GAP = 0.1;

function measure(
  run: MergedRun,
  hold: Hold,
): { series: MergedSeries<BucketHistogram>; fromS: number; seconds: number; dropped: number; vus: number } {
  const from = Math.ceil((hold.fromMs + WARMUP_SHARE * (hold.toMs - hold.fromMs)) / 1_000);
  // The window holding the hold's end is partly the next level's.
  const to = Math.floor(hold.toMs / 1_000);
  const series = new MergedSeries('*', '*', '*', new BucketHistogram(true));
  let dropped = 0;
  let vus = 0;
  let seconds = 0;
  for (let i = from; i < to; i++) {
    const w = run.windows.get(i);
    if (!w) continue;
    series.add(w.all);
    dropped += w.dropped;
    vus += w.vus;
    seconds++;
  }
  return { series, fromS: from, seconds, dropped, vus: seconds > 0 ? vus / seconds : 0 };
}

export function capacityOf(test: ValidDefinition, run: MergedRun): CapacityBlock {
  const schedule = stepSchedule(test.definition);
  if (schedule.kind === 'none') return { model: 'none', reason: schedule.reason };
  const notes: string[] = [];
  // Only thresholds on the whole run can be judged per plateau: per-second windows keep no tags.
  const judged = test.thresholds.filter((t) => Object.keys(t.tags).length === 0 && t.metric !== 'iterations');
  if (judged.length < test.thresholds.length)
    notes.push(
      `${test.thresholds.length - judged.length} threshold(s) with tag filters or on iterations are not judged per plateau`,
    );
  const plateaus: PlateauMeasure[] = [];
  for (const hold of schedule.holds) {
    const m = measure(run, hold);
    if (m.seconds === 0 || m.series.requests === 0) continue;
    const latency = latencySummary(m.series.histogram);
    const achievedRps = m.series.requests / m.seconds;
    const meanMs = latency.mean;
    const concurrency = (achievedRps * meanMs) / 1_000;
    // A plateau alone, for its thresholds: its series and its seconds.
    const alone = new MergedRun();
    alone.series.set('*', m.series);
    alone.scenarios.set('*', { iterations: 0, interrupted: 0, dropped: m.dropped });
    const failed = judged
      .filter((t) => {
        const value = thresholdValue(t, alone, m.seconds * 1_000);
        return !compare(value, t.op, t.limit);
      })
      .map((t) => `${t.metricKey}: ${t.expression}`);
    if (schedule.kind === 'arrival-rate' && achievedRps < ACHIEVED_SHARE * hold.level)
      failed.push(`achieved ${round(achievedRps)}/s of ${round(hold.level)}/s offered`);
    if (schedule.kind === 'vus' && m.vus > 0 && Math.abs(concurrency - m.vus) / m.vus > LITTLE_GAP)
      notes.push(
        `plateau at ${hold.level} VUs: X·R = ${round(concurrency)} in flight against ${round(m.vus)} VUs (think time or client queueing)`,
      );
    plateaus.push({
      offered: hold.level,
      fromS: m.fromS,
      seconds: m.seconds,
      achievedRps: round(achievedRps),
      meanMs,
      p95Ms: latency.p95,
      p99Ms: latency.p99,
      errorRate: m.series.failed / m.series.requests,
      droppedIterations: m.dropped,
      concurrency: round(concurrency),
      sustained: failed.length === 0,
      failed,
    });
  }
  // Closed model: N is the VUs held (controlled); open model: what Little's law says was in flight.
  const points = plateaus.map((p) => ({
    n: schedule.kind === 'vus' ? p.offered : p.concurrency,
    x: p.achievedRps,
  }));
  const sustained = plateaus.filter((p) => p.sustained).map((p) => p.achievedRps);
  return {
    model: schedule.kind,
    plateaus,
    fit: capacityFitReport(points),
    ...(sustained.length > 0 ? { maxSustainableRps: Math.max(...sustained) } : {}),
    notes,
  };
}

const round = (v: number) => Math.round(v * 100) / 100;
