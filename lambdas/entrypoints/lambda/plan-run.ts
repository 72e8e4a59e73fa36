import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { planRun } from '../../core/run/plan-run';
import { logger } from './powertools';

/** Step Functions task "Plan" (ADR 003): plans the run and stores one item per worker in S3. */
const run = awsRun(awsConfig());

export async function handler(event: { readonly testId: string }) {
  logger.appendKeys({ testId: event.testId });
  const planned = await planRun(run, event.testId);
  logger.info('planned', { ...planned });
  const items = run.planItemsAt(event.testId);
  return { ...planned, itemsBucket: items.bucket, itemsKey: items.key };
}
