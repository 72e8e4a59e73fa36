import { Duration, Stack } from 'aws-cdk-lib';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Parallel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { type LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { capacityJson } from '../../config/run-settings';
import type { ThroughlineSettings } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import type { HandlerFunction } from '../shared/handler-function';
import { toRemovalPolicy } from '../shared/removal-policy';
import type { TestStorage } from '../storage/test-storage';
import { FargateWorkers } from './fargate-workers';
import { type InvalidationSender, RunFunctions } from './run-functions';
import { RunNotifications } from './run-notifications';
import { CATCH, fargateWorker, invokeRunFunction, lambdaWorker, STATES, workersMap } from './run-states';
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
  /** Where aggregate-run queues CDN invalidations of the results it stores. @default - no CDN */
  readonly invalidations?: InvalidationSender | undefined;
}

/**
 * The distributed run of ADR 003: one STANDARD execution per test, named after it.
 *
 * ```
 * {testId}   (StartExecution by create-test; the execution is named after the test)
 *    │
 *    ▼
 *  Plan ─────────────── plan-run: queued → running, one item per worker to S3
 *    │
 *    ▼
 *  IsSkipped ── skip (cancelled before it started) ─────────────────────────────────────► Done
 *    │ otherwise
 *    ▼
 *  Run (Parallel) ─┬─ ChooseRuntime ─┬─ lambda ──► LambdaWorkers  (Distributed Map, items: S3 JSON array)
 *    │             │                 │               └─ LambdaWorker ──error──► LambdaWorkerLost
 *    │             │                 ├─ fargate ─► FargateWorkers (Distributed Map, items: S3 JSON array)
 *    │             │                 │               └─ FargateWorker (ecs:runTask.sync) ─► FargateWorkerExited
 *    │             │                 │                    └──error──► FargateWorkerLost
 *    │             │                 └─ other ───► UnknownRuntime (Fail)
 *    │             └─ Monitor ◄──── continue ────┐
 *    │                  └──► KeepMonitoring ─────┴─ otherwise ──► MonitorDone
 *    ▼
 *  Aggregate ─► Notify (SNS: the aggregate's message) ─► Done
 *
 *  Plan, Run, Aggregate ── any error ──► FailRun (test → error) ─► Failed (with the caught error)
 * ```
 *
 * Both maps tolerate every child failing (a lost worker never fails the run: Aggregate names it)
 * and catch worker errors themselves, so a child's output is a small `{worker, outcome}` and the
 * map's result (discarded) stays far below the 256 KiB state limit. A failing monitor fails the run
 * rather than letting load continue unwatched: abortOnFail protects the target.
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
      invalidations: props.invalidations,
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

    const failure = this.buildFailurePath();
    const run = new Parallel(this, STATES.run, {
      comment: 'Workers and the live monitor side by side; the plan passes through unchanged',
      resultPath: JsonPath.DISCARD,
    })
      .branch(this.buildWorkersPhase(settings.fargate.spot))
      .branch(this.buildMonitorPhase())
      .addCatch(failure, CATCH);
    const done = new Succeed(this, STATES.done);
    const definition = this.buildPlanPhase(failure).next(
      new Choice(this, STATES.isSkipped)
        .when(Condition.and(Condition.isPresent('$.skip'), Condition.booleanEquals('$.skip', true)), done)
        .otherwise(run.next(this.buildAggregatePhase(failure)).next(this.buildNotifyPhase()).next(done)),
    );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
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
  }

  /** Plan: queued → running, items to S3; its answer becomes the state every later phase reads. */
  private buildPlanPhase(failure: IChainable): LambdaInvoke {
    const plan = this.invoke(STATES.plan, 'planRun', { testId: JsonPath.stringAt('$.testId') });
    plan.addCatch(failure, CATCH);
    return plan;
  }

  private buildWorkersPhase(spot: boolean): IChainable {
    const { segmentWorker } = this.functions.handlers;
    return new Choice(this, STATES.chooseRuntime)
      .when(
        Condition.stringEquals('$.runtime', 'lambda'),
        workersMap(this, STATES.lambdaWorkers, lambdaWorker(this, segmentWorker.function)),
      )
      .when(
        Condition.stringEquals('$.runtime', 'fargate'),
        workersMap(this, STATES.fargateWorkers, fargateWorker(this, this.fargate, spot)),
      )
      .otherwise(
        new Fail(this, STATES.unknownRuntime, {
          error: 'Throughline.UnknownRuntime',
          cause: 'plan-run chose a runtime other than "lambda" or "fargate"',
        }),
      );
  }

  /** Each call watches for up to 14 minutes and says whether to go on. */
  private buildMonitorPhase(): IChainable {
    const monitor = this.invoke(STATES.monitor, 'monitorRun', {
      testId: JsonPath.stringAt('$.testId'),
      startAtMs: JsonPath.numberAt('$.startAtMs'),
      plannedMs: JsonPath.numberAt('$.plannedMs'),
      workers: JsonPath.numberAt('$.workers'),
      deadlineMs: JsonPath.numberAt('$.deadlineMs'),
    });
    return monitor.next(
      new Choice(this, STATES.keepMonitoring)
        .when(Condition.stringEquals('$.state', 'continue'), monitor)
        .otherwise(new Succeed(this, STATES.monitorDone)),
    );
  }

  private buildAggregatePhase(failure: IChainable): LambdaInvoke {
    const aggregate = this.invoke(STATES.aggregate, 'aggregateRun', {
      testId: JsonPath.stringAt('$.testId'),
    });
    aggregate.addCatch(failure, CATCH);
    return aggregate;
  }

  private buildNotifyPhase(): SnsPublish {
    const notify = new SnsPublish(this, STATES.notify, {
      topic: this.notifications.topic,
      message: TaskInput.fromJsonPathAt('$.message'),
      subject: JsonPath.format(
        'Throughline load test {}: {}',
        JsonPath.stringAt('$.testId'),
        JsonPath.stringAt('$.status'),
      ),
      // The execution's output stays the aggregate's {testId, status, message}.
      resultPath: JsonPath.DISCARD,
    });
    notify.addRetry({
      // The results are stored by now; a repeated notification is the worst a retry can do.
      errors: [Errors.TASKS_FAILED],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: JitterType.FULL,
    });
    return notify;
  }

  /** The test ends `error` with the cause, and the execution fails with the error it caught. */
  private buildFailurePath(): IChainable {
    return this.invoke(
      STATES.failRun,
      'failRun',
      { testId: JsonPath.stringAt('$.testId'), error: JsonPath.objectAt('$.error') },
      JsonPath.DISCARD,
    ).next(
      new Fail(this, STATES.failed, {
        errorPath: JsonPath.stringAt('$.error.Error'),
        causePath: JsonPath.stringAt('$.error.Cause'),
      }),
    );
  }

  private invoke(
    id: string,
    fn: keyof RunFunctions['handlers'],
    payload: Record<string, unknown>,
    resultPath?: string,
  ): LambdaInvoke {
    return invokeRunFunction(this, id, this.functions.handlers[fn].function, {
      payload,
      ...(resultPath === undefined ? {} : { resultPath }),
    });
  }
}
