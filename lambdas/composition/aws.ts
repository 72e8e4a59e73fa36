import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAppAutoScaling } from '../adapters/aws/app-autoscaling';
import { createCloudWatchAlarms } from '../adapters/aws/cloudwatch-alarms';
import { createCloudWatchMetrics } from '../adapters/aws/cloudwatch-metrics';
import { createDynamoScalingJournal } from '../adapters/aws/dynamo-scaling-journal';
import { createAwsTestStore } from '../adapters/aws/dynamo-test-store';
import { createS3RunStore } from '../adapters/aws/s3-run-store';
import { createSnsNotifier } from '../adapters/aws/sns-notifier';
import { createStepFunctionsLauncher, SFNClient } from '../adapters/aws/step-functions-launcher';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import { processSampler } from '../adapters/node/resource-sampler';
import type { AwsConfig } from '../config/env';
import type { SegmentWorkerDeps } from '../core/platform/segment-worker';
import type { PlatformDeps } from '../core/platform/tests';
import type { AlarmReader } from '../ports/alarms';
import type { Clock } from '../ports/clock';
import type { MetricsProvider } from '../ports/metrics';
import type { Notifier } from '../ports/notifier';
import type { RunStore } from '../ports/run-store';
import type { ScalingBackend, ScalingJournal } from '../ports/scaling';
import type { TestLauncher } from '../ports/test-launcher';
import type { TestStore } from '../ports/test-store';
import { runWorkerJob } from './worker-job';

/** AWS wiring: DynamoDB + S3 stores, Step Functions as launcher. Clients are built once per container. */

function clients(config: AwsConfig) {
  const clientConfig = { region: config.region };
  const s3 = new S3Client(clientConfig);
  return { s3, dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig)) };
}

/** Only create-test starts runs; the other handlers get a launcher that says so if ever called. */
const noLauncher: TestLauncher = {
  launch: () => Promise.reject(new Error('this function cannot start runs (THROUGHLINE_STATE_MACHINE_ARN)')),
  cancel: async () => {},
};

export function awsPlatform(config: AwsConfig): PlatformDeps {
  const { s3, dynamo } = clients(config);
  return {
    store: createAwsTestStore({ dynamo, s3, tableName: config.tableName, bucket: config.bucket }),
    launcher: config.stateMachineArn
      ? createStepFunctionsLauncher(new SFNClient({ region: config.region }), config.stateMachineArn)
      : noLauncher,
    resolver: systemResolver,
    clock: systemClock,
    newId: newTestId,
    policy: config.policy,
    capacity: config.capacity,
  };
}

export interface AwsRunDeps {
  readonly tests: TestStore;
  readonly runs: RunStore;
  readonly clock: Clock;
}

/** What the distributed run's functions and the Fargate worker share (ADR 003). */
export function awsRun(config: AwsConfig): AwsRunDeps & { readonly worker: SegmentWorkerDeps } {
  const { s3, dynamo } = clients(config);
  const tests = createAwsTestStore({ dynamo, s3, tableName: config.tableName, bucket: config.bucket });
  const runs = createS3RunStore({ s3, bucket: config.bucket });
  return {
    tests,
    runs,
    clock: systemClock,
    worker: {
      tests,
      runs,
      clock: systemClock,
      resources: processSampler,
      targets: config.policy.targets,
      runJob: runWorkerJob,
    },
  };
}

export interface AwsObservabilityDeps {
  readonly metrics: MetricsProvider;
  readonly alarms: AlarmReader;
  readonly scaling: ScalingBackend;
  readonly journal: ScalingJournal;
  /** Present only when THROUGHLINE_NOTIFY_TOPIC_ARN is set. */
  readonly notifier: Notifier | undefined;
}

/**
 * Metrics, alarms and scaling on AWS. Call once per container (module scope): the clients keep
 * their connections. Service clients are made only for what the configuration monitors or scales;
 * CloudFront's metrics exist in us-east-1 only, hence a second CloudWatch client elsewhere.
 */
export function awsObservability(config: AwsConfig): AwsObservabilityDeps {
  const clientConfig = { region: config.region };
  const cloudwatch = new CloudWatchClient(clientConfig);
  const watchesCloudFront = config.monitored.some((r) => r.kind === 'cloudfront');
  const cloudwatchUsEast1 = !watchesCloudFront
    ? undefined
    : config.region === 'us-east-1'
      ? cloudwatch
      : new CloudWatchClient({ region: 'us-east-1' });
  const kinds = new Set(config.scalableTargets.map((t) => t.kind));
  return {
    metrics: createCloudWatchMetrics({
      cloudwatch,
      ...(cloudwatchUsEast1 ? { cloudwatchUsEast1 } : {}),
      resources: config.monitored,
    }),
    alarms: createCloudWatchAlarms(cloudwatch, config.alarmPrefix ?? ''),
    scaling: createAppAutoScaling({
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
    notifier: config.notifyTopicArn
      ? createSnsNotifier(new SNSClient(clientConfig), config.notifyTopicArn)
      : undefined,
  };
}
