import { parseDuration } from '../../model/duration';
import type { MetricWindow, Statistic } from '../../ports/metrics';
import { PlatformError } from '../tests/errors';

/**
 * The time window of a metrics request: `start`, `end`, `period`, `stat` as the user wrote them,
 * checked (every problem listed) and completed with defaults.
 */

export interface MetricWindowQuery {
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly period?: string | number | undefined;
  readonly stat?: string | undefined;
}

/** Default look-back when `start` is absent. */
export const DEFAULT_RANGE_MS = 3_600_000;
/** Most points one series may have in a response (GetMetricStatistics' own cap; keeps answers small). */
export const MAX_POINTS_PER_SERIES = 1_440;
/** CloudWatch keeps metrics 15 months; nothing older can be asked for. */
const MAX_RANGE_MS = 455 * 86_400_000;
/** The longest period asked for: the longest window (a longer one would still give one point). */
export const MAX_PERIOD_SECONDS = MAX_RANGE_MS / 1_000;
export const STATISTIC = /^(Average|Minimum|Maximum|Sum|SampleCount|p(100|\d{1,2}(\.\d{1,2})?))$/;

/** CloudWatch accepts periods of 1, 5, 10, 30 s (high resolution) or any multiple of 60 s. */
export const isValidPeriod = (s: number) => [1, 5, 10, 30].includes(s) || (s > 0 && s % 60 === 0);

/** The smallest valid period ≥ `seconds`. */
export function roundUpPeriod(seconds: number): number {
  for (const p of [1, 5, 10, 30]) if (seconds <= p) return p;
  return Math.ceil(seconds / 60) * 60;
}

/** Absolute ISO time, epoch milliseconds, or `-<duration>` / `now` relative to now. */
export function parseInstant(raw: string, nowMs: number): number | undefined {
  const text = raw.trim();
  if (text === 'now') return nowMs;
  if (text.startsWith('-')) {
    const ago = parseDuration(text.slice(1));
    return ago === undefined || /^\d+$/.test(text.slice(1)) ? undefined : nowMs - ago;
  }
  if (/^\d{10,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseMetricWindow(
  query: MetricWindowQuery,
  nowMs: number,
  source: { readonly minPeriodSeconds: number; readonly defaultPeriodSeconds?: number },
): MetricWindow {
  const { minPeriodSeconds } = source;
  // A value that is not one of the documented forms (400), apart from a window the values make
  // that this source cannot answer (422, E_INVALID_WINDOW): start after end, too long, too fine.
  const problems: string[] = [];
  const windowProblems: string[] = [];
  const instant = (name: 'start' | 'end', fallback: number) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return fallback;
    const ms = parseInstant(raw, nowMs);
    if (ms === undefined)
      problems.push(
        `${name}=${JSON.stringify(raw)}: an ISO 8601 time, epoch milliseconds, "now" or "-<duration>" such as "-3h"`,
      );
    return ms ?? fallback;
  };
  const endMs = instant('end', nowMs);
  const startMs = instant('start', endMs - DEFAULT_RANGE_MS);
  const rangeMs = endMs - startMs;
  if (rangeMs <= 0) windowProblems.push('start must be before end');
  else if (rangeMs > MAX_RANGE_MS)
    windowProblems.push('the window is longer than the 455 days CloudWatch keeps');
  if (endMs > nowMs + 300_000) windowProblems.push('end is more than 5 minutes in the future');
  if (startMs < nowMs - MAX_RANGE_MS)
    windowProblems.push('start is more than 455 days ago: CloudWatch keeps nothing older');

  const stat = query.stat ?? 'Average';
  if (!STATISTIC.test(stat))
    problems.push(
      `stat=${JSON.stringify(stat)}: Average, Minimum, Maximum, Sum, SampleCount or a percentile such as p95 or p99.9`,
    );

  const fitting = roundUpPeriod(
    Math.max(minPeriodSeconds, Math.ceil(rangeMs / 1_000 / MAX_POINTS_PER_SERIES)),
  );
  let periodSeconds = Math.max(
    fitting,
    roundUpPeriod(Math.max(minPeriodSeconds, source.defaultPeriodSeconds ?? 60)),
  );
  if (query.period !== undefined && query.period !== '') {
    const p = Number(query.period);
    if (!Number.isInteger(p) || !isValidPeriod(p) || p > MAX_PERIOD_SECONDS)
      problems.push(
        `period=${JSON.stringify(query.period)}: seconds, one of 1, 5, 10, 30 or a multiple of 60 up to ${MAX_PERIOD_SECONDS}`,
      );
    else if (p < minPeriodSeconds)
      windowProblems.push(`period=${p}: this source's shortest period is ${minPeriodSeconds} s`);
    else if (rangeMs > 0 && Math.ceil(rangeMs / 1_000 / p) > MAX_POINTS_PER_SERIES)
      windowProblems.push(
        `period=${p} gives more than ${MAX_POINTS_PER_SERIES} points per series over this window; use ${fitting} or more, or a shorter window`,
      );
    else periodSeconds = p;
  }
  if (problems.length > 0)
    throw new PlatformError('E_INVALID_REQUEST', 'invalid metrics query', {
      problems: [...problems, ...windowProblems],
    });
  if (windowProblems.length > 0)
    throw new PlatformError('E_INVALID_WINDOW', 'this source cannot answer that window', {
      problems: windowProblems,
    });
  // Whole periods, aligned like CloudWatch's, so cached answers and consecutive requests line up.
  const periodMs = periodSeconds * 1_000;
  return {
    startMs: Math.floor(startMs / periodMs) * periodMs,
    endMs: Math.ceil(endMs / periodMs) * periodMs,
    periodSeconds,
    stat: stat as Statistic,
  };
}
