import { join } from 'node:path';
import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { NO_RESERVATION } from '../shared/checkov';
import { type FunctionCheckovReasons, HandlerFunction } from '../shared/handler-function';
import type { TestStorage } from '../storage/test-storage';

/** The state machine's Lambda tasks (ADR 003), by role: entry file, size and what each may touch. */
export const RUN_FUNCTIONS = {
  planRun: {
    entry: 'plan-run.ts',
    description: 'plans a distributed run: queued → running, one S3 item per worker',
    memorySize: 512,
    timeout: Duration.minutes(2),
  },
  segmentWorker: {
    entry: 'segment-worker.ts',
    description: 'one Lambda worker of a distributed run: generates the load of its segment',
    // 1,769 MB is where Lambda allocates one full vCPU; the load generator is CPU-bound.
    memorySize: 1769,
    timeout: Duration.minutes(15),
    // A worker runs its segment for up to 14 of its 15 minutes by design (the Lambda/Fargate split),
    // so its duration alarm fires only within half a minute of the timeout, not at 80 % of it.
    durationAlarmPercent: 97,
  },
  monitorRun: {
    entry: 'monitor-run.ts',
    description: 'live status and abortOnFail across all workers of a run (≤ 14 min a call)',
    // It merges every worker's window each second while a run lasts: a full vCPU, like a worker.
    memorySize: 1769,
    timeout: Duration.minutes(15),
    // It watches for up to 14 minutes a call by design (see the worker's alarm).
    durationAlarmPercent: 97,
  },
  aggregateRun: {
    entry: 'aggregate-run.ts',
    description: 'merges every window of a run exactly and stores its results',
    // The merge streams windows page by page but is CPU-bound; 3,008 MB gives about 1.7 vCPUs.
    memorySize: 3008,
    timeout: Duration.minutes(15),
  },
  failRun: {
    entry: 'fail-run.ts',
    description: 'marks a test whose run failed outside the workers as error, with the cause',
    memorySize: 512,
    timeout: Duration.minutes(1),
  },
} as const;

export type RunFunctionName = keyof typeof RUN_FUNCTIONS;

/**
 * How the state machine (run-definition.ts) handles each function's failure: why none of them has a
 * dead-letter queue, which only failed asynchronous invocations reach.
 */
const FAILURE_HANDLING: Readonly<Record<RunFunctionName, string>> = {
  planRun:
    'transient invoke errors are retried, then the error is caught into fail-run, which marks the test error',
  segmentWorker:
    'transient invoke errors are retried, then the worker is recorded as lost and Aggregate names it in the results',
  monitorRun: "task failures are retried with backoff, then the Run state's catch sends the test to fail-run",
  aggregateRun:
    'task failures are retried with backoff, then caught into fail-run, which marks the test error',
  failRun: "its own failure fails the execution, which the state machine's failed-executions alarm reports",
};

/** The AWS services each function calls, all through public regional endpoints. */
const SERVICES: Readonly<Record<RunFunctionName, string>> = {
  planRun: 'DynamoDB and S3',
  segmentWorker: 'DynamoDB and S3',
  monitorRun: 'DynamoDB and S3',
  aggregateRun: 'DynamoDB, S3 and (with the CDN) SQS',
  failRun: 'DynamoDB',
};

/** Why checkov's Lambda checks that do not fit a run function do not. */
function runFunctionCheckov(name: RunFunctionName, maxConcurrentTests: number): FunctionCheckovReasons {
  const { entry } = RUN_FUNCTIONS[name];
  const worker = name === 'segmentWorker';
  return {
    concurrency: worker
      ? "The Distributed Map starts every worker of a run at once, as many as the plan decides, for the run's " +
        'common start: a reservation below that would throttle workers past their start, one as large as the ' +
        `largest run would sit idle between runs. ${NO_RESERVATION}`
      : `Step Functions calls ${entry} once per step of a run (one call at a time per run), and runs are ` +
        `bounded by the maxConcurrentTests quota (${maxConcurrentTests}). ${NO_RESERVATION}`,
    deadLetterQueue:
      `Step Functions invokes ${entry} synchronously (a lambda:invoke task) and handles its failure in the run: ` +
      `${FAILURE_HANDLING[name]}. Only failed asynchronous events reach a dead-letter queue; one would stay empty.`,
    vpc: worker
      ? "It sends the test's load to its targets, wherever the allow-list admits them (usually public endpoints), " +
        'and calls DynamoDB and S3: in a VPC every byte of load would cross a NAT gateway, billed per hour and ' +
        'per GB. The Fargate workers get public subnets of their own VPC for the same reason.'
      : `It calls only ${SERVICES[name]} through their public regional endpoints (TLS, SigV4 with its own ` +
        'role) and reaches nothing private; in a VPC it would need a NAT gateway or an endpoint per service.',
  };
}

/**
 * What aggregate-run does for the CDN: publishes a finished test's reports under `reports/<id>/`
 * (the CDN's origin) and queues their invalidation.
 */
export interface CdnPublishing {
  /** THROUGHLINE_CDN_PUBLISH_REPORTS, the reports' TTLs, THROUGHLINE_CDN_QUEUE_URL. */
  readonly environment: Readonly<Record<string, string>>;
  /** Sending to the invalidation queue. */
  grantSend(grantee: IGrantable): void;
}

export interface RunFunctionsProps {
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  readonly logs: EncryptedLogs;
  readonly storage: TestStorage;
  /** Environment every run function gets (table, bucket, policy, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /** THROUGHLINE_CAPACITY: planner overrides, for plan-run only. */
  readonly capacityJson: string;
  /** How many tests may run at once (quotas.maxConcurrentTests). */
  readonly maxConcurrentTests: number;
  /**
   * With the CDN deployed: aggregate-run publishes the reports of the results it stores and
   * invalidates them (a run aggregated again replaces them). @default - no CDN
   */
  readonly cdn?: CdnPublishing | undefined;
}

/**
 * The five functions the state machine invokes, each with only the access its step needs (see
 * TestStorage's RUN_OBJECTS for the keys): plan-run reads the spec and writes the plan items; the
 * worker gets its test record (the stop flag), reads the spec and writes its windows and report;
 * monitor-run lists and reads windows and reports and updates the test; aggregate-run reads all of
 * a run's objects and results, and writes results; none deletes an object. Fail-run only updates
 * the test; with the CDN, aggregate-run also writes the published reports (`reports/*`) and
 * queues their invalidation. None of them starts or stops anything.
 */
export class RunFunctions extends Construct {
  readonly handlers: Readonly<Record<RunFunctionName, HandlerFunction>>;

  constructor(scope: Construct, id: string, props: RunFunctionsProps) {
    super(scope, id);
    const make = (name: RunFunctionName, environment: Readonly<Record<string, string>>) => {
      const spec = RUN_FUNCTIONS[name];
      return new HandlerFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        entry: join(props.entryDir, spec.entry),
        description: `Throughline run: ${spec.description}`,
        logs: props.logs,
        environment,
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        checkov: runFunctionCheckov(name, props.maxConcurrentTests),
      });
    };
    const env = props.environment;
    this.handlers = {
      planRun: make('planRun', { ...env, THROUGHLINE_CAPACITY: props.capacityJson }),
      segmentWorker: make('segmentWorker', env),
      monitorRun: make('monitorRun', env),
      aggregateRun: make('aggregateRun', { ...env, ...props.cdn?.environment }),
      failRun: make('failRun', env),
    };
    const { storage } = props;
    const h = this.handlers;
    storage.grantReadWriteTests(h.planRun);
    storage.grantRunObjects(h.planRun, { read: ['spec'], put: ['plan'] });
    storage.grantSegmentWorker(h.segmentWorker);
    storage.grantReadWriteTests(h.monitorRun);
    storage.grantRunObjects(h.monitorRun, {
      read: ['spec', 'windows', 'reports'],
      put: [],
      list: ['windows', 'reports'],
    });
    storage.grantReadWriteTests(h.aggregateRun);
    // Aggregate reads the plan, every window and report, a baseline's results; it writes results
    // (and, with the CDN, their published reports).
    storage.grantRunObjects(h.aggregateRun, {
      read: ['spec', 'plan', 'windows', 'reports', 'results'],
      put: props.cdn ? ['results', 'published'] : ['results'],
      list: ['windows', 'reports'],
    });
    props.cdn?.grantSend(h.aggregateRun);
    storage.grantReadWriteTests(h.failRun);
  }

  /** Logical id of a function's CloudFormation resource (for cdk-nag finding ids). */
  logicalIdOf(name: RunFunctionName): string {
    const fn = this.handlers[name].function;
    return Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
  }
}
