import type { RequestResults, TestResults } from '../../model/results';
import { ERROR_KINDS, type ErrorKind } from '../../model/window';
import { escapeHtml } from './html-escape';
import { compact, DASH, integer, millis, percent } from './html-format';

/** The detail tables: per request and per worker. */

/** Error counts as chips in the canonical kind order, so rows are comparable at a glance. */
export function errorChips(errors: Partial<Record<ErrorKind, number>>): string {
  const chips = ERROR_KINDS.filter((k) => (errors[k] ?? 0) > 0).map(
    (k) => `<span class="chip bad">${k} ${integer(errors[k] ?? 0)}</span>`,
  );
  return chips.length > 0 ? chips.join('') : `<span class="muted">${DASH}</span>`;
}

function checkChips(checks: RequestResults['checks']): string {
  if (checks.length === 0) return `<span class="muted">${DASH}</span>`;
  const chips = checks
    .map((c) => {
      const total = c.passed + c.failed;
      const mark = c.failed > 0 ? '✗' : '✓';
      return `<span class="chip${c.failed > 0 ? ' bad' : ''}" title="${integer(c.passed)} passed, ${integer(c.failed)} failed">${mark} ${escapeHtml(c.name)} ${integer(c.passed)}/${integer(total)}</span>`;
    })
    .join('');
  // One check per line: side by side they make the widest column of an already wide table.
  return `<div class="stack">${chips}</div>`;
}

export function renderRequests(rows: readonly RequestResults[]): string {
  if (rows.length === 0) {
    return `<section><h2>Requests</h2><div class="empty">No requests were recorded.</div></section>`;
  }
  const body = rows
    .map((r) => {
      const l = r.latencyMs;
      return `<tr data-request>
<td class="wrap">${escapeHtml(r.scenario)}</td><td class="wrap name"><strong>${escapeHtml(r.name)}</strong></td><td><code>${escapeHtml(r.method)}</code></td>
<td class="num">${integer(r.requests)}</td><td class="num">${compact(r.rps)}</td><td class="num">${percent(r.errorRate)}</td>
<td class="num">${millis(l.p50)}</td><td class="num">${millis(l.p90)}</td><td class="num">${millis(l.p95)}</td><td class="num">${millis(l.p99)}</td><td class="num">${millis(l.max)}</td>
<td>${errorChips(r.errorsByKind)}</td><td>${checkChips(r.checks)}</td></tr>`;
    })
    .join('');
  const head = ['Scenario', 'Name', 'Method']
    .map((h) => `<th>${h}</th>`)
    .concat(
      ['Requests', 'RPS', 'Error rate', 'p50', 'p90', 'p95', 'p99', 'Max'].map(
        (h) => `<th class="num">${h}</th>`,
      ),
    )
    .concat(['Errors by kind', 'Checks'].map((h) => `<th>${h}</th>`))
    .join('');
  return `<section><h2>Requests</h2><div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

export function renderWorkers(w: TestResults['workers']): string {
  const stats = [
    ['Planned', integer(w.planned)],
    ['Completed', integer(w.completed)],
    ['Failed', integer(w.failed)],
    ['Max start lag', millis(w.maxStartLagMs)],
    ...(w.skippedIterations > 0 ? [['Skipped after a late start', integer(w.skippedIterations)]] : []),
  ]
    .map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`)
    .join('');
  const failures =
    w.failures.length === 0
      ? ''
      : `<div class="table-wrap spaced"><table><thead><tr><th class="num narrow">Worker</th><th>Segment</th><th>Error</th></tr></thead><tbody>${w.failures
          .map(
            (f) =>
              `<tr data-worker-failure><td class="num">${integer(f.worker)}</td><td><code>${escapeHtml(f.segment)}</code></td><td class="wrap">${escapeHtml(f.error)}</td></tr>`,
          )
          .join('')}</tbody></table></div>`;
  return `<section><h2>Workers</h2><div class="panel"><dl class="meta flush">${stats}</dl></div>${failures}</section>`;
}
