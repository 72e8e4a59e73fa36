import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { invalidationMessage } from '../../core/cdn/invalidation-message';
import type { CdnQueue } from '../../ports/cdn-queue';

/** The CDN invalidation queue: one message per request, in the format the worker parses. */
export function createSqsCdnQueue(sqs: SQSClient, queueUrl: string): CdnQueue {
  return {
    async enqueue(paths) {
      const out = await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: invalidationMessage(paths) }),
      );
      if (!out.MessageId) throw new Error('SQS accepted the message without an id');
      return { messageId: out.MessageId };
    },
  };
}
