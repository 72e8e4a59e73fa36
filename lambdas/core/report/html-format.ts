import { formatDuration } from '../../model/duration';

/**
 * Display formatting for the report. Every formatter maps non-finite input to a safe value so
 * that a malformed results document can never leak `NaN`/`Infinity` into text or SVG geometry.
 */

/** Shown instead of a number that is missing or not finite. */
export const DASH = '—';

/** Geometry-safe number: non-finite becomes 0. */
export const finite = (v: number): number => (Number.isFinite(v) ? v : 0);

/** Trims to at most `digits` decimals without trailing zeros ("12.5", not "12.50"). */
export function trimmed(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return DASH;
  const fixed = Number(v.toFixed(digits));
  return Object.is(fixed, -0) ? '0' : String(fixed);
}

const SUFFIXES = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
] as const;

/** Compact magnitude ("950", "12.3k", "4.5M"); keeps axis labels and cards narrow. */
export function compact(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  const abs = Math.abs(v);
  for (const [size, suffix] of SUFFIXES) {
    if (abs >= size) return `${trimmed(v / size, abs / size >= 100 ? 0 : 1)}${suffix}`;
  }
  return trimmed(v, abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** Grouped integer ("1,234,567"); exact counts belong in tables. */
export function integer(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  return Math.round(v).toLocaleString('en-US');
}

/** Milliseconds, switching to seconds from 1 s so that slow endpoints stay readable. */
export function millis(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  const abs = Math.abs(v);
  if (abs >= 1_000) return `${trimmed(v / 1_000, abs >= 100_000 ? 0 : abs >= 10_000 ? 1 : 2)} s`;
  return `${trimmed(v, abs >= 100 ? 0 : abs >= 10 ? 1 : 2)} ms`;
}

/** A 0–1 rate as a percentage; small non-zero rates keep two decimals so they do not read as 0%. */
export function percent(rate: number): string {
  if (!Number.isFinite(rate)) return DASH;
  const p = rate * 100;
  if (p === 0) return '0%';
  return `${trimmed(p, Math.abs(p) < 1 ? 2 : 1)}%`;
}

/** Seconds on the time axis, in the k6 duration style ("45s", "1m30s"). */
export function seconds(v: number): string {
  // formatDuration says "0ms" for zero; on an axis in seconds the origin should read "0s".
  if (!Number.isFinite(v) || v <= 0) return `${trimmed(v, 1)}s`;
  return formatDuration(v * 1_000);
}

/** Duration of the whole run; a missing duration reads as a dash rather than "NaNms". */
export function duration(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : DASH;
}

/** ISO timestamp as "2024-05-01 12:00:05 UTC"; unparsable input is shown as given. */
export function timestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || DASH;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Byte counts in binary units ("12.3 MiB"), as transfer sizes are usually read. */
export function bytes(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = Math.abs(v);
  let unit = 0;
  while (n >= 1_024 && unit < units.length - 1) {
    n /= 1_024;
    unit++;
  }
  return `${trimmed(Math.sign(v) * n, unit === 0 || n >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** A threshold's observed value, unabbreviated so it can be compared with the expression's limit. */
export function exact(v: number): string {
  if (!Number.isFinite(v)) return DASH;
  // Significant digits for small values: a rate of 0.00136 must not round to the 0.001 limit.
  return Math.abs(v) >= 1
    ? v.toLocaleString('en-US', { maximumFractionDigits: 3 })
    : v.toLocaleString('en-US', { maximumSignificantDigits: 4 });
}
