import type { CapacityBlock } from '../../model/capacity';
import { escapeHtml } from './html-escape';
import { compact, DASH, integer, millis, percent, trimmed } from './html-format';
import { PALETTE } from './html-styles';
import { renderChart } from './svg-chart';

/**
 * The capacity section of a stepped run: throughput against concurrency with the fitted USL
 * curve, the headline figures of the fit, and one row per plateau with its verdict.
 */

const CURVE_POINTS = 60;

function chart(c: Extract<CapacityBlock, { model: 'arrival-rate' | 'vus' }>): string {
  if (!c.fit.fitted) return '';
  const { sigma, kappa, lambda } = c.fit;
  const measured = c.fit.points;
  const top = Math.max(...measured.map((p) => p.n), c.fit.nMax ?? 0) * 1.2;
  const grid = Array.from({ length: CURVE_POINTS + 1 }, (_, i) => (top * i) / CURVE_POINTS);
  const xs = [...new Set([...grid, ...measured.map((p) => p.n)])].sort((a, b) => a - b);
  const at = new Map(measured.map((p) => [p.n, p.x]));
  const model = (n: number) => (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  return renderChart({
    id: 'capacity',
    description: 'Throughput against concurrency: measured plateaus and the fitted Universal Scalability Law',
    xs,
    valueX: { title: 'concurrency', format: (v) => trimmed(v, 1) },
    leftTitle: 'requests per second',
    formatLeft: compact,
    series: [
      {
        name: 'usl',
        label: 'USL fit',
        color: PALETTE.violet,
        values: xs.map((n) => (n === 0 ? 0 : model(n))),
      },
      {
        name: 'measured',
        label: 'Plateaus',
        color: PALETTE.blue,
        values: xs.map((n) => at.get(n) ?? Number.NaN),
        markers: true,
      },
    ],
  });
}

export function renderCapacity(c: CapacityBlock | undefined): string {
  if (c === undefined || c.model === 'none') return '';
  const fit = c.fit;
  const figures: [string, string][] = [
    [
      'Max sustainable',
      c.maxSustainableRps === undefined
        ? 'no plateau met the thresholds'
        : `${integer(c.maxSustainableRps)}/s`,
    ],
  ];
  if (fit.fitted) {
    figures.push(
      fit.nMax === undefined
        ? ['Peak', `none measured; roof ${integer(fit.xRoof ?? 0)}/s (Amdahl)`]
        : ['Peak', `${integer(fit.xMax ?? 0)}/s at ${trimmed(fit.nMax, 1)} concurrent`],
      ['Knee', fit.knee === undefined ? DASH : `${trimmed(fit.knee, 1)} concurrent`],
      ['σ · κ · λ', `${fit.sigma.toPrecision(3)} · ${fit.kappa.toPrecision(3)} · ${compact(fit.lambda)}/s`],
    );
  } else figures.push(['Fit', fit.reason]);
  const notes = [...(fit.fitted ? fit.warnings : []), ...c.notes];
  const rows = c.plateaus
    .map(
      (p) =>
        `<tr data-plateau><td class="num">${compact(p.offered)}${c.model === 'arrival-rate' ? '/s' : ' VUs'}</td><td class="num">${compact(p.achievedRps)}</td><td class="num">${millis(p.meanMs)}</td><td class="num">${millis(p.p95Ms)}</td><td class="num">${millis(p.p99Ms)}</td><td class="num">${percent(p.errorRate)}</td><td class="num">${trimmed(p.concurrency, 1)}</td><td>${p.sustained ? '<span class="chip">✓ sustained</span>' : p.failed.map((f) => `<span class="chip bad">✗ ${escapeHtml(f)}</span>`).join('')}</td></tr>`,
    )
    .join('');
  const head = ['Offered', 'Achieved/s', 'Mean', 'p95', 'p99', 'Errors', 'Concurrency']
    .map((h) => `<th class="num">${h}</th>`)
    .join('');
  return `<section data-capacity><h2>Capacity</h2>
<div class="panel"><dl class="meta flush">${figures.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
${notes.length > 0 ? `<ul>${notes.map((n) => `<li class="muted">${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${chart(c)}</div>
<div class="table-wrap spaced"><table><thead><tr>${head}<th>Thresholds</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}
