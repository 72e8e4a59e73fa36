import type { Context, SNSEvent } from 'aws-lambda';
import { awsAlarmNotifier } from '../../composition/notifier';
import { notifierConfig } from '../../config/notifier';
import { log, logger } from './powertools';

/**
 * SNS subscriber: CloudWatch alarm changes and run notices → Slack or a generic webhook (URL in
 * Secrets Manager). Throws when a record could not be delivered, after trying every record, so
 * Lambda's async retries apply.
 */
const notifier = awsAlarmNotifier(notifierConfig(), log);

export async function handler(event: SNSEvent, context: Context): Promise<void> {
  logger.addContext(context);
  await notifier.deliver(event.Records.map((r) => r.Sns));
}
