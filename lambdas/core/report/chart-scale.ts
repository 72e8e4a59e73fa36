import { finite } from './html-format';

/** Axis scales for the report charts: "nice" round ticks so gridlines land on readable values. */

export interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/** Rounds a raw step up to 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const factor = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return factor * mag;
}

/**
 * A value axis from 0 to a round maximum. It always starts at 0 because every plotted metric is
 * a rate, count or latency, and a baseline above 0 exaggerates small wiggles. All-zero or empty
 * data still gets a 0–1 axis so the frame renders.
 */
export function valueScale(values: readonly number[], targetTicks = 5): Scale {
  let max = 0;
  for (const v of values) max = Math.max(max, finite(v));
  if (max <= 0 || !Number.isFinite(max)) max = 1;
  const step = niceStep(max / targetTicks);
  const top = Math.ceil(max / step - 1e-9) * step;
  const count = Math.round(top / step);
  const ticks = Array.from({ length: count + 1 }, (_, i) => i * step);
  return { min: 0, max: top, ticks };
}

// Round durations a reader expects on a time axis (seconds), rather than decimal steps.
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400];

/**
 * The time axis spans the data exactly. A single point gets a one-second margin either side so it
 * sits in the middle of the frame instead of on the edge (and the span is never zero).
 */
export function timeScale(xs: readonly number[], targetTicks = 8): Scale {
  const safe = xs.map(finite);
  if (safe.length === 0) return { min: 0, max: 1, ticks: [] };
  // A loop rather than Math.min(...xs): spreading a long run's timeseries overflows the stack.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of safe) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  if (max === min) return { min: min - 1, max: max + 1, ticks: [min] };
  const span = max - min;
  const step = TIME_STEPS.find((s) => span / s <= targetTicks) ?? niceStep(span / targetTicks);
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) ticks.push(t);
  return { min, max, ticks };
}

/** Linear map from a scale onto a pixel range; a zero-width scale maps to the range start. */
export function project(scale: Scale, from: number, to: number): (v: number) => number {
  const span = scale.max - scale.min;
  return (v) => (span > 0 ? from + ((finite(v) - scale.min) / span) * (to - from) : from);
}
