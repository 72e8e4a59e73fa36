import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { NoticeError, type Notifier, prepareNotice } from '../../ports/notifier';

/** Notices on an SNS topic (email, chat or a queue subscribes to it). */

export function createSnsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(subject, message) {
      const n = prepareNotice(subject, message);
      try {
        await sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: n.message,
            ...(n.subject ? { Subject: n.subject } : {}),
          }),
        );
      } catch (err) {
        throw new NoticeError(
          'E_NOTICE_NOT_SENT',
          `SNS publish to ${topicArn} failed: ${(err as Error).message}`,
          { cause: err, details: { topicArn } },
        );
      }
    },
  };
}
