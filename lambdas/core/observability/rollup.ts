import type { MetricPoint, MetricWindow, Statistic } from '../../ports/metrics';

/** Reduces raw samples to one value per period with a CloudWatch statistic (for sources without CloudWatch). */

export interface Sample {
  /** Epoch ms. */
  readonly t: number;
  readonly v: number;
}

/** Nearest-rank percentile of sorted values (what CloudWatch's pNN approximates). */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export function applyStat(values: readonly number[], stat: Statistic): number {
  switch (stat) {
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    default:
      return percentile(
        [...values].sort((a, b) => a - b),
        Number(stat.slice(1)),
      );
  }
}

/** One point per period that has samples, oldest first; periods without samples are left out (as CloudWatch does). */
export function rollup(
  samples: readonly Sample[],
  window: MetricWindow,
  stat: Statistic = window.stat,
): MetricPoint[] {
  const periodMs = window.periodSeconds * 1_000;
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    if (s.t < window.startMs || s.t >= window.endMs || !Number.isFinite(s.v)) continue;
    const start = window.startMs + Math.floor((s.t - window.startMs) / periodMs) * periodMs;
    const bucket = buckets.get(start);
    if (bucket) bucket.push(s.v);
    else buckets.set(start, [s.v]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, values]) => ({
      timestamp: new Date(start).toISOString(),
      value: Math.round(applyStat(values, stat) * 1_000) / 1_000,
    }));
}
