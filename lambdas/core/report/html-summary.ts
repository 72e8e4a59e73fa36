import type { TestResults, TestStatus, ThresholdResult } from '../../model/results';
import { escapeHtml } from './html-escape';
import { bytes, compact, DASH, duration, exact, integer, millis, percent, timestamp } from './html-format';

/** The top of the report: header, headline cards and thresholds, i.e. "did it pass, and why". */

type Tone = 'good' | 'bad' | 'warn' | 'neutral';

// Exhaustive over TestStatus so that a new status cannot silently get no colour.
const STATUS_TONE: Readonly<Record<TestStatus, Tone>> = {
  passed: 'good',
  failed: 'bad',
  aborted: 'bad',
  error: 'bad',
  degraded: 'warn',
  interrupted: 'warn',
  cancelled: 'warn',
  queued: 'neutral',
  running: 'neutral',
};

export function renderHeader(r: TestResults): string {
  const tone = STATUS_TONE[r.status] ?? 'neutral';
  const meta = [
    ['Started', timestamp(r.startedAt)],
    ['Ended', timestamp(r.endedAt)],
    ['Duration', duration(r.durationMs)],
    ['Workers', `${integer(r.workers.completed)} / ${integer(r.workers.planned)}`],
  ]
    .map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('');
  return `<header class="hero">
<div class="eyebrow">Throughline load test report</div>
<div class="title-row"><h1>${escapeHtml(r.name) || DASH}</h1><span class="badge badge-${tone}" data-status="${escapeHtml(r.status)}">${escapeHtml(r.status)}</span></div>
<dl class="meta">${meta}</dl>
${renderAbortNotice(r.abortedBy)}
</header>`;
}

function renderAbortNotice(abortedBy: readonly ThresholdResult[] | undefined): string {
  if (!abortedBy || abortedBy.length === 0) return '';
  const items = abortedBy
    .map(
      (t) =>
        `<code>${escapeHtml(t.metric)}</code> <code>${escapeHtml(t.expression)}</code> (observed ${escapeHtml(observed(t))})`,
    )
    .join('; ');
  return `<div class="alert" role="alert" data-aborted-by><strong>Aborted early</strong> by threshold with abortOnFail: ${items}</div>`;
}

interface Card {
  readonly label: string;
  readonly value: string;
  readonly sub: string;
  readonly tone?: Tone;
}

const rateTone = (rate: number): Tone => (!(rate > 0) ? 'good' : rate < 0.01 ? 'warn' : 'bad');

export function renderCards(r: TestResults): string {
  const t = r.totals;
  const l = r.latencyMs;
  const checked = t.checks.passed + t.checks.failed;
  const cards: Card[] = [
    { label: 'Requests', value: integer(t.requests), sub: `${integer(t.iterations)} iterations` },
    {
      label: 'Throughput',
      value: `${compact(t.rps)}/s`,
      sub: `in ${bytes(t.bytesIn)} · out ${bytes(t.bytesOut)}`,
    },
    {
      label: 'Error rate',
      value: percent(t.errorRate),
      sub: `${integer(t.errors)} errors`,
      tone: rateTone(t.errorRate),
    },
    {
      label: 'Dropped iterations',
      value: integer(t.droppedIterations),
      sub: `${integer(t.interruptedIterations)} interrupted`,
      tone: t.droppedIterations > 0 ? 'warn' : 'neutral',
    },
    checked === 0
      ? { label: 'Checks', value: DASH, sub: 'no checks defined' }
      : {
          label: 'Checks passed',
          value: percent(t.checks.rate),
          sub: `${integer(t.checks.passed)} passed · ${integer(t.checks.failed)} failed`,
          tone: rateTone(1 - t.checks.rate),
        },
  ];
  const latencyCards: Card[] = [
    { label: 'Latency p50', value: millis(l.p50), sub: `mean ${millis(l.mean)}` },
    { label: 'Latency p95', value: millis(l.p95), sub: `p90 ${millis(l.p90)}` },
    { label: 'Latency p99', value: millis(l.p99), sub: '1 in 100 slower' },
    { label: 'Latency p99.9', value: millis(l.p999), sub: '1 in 1,000 slower' },
    { label: 'Latency max', value: millis(l.max), sub: `min ${millis(l.min)}` },
  ];
  const grid = (list: readonly Card[]) =>
    `<div class="cards">${list
      .map(
        (c) =>
          `<div class="card${c.tone && c.tone !== 'neutral' ? ` ${c.tone}` : ''}"><div class="label">${escapeHtml(c.label)}</div><div class="value" title="${escapeHtml(c.value)}">${escapeHtml(c.value)}</div><div class="sub">${escapeHtml(c.sub)}</div></div>`,
      )
      .join('')}</div>`;
  // Two rows of five: traffic and outcome first, then the latency distribution.
  return `<section aria-label="Summary">${grid(cards)}${grid(latencyCards)}</section>`;
}

/**
 * The observed value with its unit: durations compare against milliseconds ("200 what?"), and a
 * failure or check rate is easier to judge as a percentage next to the raw 0–1 number.
 */
function observed(t: ThresholdResult): string {
  if (t.metric.startsWith('http_req_duration')) return `${exact(t.value)} ms`;
  const isRatio = /^(http_req_failed|checks)\b/.test(t.metric) && t.expression.trim().startsWith('rate');
  return isRatio && Number.isFinite(t.value) ? `${exact(t.value)} (${percent(t.value)})` : exact(t.value);
}

export function renderThresholds(thresholds: readonly ThresholdResult[]): string {
  if (thresholds.length === 0) {
    return `<section><h2>Thresholds</h2><div class="empty">No thresholds were defined for this test.</div></section>`;
  }
  const passed = thresholds.filter((t) => t.ok).length;
  const rows = thresholds
    .map(
      (t) => `<tr data-threshold data-ok="${t.ok}">
<td><code>${escapeHtml(t.metric)}</code></td><td><code>${escapeHtml(t.expression)}</code></td>
<td class="num">${escapeHtml(observed(t))}</td>
<td>${t.ok ? '<span class="ok">✓ pass</span>' : '<span class="fail">✗ fail</span>'}</td>
<td>${t.abortOnFail ? 'yes' : '<span class="muted">no</span>'}</td></tr>`,
    )
    .join('');
  return `<section><h2>Thresholds <span class="muted">· ${passed} of ${thresholds.length} passed</span></h2>
<div class="table-wrap"><table><thead><tr><th>Metric</th><th>Expression</th><th class="num">Value</th><th>Result</th><th>Abort on fail</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}
