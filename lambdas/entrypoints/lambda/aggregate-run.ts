import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/env';
import { aggregateRun } from '../../core/platform/aggregate-run';
import { runMessage } from '../../core/platform/run-message';
import { logger, metrics } from './powertools';

/** Step Functions task "Aggregate": merges every window, finishes the test, publishes metrics. */
const run = awsRun(awsConfig(process.env));

export async function handler(event: { readonly testId: string }) {
  logger.appendKeys({ testId: event.testId });
  const items = await run.runs.planItems(event.testId);
  if (!items || items.length === 0) throw new Error(`test ${event.testId} has no plan`);
  const record = await aggregateRun(run, event.testId, {
    startAtMs: items[0]?.startAtMs ?? 0,
    segments: items.map((i) => i.segment),
  });
  const results = await run.tests.getResults(event.testId);
  if (record && results) {
    metrics.addDimension('TestName', record.name);
    metrics.addMetric('Requests', MetricUnit.Count, results.totals.requests);
    metrics.addMetric('ErrorRate', MetricUnit.Percent, results.totals.errorRate * 100);
    metrics.addMetric('LatencyP95', MetricUnit.Milliseconds, results.latencyMs.p95);
    metrics.addMetric('ThresholdsFailed', MetricUnit.Count, results.thresholds.filter((t) => !t.ok).length);
    metrics.addMetric('WorkersLost', MetricUnit.Count, results.workers.failed);
    metrics.publishStoredMetrics();
  }
  return {
    testId: event.testId,
    status: record?.status ?? 'unknown',
    message: runMessage(event.testId, record, results),
  };
}
