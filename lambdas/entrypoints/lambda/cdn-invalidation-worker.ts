import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { cdnInvalidator } from '../../composition/cdn';
import { invalidateBatch } from '../../core/cdn/invalidate-batch';
import { parseInvalidationMessage } from '../../core/cdn/invalidation-message';
import type { InvalidationRequest } from '../../core/cdn/invalidation-plan';
import { log, logger } from './powertools';

/**
 * SQS → CloudFront invalidations (ADR 006). One batch of queued messages becomes as few
 * CreateInvalidation calls as CloudFront's limits allow; the messages that were not served (the
 * limits were reached, CloudFront refused, or the message is malformed) are returned as batch item
 * failures, so SQS delivers only those again after their visibility timeout, and a message that
 * keeps failing ends in the dead-letter queue.
 */
const cdn = cdnInvalidator();

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const requests: InvalidationRequest[] = event.Records.map((record) => {
    const parsed = parseInvalidationMessage(record.body);
    if ('paths' in parsed) return { id: record.messageId, paths: parsed.paths };
    log.error('invalid CDN invalidation message', { messageId: record.messageId, problems: parsed.problems });
    // No path: the core rejects it, so it is reported as a failure and ends in the dead-letter queue.
    return { id: record.messageId, paths: [] };
  });
  const outcome = await invalidateBatch(requests, cdn);
  for (const { id, call } of outcome.created)
    log.info('CDN invalidation created', { invalidationId: id, kind: call.kind, paths: call.paths.length });
  if (outcome.throttled.length > 0)
    log.info('CloudFront has too many invalidations in progress; the rest waits for the next delivery', {
      kinds: outcome.throttled,
    });
  for (const { call, error } of outcome.errors)
    log.error('CDN invalidation failed', { kind: call.kind, paths: call.paths.length, error: String(error) });
  // Nothing went out and CloudFront failed: fail the invocation so its error alarm sees a broken
  // deployment (permissions, a deleted distribution); SQS then retries the whole batch.
  if (outcome.created.length === 0 && outcome.errors.length > 0) throw outcome.errors[0]?.error;
  return { batchItemFailures: outcome.failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
