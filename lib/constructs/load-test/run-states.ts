// Building blocks of the run's states (LoadTestOrchestrator assembles them): state names, retry and
// catch policies, the Lambda task shape, and the two Distributed Maps' item processors.
import { Duration } from 'aws-cdk-lib';
import { FargatePlatformVersion, type ICluster } from 'aws-cdk-lib/aws-ecs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  DistributedMap,
  Errors,
  type IChainable,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Pass,
  type RetryProps,
  S3JsonItemReader,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  CapacityProviderOptions,
  EcsFargateLaunchTarget,
  LambdaInvoke,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ClusterBoundRunTask } from './cluster-bound-run-task';
import type { FargateWorkers } from './fargate-workers';

/** State names of the run's ASL; tests (and local executions of the ASL) refer to states by them. */
export const STATES = {
  plan: 'Plan',
  isSkipped: 'IsSkipped',
  run: 'Run',
  chooseRuntime: 'ChooseRuntime',
  lambdaWorkers: 'LambdaWorkers',
  lambdaWorker: 'LambdaWorker',
  lambdaWorkerLost: 'LambdaWorkerLost',
  fargateWorkers: 'FargateWorkers',
  fargateWorker: 'FargateWorker',
  fargateWorkerExited: 'FargateWorkerExited',
  fargateWorkerLost: 'FargateWorkerLost',
  unknownRuntime: 'UnknownRuntime',
  monitor: 'Monitor',
  keepMonitoring: 'KeepMonitoring',
  monitorDone: 'MonitorDone',
  aggregate: 'Aggregate',
  notify: 'Notify',
  done: 'Done',
  failRun: 'FailRun',
  failed: 'Failed',
} as const;

/** Lambda's transient invoke errors: throttling and service-side failures, never the handler's own. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'Lambda.AWSLambdaException',
];
const LAMBDA_RETRY: RetryProps = {
  errors: LAMBDA_TRANSIENT_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  jitterStrategy: JitterType.FULL,
};

/**
 * RunTask is throttled (surfacing as ECS.AmazonECSException) while a large fan-out launches beyond
 * Fargate's ~20 tasks a second, and Spot capacity can be briefly short: more attempts, capped delay.
 */
export const ECS_RETRY: RetryProps = {
  errors: ['ECS.AmazonECSException', 'ECS.ServerException', 'ECS.LimitExceededException'],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 10,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

/** Catches keep the state input (it carries testId and the worker) and add the error as `error`. */
export const CATCH = { errors: [Errors.ALL], resultPath: '$.error' };
/** Task failures of an idempotent step: retried with backoff (2 s … 32 s, full jitter) before the catch. */
export const RETRY_IDEMPOTENT = {
  errors: [Errors.TASKS_FAILED],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: JitterType.FULL,
};

export interface InvokeOptions {
  /** Fields of the state input to send; absent: the whole input. */
  readonly payload?: Record<string, unknown>;
  readonly resultPath?: string;
  readonly resultSelector?: Record<string, unknown>;
}

/** A Lambda task: the function's own answer as the result, transient invoke errors retried. */
export function invokeRunFunction(
  scope: Construct,
  id: string,
  fn: IFunction,
  options: InvokeOptions = {},
): LambdaInvoke {
  const task = new LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    ...(options.payload === undefined ? {} : { payload: TaskInput.fromObject(options.payload) }),
    ...(options.resultPath === undefined ? {} : { resultPath: options.resultPath }),
    ...(options.resultSelector === undefined ? {} : { resultSelector: options.resultSelector }),
  });
  task.addRetry(LAMBDA_RETRY);
  return task;
}

/**
 * A Distributed Map over the plan's items (an S3 JSON array at `$.itemsBucket`/`$.itemsKey`), every
 * item as a child execution and all of them at once: the workers wait for a common start. Lost
 * workers never fail it (Aggregate names them), and its result is discarded.
 */
export function workersMap(scope: Construct, id: string, processor: IChainable): DistributedMap {
  return new DistributedMap(scope, id, {
    label: id,
    itemReader: new S3JsonItemReader({
      bucketNamePath: JsonPath.stringAt('$.itemsBucket'),
      key: JsonPath.stringAt('$.itemsKey'),
    }),
    toleratedFailurePercentage: 100,
    resultPath: JsonPath.DISCARD,
  }).itemProcessor(processor);
}

/** One Lambda worker: the item is its whole input, its report comes back as `{worker, outcome}`. */
export function lambdaWorker(scope: Construct, fn: IFunction): IChainable {
  const task = invokeRunFunction(scope, STATES.lambdaWorker, fn, {
    resultSelector: { worker: JsonPath.numberAt('$.worker'), outcome: JsonPath.stringAt('$.outcome') },
  });
  task.addCatch(lostWorker(scope, STATES.lambdaWorkerLost), CATCH);
  return task;
}

/** One Fargate worker: a task of the worker definition, run to its end (.sync). */
export function fargateWorker(scope: Construct, fargate: FargateWorkers, spot: boolean): IChainable {
  const task = new ClusterBoundRunTask(scope, STATES.fargateWorker, {
    integrationPattern: IntegrationPattern.RUN_JOB,
    // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertion)
    cluster: fargate.cluster as ICluster,
    taskDefinition: fargate.taskDefinition,
    launchTarget: new EcsFargateLaunchTarget({
      platformVersion: FargatePlatformVersion.LATEST,
      ...(spot
        ? {
            capacityProviderOptions: CapacityProviderOptions.custom([
              { capacityProvider: 'FARGATE_SPOT', weight: 1 },
            ]),
          }
        : {}),
    }),
    assignPublicIp: true,
    subnets: fargate.subnets,
    securityGroups: [fargate.securityGroup],
    containerOverrides: [
      {
        containerDefinition: fargate.container,
        // Environment values are strings: numbers go through States.JsonToString.
        environment: [
          { name: 'THROUGHLINE_TEST_ID', value: JsonPath.stringAt('$.testId') },
          { name: 'THROUGHLINE_SEGMENT', value: JsonPath.stringAt('$.segment') },
          { name: 'THROUGHLINE_WORKER', value: JsonPath.jsonToString(JsonPath.numberAt('$.worker')) },
          { name: 'THROUGHLINE_START_AT_MS', value: JsonPath.jsonToString(JsonPath.numberAt('$.startAtMs')) },
        ],
      },
    ],
    taskTimeout: Timeout.at('$.timeoutSeconds'),
    // The task description runs to kilobytes; the worker's report is in S3 anyway.
    resultPath: JsonPath.DISCARD,
  });
  task.addRetry(ECS_RETRY);
  task.addCatch(lostWorker(scope, STATES.fargateWorkerLost), CATCH);
  return task.next(
    new Pass(scope, STATES.fargateWorkerExited, {
      parameters: { worker: JsonPath.numberAt('$.worker'), outcome: 'exited' },
    }),
  );
}

/** A worker whose task failed: a result, not a failed child, so the Map runs on. */
function lostWorker(scope: Construct, id: string): Pass {
  return new Pass(scope, id, {
    parameters: {
      worker: JsonPath.numberAt('$.worker'),
      outcome: 'lost',
      error: JsonPath.stringAt('$.error.Error'),
    },
  });
}
