import type { TestResults } from '../../model/results';

/** CSV exports: one row per request series, and one row per 1-second window. */

/**
 * Text a spreadsheet would read as a formula (OWASP CSV injection): request and scenario names come
 * from definitions, so a name like `=HYPERLINK(…)` must stay text. Numbers are written as they are,
 * so a negative number stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

const cell = (v: unknown): string => {
  const raw = v === undefined || v === null ? '' : String(v);
  const text = typeof v !== 'number' && FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const table = (header: readonly string[], rows: readonly (readonly unknown[])[]) =>
  `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;

export function requestsCsv(r: TestResults): string {
  return table(
    [
      'scenario',
      'name',
      'method',
      'requests',
      'errors',
      'error_rate',
      'rps',
      'min_ms',
      'mean_ms',
      'p50_ms',
      'p90_ms',
      'p95_ms',
      'p99_ms',
      'p999_ms',
      'max_ms',
      'errors_by_kind',
      'checks_passed',
      'checks_failed',
      'bytes_in',
      'bytes_out',
    ],
    r.byRequest.map((q) => [
      q.scenario,
      q.name,
      q.method,
      q.requests,
      q.errors,
      q.errorRate,
      q.rps,
      q.latencyMs.min,
      q.latencyMs.mean,
      q.latencyMs.p50,
      q.latencyMs.p90,
      q.latencyMs.p95,
      q.latencyMs.p99,
      q.latencyMs.p999,
      q.latencyMs.max,
      Object.entries(q.errorsByKind)
        .map(([k, n]) => `${k}=${n}`)
        .join(' '),
      q.checks.reduce((n, c) => n + c.passed, 0),
      q.checks.reduce((n, c) => n + c.failed, 0),
      q.bytesIn,
      q.bytesOut,
    ]),
  );
}

export function timeseriesCsv(r: TestResults): string {
  return table(
    [
      't_s',
      'requests',
      'errors',
      'vus',
      'dropped_iterations',
      'p50_ms',
      'p90_ms',
      'p95_ms',
      'p99_ms',
      'max_ms',
      'workers',
    ],
    r.timeseries.map((p) => [
      p.t,
      p.requests,
      p.errors,
      p.vus,
      p.droppedIterations,
      p.latencyMs.p50,
      p.latencyMs.p90,
      p.latencyMs.p95,
      p.latencyMs.p99,
      p.latencyMs.max,
      p.workers,
    ]),
  );
}
