import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { capacityJson } from '../../config/run-settings';
import type { ThroughlineSettings } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import type { HandlerFunction } from '../shared/handler-function';
import { toRemovalPolicy } from '../shared/removal-policy';
import type { TestStorage } from '../storage/test-storage';
import { FargateWorkers } from './fargate-workers';
import { RunDefinition } from './run-definition';
import { type CdnPublishing, RunFunctions } from './run-functions';
import { RunNotifications } from './run-notifications';
import { StateMachineAccess } from './state-machine-access';

export { STATES } from './run-states';

/** Time an execution gets beyond the longest test: fan-out, the common start, aggregation. */
export const RUN_TIMEOUT_MARGIN = Duration.hours(1);

export interface LoadTestOrchestratorProps {
  readonly settings: Pick<
    ThroughlineSettings,
    'quotas' | 'fargate' | 'capacity' | 'alarmEmail' | 'removalPolicy'
  >;
  readonly logs: EncryptedLogs;
  readonly storage: TestStorage;
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  /** Environment every run function and the Fargate worker get (table, bucket, policy, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /** What aggregate-run publishes for the CDN and where it queues invalidations. @default - no CDN */
  readonly cdn?: CdnPublishing | undefined;
}

/**
 * The distributed run of ADR 003: one STANDARD execution per test, named after it. This construct
 * owns what the run uses (the run functions, the Fargate workers, the notification topic, the state
 * machine with its logs and role); RunDefinition draws and builds the flow of states.
 */
export class LoadTestOrchestrator extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: RunFunctions;
  readonly fargate: FargateWorkers;
  readonly notifications: RunNotifications;

  constructor(scope: Construct, id: string, props: LoadTestOrchestratorProps) {
    super(scope, id);
    const { settings } = props;
    this.functions = new RunFunctions(this, 'Functions', {
      entryDir: props.entryDir,
      logs: props.logs,
      storage: props.storage,
      environment: props.environment,
      capacityJson: capacityJson(settings.fargate, settings.capacity),
      maxConcurrentTests: settings.quotas.maxConcurrentTests,
      cdn: props.cdn,
    });
    this.fargate = new FargateWorkers(this, 'Fargate', {
      settings: settings.fargate,
      logs: props.logs,
      storage: props.storage,
      environment: props.environment,
    });
    this.notifications = new RunNotifications(this, 'Notifications', {
      email: settings.alarmEmail,
      removalPolicy: settings.removalPolicy,
    });

    const definition = new RunDefinition(this, {
      functions: this.functions,
      fargate: this.fargate,
      notifications: this.notifications,
      spot: settings.fargate.spot,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition.start),
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Throughline: one distributed load-test run (ADR 003)',
      timeout: Duration.seconds(settings.quotas.maxDurationSeconds).plus(RUN_TIMEOUT_MARGIN),
      tracingEnabled: true,
      logs: {
        // A vended-logs name keeps CloudWatch Logs' account-wide resource policy from growing per group.
        destination: props.logs.logGroup(
          this,
          'Logs',
          `/aws/vendedlogs/states/${Stack.of(this).stackName}-runs`,
        ),
        level: LogLevel.ALL,
        // Events only: inputs and outputs stay in the execution history, not in a second place.
        includeExecutionData: false,
      },
      removalPolicy: toRemovalPolicy(settings.removalPolicy),
    });
    new StateMachineAccess(this, 'Access', {
      stateMachine: this.stateMachine,
      storage: props.storage,
      functions: this.functions,
      notifications: this.notifications,
    });
  }

  /** The ARN create-test starts executions of (THROUGHLINE_STATE_MACHINE_ARN). */
  get stateMachineArn(): string {
    return this.stateMachine.stateMachineArn;
  }

  /** Lets `starter` start executions of this state machine, and nothing else. */
  grantStart(starter: HandlerFunction): void {
    this.stateMachine.grantStartExecution(starter);
    // Before it stores a silent test as interrupted, create-test asks whether its execution still runs.
    this.stateMachine.grantExecution(starter, 'states:DescribeExecution');
    starter.acknowledge(
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}:*]`,
      'Executions are named after their test id, known only once the test exists; the wildcard covers the executions of this one state machine, for DescribeExecution alone.',
    );
  }
}
