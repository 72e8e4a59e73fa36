import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type CustomAlarmSpec, deadLettersAlarm } from '../observability/alarm-spec';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { NO_RESERVATION, skipCheckov } from '../shared/checkov';
import { HandlerFunction } from '../shared/handler-function';

/** The worker's entry file in lambdas/entrypoints/lambda. */
export const INVALIDATION_WORKER_ENTRY = 'cdn-invalidation-worker.ts';

/** Messages per invocation: hundreds, so one CreateInvalidation serves many requests. */
export const INVALIDATION_BATCH_SIZE = 500;
/** How long the queue gathers a batch before the worker runs (the delay an invalidation may take). */
export const INVALIDATION_BATCHING_WINDOW = Duration.seconds(20);
const WORKER_TIMEOUT = Duration.minutes(1);
/**
 * Deliveries before a message goes to the dead-letter queue. A message waits one visibility timeout
 * (6 minutes) between deliveries, so CloudFront gets over an hour to finish what is in progress.
 */
export const INVALIDATION_MAX_RECEIVE_COUNT = 12;

export interface WorkerProps {
  readonly distribution: IDistribution;
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  readonly logs: EncryptedLogs;
  /** Environment every handler gets (Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /** A fixed name (the metrics function's environment names it). */
  readonly functionName: string;
}

/**
 * The CDN invalidation service (ADR 006): producers (the aggregate step, POST /cache/invalidations)
 * send `{"paths": […]}` messages to an encrypted queue; a worker takes up to 500 at a time after a
 * 20 s batching window, sends them to CloudFront in as few invalidations as its limits allow, and
 * reports the messages it could not serve as batch item failures, so only those come back (after
 * the visibility timeout) and, after 12 deliveries, rest in the dead-letter queue.
 *
 * The queue exists before the distribution (producers are built first); `startWorker` adds the
 * worker once the distribution exists.
 */
export class CdnInvalidation extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  private workerFunction?: HandlerFunction;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // SQS-managed keys: encrypted at rest with nothing for producers or the worker to be granted.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the worker's timeout, as Lambda advises for SQS event sources.
      visibilityTimeout: Duration.seconds(6 * WORKER_TIMEOUT.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: INVALIDATION_MAX_RECEIVE_COUNT },
    });
    for (const queue of [this.queue, this.deadLetterQueue])
      skipCheckov(queue, [
        {
          id: 'CKV_AWS_27',
          reason:
            'Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which CKV_AWS_27 does not read: it ' +
            'looks for KmsMasterKeyId only. The messages are CloudFront paths of results, and SSE-SQS needs no KMS ' +
            'grant for the producers or the worker.',
        },
      ]);
  }

  /** THROUGHLINE_CDN_QUEUE_URL: where producers send paths. */
  get environment(): Readonly<Record<string, string>> {
    return { THROUGHLINE_CDN_QUEUE_URL: this.queue.queueUrl };
  }

  /** Sending to the queue, and nothing else of it. */
  grantSend(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
  }

  /** A Warning when a request failed every delivery: the cached results it names may be stale. */
  get deadLetterAlarm(): CustomAlarmSpec {
    return deadLettersAlarm(
      this.deadLetterQueue,
      'cdn-invalidation-dead-letters',
      'CDN invalidation requests failed every delivery and wait in the dead-letter queue: cached results they ' +
        "name may be stale (the cdn-invalidator function's log says why).",
    );
  }

  /** The worker, once started. */
  get worker(): HandlerFunction | undefined {
    return this.workerFunction;
  }

  /** The worker draining the queue into invalidations of `distribution`. */
  startWorker(props: WorkerProps): HandlerFunction {
    if (this.workerFunction !== undefined) throw new Error('the invalidation worker is already started');
    const worker = new HandlerFunction(this, 'Worker', {
      entry: join(props.entryDir, INVALIDATION_WORKER_ENTRY),
      description: 'Throughline CDN: queued paths → CloudFront invalidations within its limits',
      logs: props.logs,
      environment: {
        ...props.environment,
        THROUGHLINE_CDN_DISTRIBUTION_ID: props.distribution.distributionId,
      },
      functionName: props.functionName,
      memorySize: 256,
      timeout: WORKER_TIMEOUT,
      checkov: {
        concurrency:
          "The event source's maximum concurrency (2, SQS's floor) bounds it, the limit AWS advises for SQS " +
          'consumers: a reservation lower than the pollers would throttle batches back to the queue and ' +
          `toward its dead-letter queue. ${NO_RESERVATION}`,
        deadLetterQueue:
          'The SQS event source invokes it synchronously; messages it reports as failed return to the queue and, ' +
          `after ${INVALIDATION_MAX_RECEIVE_COUNT} deliveries, rest in the queue's own dead-letter queue, which is ` +
          'alarmed. A function dead-letter queue only receives failed asynchronous events.',
        vpc:
          "It calls CloudFront's CreateInvalidation, a global API served from us-east-1 that no interface " +
          "endpoint in the stack's Region serves, and reaches nothing private: in a VPC it would need a NAT " +
          'gateway, billed per hour, for a few calls a minute at most.',
      },
    });
    worker.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: INVALIDATION_BATCH_SIZE,
        maxBatchingWindow: INVALIDATION_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        // Two workers at most (SQS's floor): they share CloudFront's in-progress limits.
        maxConcurrency: 2,
      }),
    );
    Grant.addToPrincipal({
      grantee: worker,
      actions: ['cloudfront:CreateInvalidation'],
      resourceArns: [props.distribution.distributionArn],
    });
    this.workerFunction = worker;
    return worker;
  }
}
