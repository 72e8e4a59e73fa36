import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAppAutoScaling } from '../adapters/aws/app-autoscaling';
import { createCloudWatchAlarms } from '../adapters/aws/cloudwatch-alarms';
import { createCloudWatchMetrics } from '../adapters/aws/cloudwatch-metrics';
import { createDynamoScalingJournal } from '../adapters/aws/dynamo-scaling-journal';
import { createSnsNotifier } from '../adapters/aws/sns-notifier';
import { systemClock } from '../adapters/node/clock';
import { newTestId } from '../adapters/node/ids';
import type { AwsConfig } from '../config/aws';
import { createMetricsReader } from '../core/observability/metrics';
import type { ScalingDeps } from '../core/scaling/scaling';
import type { AlarmReader } from '../ports/alarms';
import type { Log } from '../ports/log';

/**
 * The metrics, alarms and scaling endpoints on AWS: CloudWatch, Application Auto Scaling, the
 * journal in the test table, SNS for announcements. Each function builds only the clients its
 * endpoint uses (smaller bundles, faster cold starts); call once per container (module scope).
 * `clientConfig` defaults to the function's region; tests point it at moto.
 */

type ClientConfig = { readonly region: string } & Record<string, unknown>;
const defaults = (config: AwsConfig): ClientConfig => ({ region: config.region });

/** Answers for the same aligned window are reused this long: CloudWatch bills GetMetricData per metric. */
export const METRICS_CACHE_TTL_MS = 30_000;

export function awsMetrics(config: AwsConfig, clientConfig: ClientConfig = defaults(config)) {
  const cloudwatch = new CloudWatchClient(clientConfig);
  // CloudFront publishes its metrics in us-east-1 only.
  const usEast1 =
    !config.monitored.some((r) => r.kind === 'cloudfront') || clientConfig.region === 'us-east-1'
      ? cloudwatch
      : new CloudWatchClient({ ...clientConfig, region: 'us-east-1' });
  const provider = createCloudWatchMetrics({
    cloudwatch,
    cloudwatchUsEast1: usEast1,
    resources: config.monitored,
  });
  return createMetricsReader({ provider, clock: systemClock, cacheTtlMs: METRICS_CACHE_TTL_MS });
}

export function awsAlarms(config: AwsConfig, clientConfig: ClientConfig = defaults(config)): AlarmReader {
  return createCloudWatchAlarms(new CloudWatchClient(clientConfig), config.alarmPrefix ?? '');
}

export function awsScaling(
  config: AwsConfig,
  log: Log,
  clientConfig: ClientConfig = defaults(config),
): ScalingDeps {
  const kinds = new Set(config.scalableTargets.map((t) => t.kind));
  return {
    backend: createAppAutoScaling({
      autoscaling: new ApplicationAutoScalingClient(clientConfig),
      ...(kinds.has('lambda-provisioned-concurrency') ? { lambda: new LambdaClient(clientConfig) } : {}),
      ...(kinds.has('ecs-service') ? { ecs: new ECSClient(clientConfig) } : {}),
      ...(kinds.has('elasticache-shards') || kinds.has('elasticache-replicas')
        ? { elasticache: new ElastiCacheClient(clientConfig) }
        : {}),
    }),
    journal: createDynamoScalingJournal({
      dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig)),
      tableName: config.tableName,
    }),
    targets: config.scalableTargets,
    clock: systemClock,
    newId: newTestId,
    notifier: config.notifyTopicArn
      ? createSnsNotifier(new SNSClient(clientConfig), config.notifyTopicArn)
      : undefined,
    log,
  };
}
