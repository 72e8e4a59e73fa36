import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { createSnsNotifier } from '../../lambdas/adapters/aws/sns-notifier';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { type DeliveredNotice, notifierContract } from './notifier.contract';

// The SNS notifier on moto: each test gets a topic with an SQS queue subscribed, and reads back
// what the topic delivered to it (the SNS envelope, as a queue subscriber gets it). The refusing
// notifier publishes to a topic that does not exist. No SDK call is stubbed.

let moto: Moto;
let sns: SNSClient;
let sqs: SQSClient;
beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient(awsClientConfig(moto.endpoint));
  sqs = new SQSClient(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await moto?.stop();
});

/** The SNS envelope's Subject is absent (or null) when the notice had none. */
interface Envelope {
  readonly Type: string;
  readonly TopicArn: string;
  readonly Subject?: string | null;
  readonly Message: string;
}

notifierContract('SNS (moto, read from a subscribed SQS queue)', async () => {
  const name = `notices-${randomUUID().slice(0, 8)}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn as string }),
  );
  const missing = `${TopicArn}-missing`;
  return {
    notifier: createSnsNotifier(sns, TopicArn as string),
    refusing: createSnsNotifier(sns, missing),
    refusingDestination: missing,
    async delivered(atLeast) {
      const out: DeliveredNotice[] = [];
      // One look without waiting when nothing is expected; otherwise up to ~10 s of long polls.
      for (let attempt = 0; attempt < (atLeast === 0 ? 1 : 10); attempt++) {
        const res = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: atLeast === 0 ? 0 : 1,
          }),
        );
        const messages = res.Messages ?? [];
        for (const m of messages) {
          const envelope = JSON.parse(m.Body ?? '{}') as Envelope;
          if (envelope.Type !== 'Notification' || envelope.TopicArn !== TopicArn)
            throw new Error(`not a notification of ${TopicArn}: ${m.Body}`);
          out.push({ ...(envelope.Subject ? { subject: envelope.Subject } : {}), message: envelope.Message });
        }
        if (messages.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        if (atLeast > 0 && out.length >= atLeast) break;
      }
      return out;
    },
    cleanup: async () => {},
  };
});
