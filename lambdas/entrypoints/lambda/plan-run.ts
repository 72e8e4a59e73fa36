import { planItemsKey } from '../../adapters/aws/s3-run-store';
import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { planRun } from '../../core/platform/plan-run';
import { logger } from './powertools';

/** Step Functions task "Plan" (ADR 003): plans the run and stores one item per worker in S3. */
const config = awsConfig(process.env);
const run = awsRun(config);

export async function handler(event: { readonly testId: string }) {
  logger.appendKeys({ testId: event.testId });
  const planned = await planRun({ ...run, capacity: config.capacity }, event.testId);
  logger.info('planned', { ...planned });
  return { ...planned, itemsBucket: config.bucket, itemsKey: planItemsKey(event.testId) };
}
