/**
 * Kneedle (Satopää et al. 2011, as kneed 0.9 computes it offline with sensitivity S): the point of
 * maximum curvature of a sampled curve, where adding more of x starts to pay back less. On a
 * throughput-vs-concurrency curve (concave, increasing) it marks diminishing returns, not the peak.
 */

export type Curve = 'concave' | 'convex';
export type Direction = 'increasing' | 'decreasing';

const normalize = (v: readonly number[]) => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.map((x) => (hi === lo ? 0 : (x - lo) / (hi - lo)));
};

/** Indices i with v[i] ≥ both neighbours (`greater`) or ≤ both (`!greater`); the ends compare with themselves. */
function extrema(v: readonly number[], greater: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const here = v[i] as number;
    const before = v[Math.max(0, i - 1)] as number;
    const after = v[Math.min(v.length - 1, i + 1)] as number;
    if (greater ? here >= before && here >= after : here <= before && here <= after) out.push(i);
  }
  return out;
}

/**
 * The knee's x, or undefined when the curve has none (a straight line, fewer than 3 points).
 * `x` must be ascending.
 */
export function kneedle(
  x: readonly number[],
  y: readonly number[],
  curve: Curve = 'concave',
  direction: Direction = 'increasing',
  sensitivity = 1,
): number | undefined {
  if (x.length < 3 || x.length !== y.length) return undefined;
  const xn = normalize(x);
  let yn = normalize(y);
  // Every case becomes a knee of a concave increasing curve.
  const top = Math.max(...yn);
  if (direction === 'decreasing') yn = curve === 'concave' ? [...yn].reverse() : yn.map((v) => top - v);
  else if (curve === 'convex') yn = yn.map((v) => top - v).reverse();
  const diff = yn.map((v, i) => v - (xn[i] as number));
  const maxima = extrema(diff, true);
  const minima = new Set(extrema(diff, false));
  if (maxima.length === 0) return undefined;
  const meanStep = xn.slice(1).reduce((s, v, i) => s + Math.abs(v - (xn[i] as number)), 0) / (xn.length - 1);
  const thresholds = maxima.map((i) => (diff[i] as number) - sensitivity * meanStep);
  let threshold = Number.NEGATIVE_INFINITY;
  let thresholdIndex = maxima[0] as number;
  let nextMaximum = 0;
  for (let i = maxima[0] as number; i < xn.length - 1; i++) {
    if (xn[i] === 1) break;
    if (maxima[nextMaximum] === i) {
      threshold = thresholds[nextMaximum] as number;
      thresholdIndex = i;
      nextMaximum++;
    }
    if (minima.has(i)) threshold = 0;
    if ((diff[i + 1] as number) < threshold) {
      const mirrored = (curve === 'convex') !== (direction === 'decreasing');
      return x[mirrored ? x.length - 1 - thresholdIndex : thresholdIndex];
    }
  }
  return undefined;
}
