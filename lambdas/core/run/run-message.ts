import type { TestResults } from '../../model/results';
import type { TestRecord } from '../../ports/test-store';

/** The notification a finished distributed run sends (SNS): a few readable lines, not JSON. */
export function runMessage(
  testId: string,
  record: TestRecord | undefined,
  results: TestResults | undefined,
): string {
  if (!record) return `Throughline test ${testId}: no longer exists.`;
  const head = `Throughline test "${record.name}" (${testId}): ${record.status}`;
  if (!results) return `${head}${record.error ? ` — ${record.error.message}` : ''}`;
  const failed = results.thresholds.filter((t) => !t.ok);
  const lines = [
    head,
    `${results.totals.requests.toLocaleString('en-US')} requests at ${results.totals.rps} req/s, errors ${(results.totals.errorRate * 100).toFixed(2)} %, p95 ${results.latencyMs.p95} ms, p99 ${results.latencyMs.p99} ms`,
    `thresholds: ${results.thresholds.length - failed.length}/${results.thresholds.length} met${failed.length ? ` — failed: ${failed.map((t) => `${t.metric} ${t.expression} (${t.value})`).join(', ')}` : ''}`,
    `workers: ${results.workers.completed}/${results.workers.planned} completed${results.workers.failed ? `, lost segments: ${results.workers.failures.map((f) => f.segment).join(', ')}` : ''}`,
    ...(results.comparison
      ? [`against baseline ${results.comparison.baselineId}: ${results.comparison.verdict}`]
      : []),
    ...(results.warnings ?? []),
  ];
  return lines.join('\n');
}
