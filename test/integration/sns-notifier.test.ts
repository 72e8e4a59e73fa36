import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsNotifier, snsSubject } from '../../lambdas/adapters/aws/sns-notifier';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

// The SNS notifier against moto: a topic with an SQS queue subscribed, read back from the queue.

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

async function topicWithQueue(name: string) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-q` }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn as string }),
  );
  return { topicArn: TopicArn as string, queueUrl: QueueUrl as string };
}

/** The SNS envelopes waiting in the queue (SNS wraps each notice in JSON for SQS). */
async function received(queueUrl: string, count: number) {
  const out: { Subject?: string; Message: string; TopicArn: string }[] = [];
  for (let attempt = 0; attempt < 20 && out.length < count; attempt++) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    out.push(...(res.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}')));
  }
  return out;
}

describe('SNS notifier', () => {
  it('publishes subject and message to the topic', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('notices');
    const notifier = createSnsNotifier(sns, topicArn);
    const message = 'api-get-test set to 12 by arn:aws:iam::123456789012:user/ops\nreason: launch day';
    await notifier.publish('Throughline: manual capacity on api-get-test', message);
    const [notice, ...more] = await received(queueUrl, 1);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({
      TopicArn: topicArn,
      Subject: 'Throughline: manual capacity on api-get-test',
      Message: message,
    });
  });

  it('makes a long, multi-line subject one a topic accepts', async () => {
    const { topicArn, queueUrl } = await topicWithQueue('long-subjects');
    const subject = `Alarm\r\nfired:\t${'very long name '.repeat(12)}\u0007end`;
    await createSnsNotifier(sns, topicArn).publish(subject, 'body');
    const [notice] = await received(queueUrl, 1);
    expect(notice?.Subject).toBe(snsSubject(subject));
    expect(notice?.Subject).toMatch(/^Alarm fired: very long name/);
    expect(notice?.Subject).not.toMatch(/\p{Cc}/u);
    expect(Array.from(notice?.Subject ?? '')).toHaveLength(100);
  });

  it('keeps the SDK error as cause when the topic does not exist', async () => {
    const missing = 'arn:aws:sns:us-east-1:123456789012:missing';
    const err = await createSnsNotifier(sns, missing)
      .publish('x', 'y')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});

describe('snsSubject', () => {
  it('leaves a clean short subject alone', () => {
    expect(snsSubject('Scaling: cache-shards now 3')).toBe('Scaling: cache-shards now 3');
  });

  it('trims to 100 code points without splitting an emoji', () => {
    const s = snsSubject(`${'🚀'.repeat(150)}`);
    expect(Array.from(s)).toHaveLength(100);
    expect(s.endsWith('🚀…')).toBe(true);
    expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('turns control characters into single spaces', () => {
    expect(snsSubject('  a\n\nb\u0000c\u007f d  ')).toBe('a b c d');
    expect(snsSubject('\n\t')).toBe('');
  });
});
