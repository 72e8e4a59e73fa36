import type { TestResults } from '../../model/results';

/** The end-of-run summary printed to the terminal. */
export function renderSummary(r: TestResults): string {
  const l = r.latencyMs;
  const lines = [
    `${r.name}: ${r.status.toUpperCase()}  (${(r.durationMs / 1_000).toFixed(1)} s)`,
    `  requests ${r.totals.requests}  rate ${r.totals.rps}/s  errors ${r.totals.errors} (${(r.totals.errorRate * 100).toFixed(2)}%)  dropped iterations ${r.totals.droppedIterations}`,
    `  latency ms  min ${l.min}  p50 ${l.p50}  p90 ${l.p90}  p95 ${l.p95}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}`,
  ];
  const kinds = Object.entries(r.errorsByKind);
  if (kinds.length > 0) lines.push(`  errors by kind  ${kinds.map(([k, n]) => `${k} ${n}`).join('  ')}`);
  if (r.totals.checks.passed + r.totals.checks.failed > 0)
    lines.push(
      `  checks ${(r.totals.checks.rate * 100).toFixed(2)}% passed (${r.totals.checks.failed} failed)`,
    );
  for (const q of r.byRequest)
    lines.push(
      `  · ${q.scenario}/${q.name}  ${q.requests} req  p95 ${q.latencyMs.p95}ms  p99 ${q.latencyMs.p99}ms  errors ${(q.errorRate * 100).toFixed(2)}%`,
    );
  for (const t of r.thresholds)
    lines.push(`  ${t.ok ? '✓' : '✗'} ${t.metric} ${t.expression}  (value ${t.value})`);
  if (r.abortedBy)
    lines.push(`  aborted by ${r.abortedBy.map((t) => `${t.metric} ${t.expression}`).join(', ')}`);
  for (const f of r.workers.failures)
    lines.push(`  worker ${f.worker} (segment ${f.segment}) failed: ${f.error}`);
  lines.push(...capacityLines(r.capacity));
  return `${lines.join('\n')}\n`;
}

/** A stepped run: where it saturates (details: `throughline capacity results.json`). */
function capacityLines(c: TestResults['capacity']): string[] {
  if (c === undefined || c.model === 'none') return [];
  const sustained =
    c.maxSustainableRps === undefined
      ? 'no plateau met the thresholds'
      : `max sustainable ${c.maxSustainableRps}/s`;
  const fit = c.fit.fitted
    ? c.fit.nMax === undefined
      ? `no peak measured, roof ${Math.round(c.fit.xRoof ?? 0)}/s`
      : `peak ${Math.round(c.fit.xMax ?? 0)}/s at ${c.fit.nMax.toFixed(1)} concurrent`
    : `no fit: ${c.fit.reason}`;
  return [`  capacity  ${c.plateaus.length} plateaus  ${sustained}  ${fit}`];
}
