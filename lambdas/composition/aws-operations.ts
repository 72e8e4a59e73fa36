import { systemClock } from '../adapters/node/clock';
import { newTestId } from '../adapters/node/ids';
import type { AwsConfig } from '../config/env';
import { createMetricsReader } from '../core/observability/metrics';
import type { ScalingDeps } from '../core/scaling/scaling';
import type { Log } from '../ports/log';
import { awsObservability } from './aws';

/**
 * The metrics, alarms and scaling endpoints on AWS: CloudWatch, Application Auto Scaling, the
 * journal in the test table, SNS for announcements. Built once per container.
 */

/** Answers for the same aligned window are reused this long: CloudWatch bills GetMetricData per metric. */
export const METRICS_CACHE_TTL_MS = 30_000;

export function awsOperations(config: AwsConfig, log: Log) {
  const aws = awsObservability(config);
  const scaling: ScalingDeps = {
    backend: aws.scaling,
    journal: aws.journal,
    targets: config.scalableTargets,
    clock: systemClock,
    newId: newTestId,
    notifier: aws.notifier,
    log,
  };
  return {
    metrics: createMetricsReader({
      provider: aws.metrics,
      clock: systemClock,
      cacheTtlMs: METRICS_CACHE_TTL_MS,
    }),
    alarms: aws.alarms,
    scaling,
  };
}
