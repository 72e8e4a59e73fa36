import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { failRun } from '../../core/run/aggregate';
import { logger } from './powertools';

/** Step Functions catch path: the run failed outside the workers; the test ends `error`, with why. */
const run = awsRun(awsConfig());

export async function handler(event: {
  readonly testId: string;
  readonly error?: { Error?: string; Cause?: string };
}) {
  logger.error('run failed', { testId: event.testId, error: event.error });
  return failRun(run, event.testId, event.error);
}
