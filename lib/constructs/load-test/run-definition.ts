import { Duration } from 'aws-cdk-lib';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Parallel,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { type LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { FargateWorkers } from './fargate-workers';
import type { RunFunctions } from './run-functions';
import type { RunNotifications } from './run-notifications';
import {
  CATCH,
  fargateWorker,
  invokeRunFunction,
  lambdaWorker,
  RETRY_IDEMPOTENT,
  STATES,
  workersMap,
} from './run-states';

export interface RunDefinitionProps {
  readonly functions: RunFunctions;
  readonly fargate: FargateWorkers;
  readonly notifications: RunNotifications;
  /** Fargate workers run on Spot capacity. */
  readonly spot: boolean;
}

/**
 * The flow of one distributed run (ADR 003), the states LoadTestOrchestrator's state machine runs:
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
export class RunDefinition {
  /** The first state; the whole flow hangs off it. */
  readonly start: IChainable;
  private readonly scope: Construct;
  private readonly functions: RunFunctions;
  private readonly fargate: FargateWorkers;
  private readonly notifications: RunNotifications;

  /** Builds the states in `scope` (their construct ids are the state names). */
  constructor(scope: Construct, props: RunDefinitionProps) {
    this.scope = scope;
    this.functions = props.functions;
    this.fargate = props.fargate;
    this.notifications = props.notifications;
    const failure = this.buildFailurePath();
    const run = new Parallel(scope, STATES.run, {
      comment: 'Workers and the live monitor side by side; the plan passes through unchanged',
      resultPath: JsonPath.DISCARD,
    })
      .branch(this.buildWorkersPhase(props.spot))
      .branch(this.buildMonitorPhase())
      .addCatch(failure, CATCH);
    const done = new Succeed(scope, STATES.done);
    this.start = this.buildPlanPhase(failure).next(
      new Choice(scope, STATES.isSkipped)
        .when(Condition.and(Condition.isPresent('$.skip'), Condition.booleanEquals('$.skip', true)), done)
        .otherwise(run.next(this.buildAggregatePhase(failure)).next(this.buildNotifyPhase()).next(done)),
    );
  }

  /** Plan: queued → running, items to S3; its answer becomes the state every later phase reads. */
  private buildPlanPhase(failure: IChainable): LambdaInvoke {
    const plan = this.invoke(STATES.plan, 'planRun', { testId: JsonPath.stringAt('$.testId') });
    plan.addCatch(failure, CATCH);
    return plan;
  }

  private buildWorkersPhase(spot: boolean): IChainable {
    const { segmentWorker } = this.functions.handlers;
    return new Choice(this.scope, STATES.chooseRuntime)
      .when(
        Condition.stringEquals('$.runtime', 'lambda'),
        workersMap(this.scope, STATES.lambdaWorkers, lambdaWorker(this.scope, segmentWorker.function)),
      )
      .when(
        Condition.stringEquals('$.runtime', 'fargate'),
        workersMap(this.scope, STATES.fargateWorkers, fargateWorker(this.scope, this.fargate, spot)),
      )
      .otherwise(
        new Fail(this.scope, STATES.unknownRuntime, {
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
    // One throttle or a failed read must not fail an hour-long run: a call only reads and merges
    // windows and stores live figures, so calling it again is safe.
    monitor.addRetry(RETRY_IDEMPOTENT);
    return monitor.next(
      new Choice(this.scope, STATES.keepMonitoring)
        .when(Condition.stringEquals('$.state', 'continue'), monitor)
        .otherwise(new Succeed(this.scope, STATES.monitorDone)),
    );
  }

  private buildAggregatePhase(failure: IChainable): LambdaInvoke {
    const aggregate = this.invoke(STATES.aggregate, 'aggregateRun', {
      testId: JsonPath.stringAt('$.testId'),
    });
    // Aggregate reads everything again and stores its results before the final status; a retry
    // after a partial attempt redoes it, and one after a finished attempt returns what was stored.
    aggregate.addRetry(RETRY_IDEMPOTENT);
    aggregate.addCatch(failure, CATCH);
    return aggregate;
  }

  private buildNotifyPhase(): SnsPublish {
    const notify = new SnsPublish(this.scope, STATES.notify, {
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
      new Fail(this.scope, STATES.failed, {
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
    return invokeRunFunction(this.scope, id, this.functions.handlers[fn].function, {
      payload,
      ...(resultPath === undefined ? {} : { resultPath }),
    });
  }
}
