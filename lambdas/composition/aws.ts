import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsTestStore } from '../adapters/aws/dynamo-test-store';
import { createS3ReportPublisher, type ReportCacheSeconds } from '../adapters/aws/s3-report-publisher';
import { createS3RunStore, planItemsKey } from '../adapters/aws/s3-run-store';
import { createStepFunctionsLauncher, SFNClient } from '../adapters/aws/step-functions-launcher';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import { processSampler } from '../adapters/node/resource-sampler';
import type { AwsConfig } from '../config/aws';
import { capacityPlanner, type Planner } from '../core/run/plan-run';
import type { SegmentWorkerDeps } from '../core/run/segment-worker';
import type { PlatformDeps } from '../core/tests/test-service';
import type { Clock } from '../ports/clock';
import type { ReportPublisher } from '../ports/report-publisher';
import type { RunStore } from '../ports/run-store';
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
  isRunning: () =>
    Promise.reject(new Error('this function cannot see executions (THROUGHLINE_STATE_MACHINE_ARN)')),
};

export function awsPlatform(config: AwsConfig): PlatformDeps {
  const { s3, dynamo } = clients(config);
  return {
    store: createAwsTestStore({ dynamo, s3, tableName: config.tableName, bucket: config.bucket }),
    runs: createS3RunStore({ s3, bucket: config.bucket }),
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
  /** Lambda or Fargate workers sized from per-worker capacity (cdk.json). */
  readonly planner: Planner;
  /** Where the Distributed Map reads the plan's items (ItemReader). */
  readonly planItemsAt: (testId: string) => { readonly bucket: string; readonly key: string };
}

/** The CDN's origin: finished reports under the results bucket's reports/ prefix (ADR 006). */
export function awsReportPublisher(config: AwsConfig, cache: ReportCacheSeconds): ReportPublisher {
  return createS3ReportPublisher(clients(config).s3, config.bucket, cache);
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
    planner: capacityPlanner(config.capacity),
    planItemsAt: (testId) => ({ bucket: config.bucket, key: planItemsKey(testId) }),
    worker: {
      tests,
      runs,
      clock: systemClock,
      resources: processSampler,
      runJob: runWorkerJob,
    },
  };
}
