import type { Comparison, Verdict } from '../../model/results';
import { escapeHtml } from './html-escape';
import { integer, millis, percent } from './html-format';

/** The baseline comparison: one row per request series with both runs, the tests and the verdict. */

const BADGE: Record<Verdict, string> = {
  regressed: 'badge-bad',
  improved: 'badge-good',
  unchanged: 'badge-neutral',
  inconclusive: 'badge-warn',
};
const badge = (v: Verdict) => `<span class="badge ${BADGE[v]}">${v}</span>`;
const signed = (v: number, unit: string) => `${v > 0 ? '+' : ''}${Number(v.toFixed(2))}${unit}`;
const pValue = (p: number) => (p < 0.0001 ? '&lt;0.0001' : String(Number(p.toPrecision(2))));

export function renderComparison(c: Comparison | undefined): string {
  if (!c) return '';
  const rows = c.requests
    .map(
      (r) => `<tr data-comparison>
<td class="wrap">${escapeHtml(r.scenario)}</td><td class="wrap name"><strong>${escapeHtml(r.name)}</strong></td><td><code>${escapeHtml(r.method)}</code></td>
<td class="num">${integer(r.baseline.requests)} → ${integer(r.current.requests)}</td>
<td class="num">${millis(r.baseline.p95Ms)} → ${millis(r.current.p95Ms)} <span class="muted">(${signed(r.latency.p95ChangePct, ' %')})</span></td>
<td class="num" title="Mann–Whitney U, two-sided; effect = P(current slower)">p=${pValue(r.latency.pValue)}, A=${r.latency.effectSize.toFixed(2)}</td>
<td class="num">${percent(r.baseline.errorRate)} → ${percent(r.current.errorRate)}</td>
<td class="num" title="two-proportion z-test, two-sided">p=${pValue(r.errors.pValue)}</td>
<td>${badge(r.verdict)}</td></tr>`,
    )
    .join('');
  const unmatched = [
    ...c.unmatched.onlyInBaseline.map((k) => `only in baseline: ${k}`),
    ...c.unmatched.onlyInCurrent.map((k) => `new: ${k}`),
  ];
  const head = [
    'Scenario',
    'Name',
    'Method',
    'Requests',
    'p95',
    'Latency test',
    'Error rate',
    'Error test',
    'Verdict',
  ]
    .map((h, i) => `<th${i >= 3 && i <= 7 ? ' class="num"' : ''}>${h}</th>`)
    .join('');
  return `<section><h2>Compared with baseline ${badge(c.verdict)}</h2>
<p class="muted">Baseline <code>${escapeHtml(c.baselineId)}</code> (started ${escapeHtml(c.baselineStartedAt)}). A request regresses when a test is significant at α=${c.alpha} <em>and</em> the effect is at least A=${c.minEffect} (latency) or 0.1 points (errors). ${integer(c.regressions)} regressed, ${integer(c.improvements)} improved.</p>
<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>
${unmatched.length ? `<p class="muted">Not compared: ${unmatched.map(escapeHtml).join('; ')}</p>` : ''}</section>`;
}
