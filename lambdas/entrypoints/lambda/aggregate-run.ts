import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { awsReportPublisher, awsRun } from '../../composition/aws';
import { awsCache } from '../../composition/aws-cache';
import { awsConfig } from '../../config/aws';
import { awsCacheConfig } from '../../config/cache';
import { aggregateStep } from '../../core/run/aggregate';
import { reportKey } from '../../model/published-reports';
import { log, logger, metrics } from './powertools';

/**
 * Step Functions task "Aggregate": merges every window, finishes the test, publishes its reports
 * for the CDN, and metrics.
 */
const config = awsConfig();
const cacheConfig = awsCacheConfig();
const reports = cacheConfig.publishReports
  ? awsReportPublisher(config, {
      data: cacheConfig.resultsTtlSeconds,
      report: cacheConfig.reportsTtlSeconds,
    })
  : undefined;
const run = { ...awsRun(config), reports };
// Only the CDN queue: this function is outside the cache's VPC (results in L3 are dropped by their
// tag or expire; ADR 006).
const { cdn } = await awsCache({ ...cacheConfig, enabled: false }, log);

export async function handler(event: { readonly testId: string }) {
  logger.appendKeys({ testId: event.testId });
  const { results, name, ...out } = await aggregateStep(run, event.testId);
  if (results && name) {
    metrics.addDimension('TestName', name);
    metrics.addMetric('Requests', MetricUnit.Count, results.totals.requests);
    metrics.addMetric('ErrorRate', MetricUnit.Percent, results.totals.errorRate * 100);
    metrics.addMetric('LatencyP95', MetricUnit.Milliseconds, results.latencyMs.p95);
    metrics.addMetric('ThresholdsFailed', MetricUnit.Count, results.thresholds.filter((t) => !t.ok).length);
    metrics.addMetric('WorkersLost', MetricUnit.Count, results.workers.failed);
    metrics.publishStoredMetrics();
  }
  // Reports (re)published: the CDN must not keep an earlier version of them.
  if (results && cdn)
    await cdn
      .enqueue([`/${reportKey(event.testId, '*')}`])
      .catch((err: unknown) => log.error('CDN invalidation not queued', { error: String(err) }));
  logger.info('aggregated', { status: out.status });
  return out;
}
