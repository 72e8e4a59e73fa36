import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsTestStore } from '../adapters/aws/dynamo-test-store';
import { createS3RunStore } from '../adapters/aws/s3-run-store';
import { createStepFunctionsLauncher, SFNClient } from '../adapters/aws/step-functions-launcher';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import { processSampler } from '../adapters/node/resource-sampler';
import type { AwsConfig } from '../config/aws';
import type { SegmentWorkerDeps } from '../core/platform/segment-worker';
import type { PlatformDeps } from '../core/platform/tests';
import type { Clock } from '../ports/clock';
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
