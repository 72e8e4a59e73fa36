import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAwsTestStore } from '../adapters/aws/dynamo-test-store';
import { createLambdaLauncher } from '../adapters/aws/lambda-launcher';
import { createInlinePool } from '../adapters/local/inline-pool';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import type { AwsConfig } from '../config/env';
import { executeTest } from '../core/platform/execute-test';
import type { PlatformDeps } from '../core/platform/tests';
import type { TestLauncher } from '../ports/test-launcher';
import type { TestStore } from '../ports/test-store';
import { runWorkerJob } from './worker-job';

/** AWS wiring: DynamoDB + S3 store, the runner Lambda as launcher. Clients are built once per container. */

function awsStore(config: AwsConfig): TestStore {
  const clientConfig = { region: config.region };
  return createAwsTestStore({
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig)),
    s3: new S3Client(clientConfig),
    tableName: config.tableName,
    bucket: config.bucket,
  });
}

/** Only create-test starts runs; the other handlers get a launcher that says so if ever called. */
const noLauncher: TestLauncher = {
  launch: () => Promise.reject(new Error('this function has no runner (THROUGHLINE_RUNNER_FUNCTION)')),
  cancel: async () => {},
};

export function awsPlatform(config: AwsConfig): PlatformDeps {
  return {
    store: awsStore(config),
    launcher: config.runnerFunction
      ? createLambdaLauncher(new LambdaClient({ region: config.region }), config.runnerFunction)
      : noLauncher,
    resolver: systemResolver,
    clock: systemClock,
    newId: newTestId,
    policy: config.policy,
  };
}

/**
 * The runner: one test on this Lambda's event loop (one segment; the Step Functions fan-out over
 * many workers replaces this for large tests). It polls the table's stop flag every second.
 */
export function awsRunner(config: AwsConfig): (testId: string) => Promise<unknown> {
  const store = awsStore(config);
  const pool = createInlinePool(runWorkerJob);
  return (testId) =>
    executeTest({ store, clock: systemClock, pool, workers: 1, targets: config.policy.targets }, testId);
}
