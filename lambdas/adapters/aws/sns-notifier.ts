import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../../ports/notifier';

/** Notices on an SNS topic (email, chat or a queue subscribes to it). */

/** SNS rejects a Subject over 100 characters or with line breaks or control characters. */
export const SNS_SUBJECT_MAX = 100;

/** The subject as SNS takes it: control characters as spaces, one line, at most 100 characters. */
export function snsSubject(subject: string): string {
  const line = subject
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(line);
  return chars.length <= SNS_SUBJECT_MAX ? line : `${chars.slice(0, SNS_SUBJECT_MAX - 1).join('')}…`;
}

export function createSnsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(subject, message) {
      const clean = snsSubject(subject);
      try {
        await sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            // SNS rejects an empty message; the subject then says it all.
            Message: message === '' ? clean || '(empty notice)' : message,
            ...(clean ? { Subject: clean } : {}),
          }),
        );
      } catch (err) {
        throw new Error(`SNS publish to ${topicArn} failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
