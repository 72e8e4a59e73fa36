import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { HandlerFunction } from '../shared/handler-function';
import type { TestStorage } from '../storage/test-storage';

export interface TestRunnerProps {
  /** Absolute path of `run-test.ts`. */
  readonly entry: string;
  readonly logs: EncryptedLogs;
  readonly storage: TestStorage;
  readonly environment: Readonly<Record<string, string>>;
  /** Tests that may run at once: the function's reserved concurrency. */
  readonly maxConcurrentTests: number;
}

/**
 * Runs one load test in one Lambda invocation (this phase; Step Functions fan-out replaces it for
 * larger tests). Nothing but the create-test handler starts it, asynchronously, with
 * `{ "testId": "…" }`; it is not behind the API.
 */
export class TestRunner extends Construct {
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: TestRunnerProps) {
    super(scope, id);
    this.handler = new HandlerFunction(this, 'RunTest', {
      entry: props.entry,
      description: 'Throughline: runs one load test (invoked asynchronously by create-test)',
      logs: props.logs,
      environment: props.environment,
      timeout: Duration.minutes(15),
      // 1,769 MB is where Lambda allocates one full vCPU; the load generator is CPU-bound.
      memorySize: 1769,
      // Caps concurrent tests; invocations beyond it wait in Lambda's async queue for a free slot.
      reservedConcurrentExecutions: props.maxConcurrentTests,
      // A retried invocation would run the same load test against the target a second time.
      retryAttempts: 0,
      // The API shows a test no runner picked up within 10 min as interrupted (STALE_QUEUED_MS);
      // dropping its event sooner keeps a late runner from starting it after that.
      maxEventAge: Duration.minutes(5),
    });
    props.storage.grantReadWriteTests(this.handler);
    props.storage.grantReadWriteResults(this.handler);
  }

  /** The function name the create-test handler invokes (THROUGHLINE_RUNNER_FUNCTION). */
  get functionName(): string {
    return this.handler.function.functionName;
  }

  /** Lets `starter` invoke the runner. */
  grantStart(starter: HandlerFunction): void {
    this.handler.function.grantInvoke(starter);
    const fn = Stack.of(this).getLogicalId(this.handler.function.node.defaultChild as CfnElement);
    starter.acknowledge(
      `AwsSolutions-IAM5[Resource::<${fn}.Arn>:*]`,
      "grantInvoke also names the runner's qualified ARNs (versions and aliases) so an alias can be " +
        'introduced without a policy change; the wildcard reaches no function but the runner.',
    );
  }
}
