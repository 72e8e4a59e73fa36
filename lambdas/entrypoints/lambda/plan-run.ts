import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/env';
import { planRun } from '../../core/run/plan-run';
import { logger } from './powertools';

/** Step Functions task "Plan" (ADR 003): plans the run and stores one item per worker in S3. */
const run = awsRun(awsConfig(process.env));

export async function handler(event: { readonly testId: string }) {
  logger.appendKeys({ testId: event.testId });
  const planned = await planRun(run, event.testId);
  logger.info('planned', { ...planned });
  const items = run.planItemsAt(event.testId);
  return { ...planned, itemsBucket: items.bucket, itemsKey: items.key };
}
