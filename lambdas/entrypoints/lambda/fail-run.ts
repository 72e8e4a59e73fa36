import { awsRun } from '../../composition/aws';
import { awsConfig } from '../../config/env';
import { ACTIVE_STATUSES } from '../../core/platform/tests';
import { logger } from './powertools';

/** Step Functions catch path: the run failed outside the workers; the test ends `error`, with why. */
const run = awsRun(awsConfig(process.env));

export async function handler(event: {
  readonly testId: string;
  readonly error?: { Error?: string; Cause?: string };
}) {
  const now = new Date(run.clock.now()).toISOString();
  const message = `${event.error?.Error ?? 'Error'}: ${(event.error?.Cause ?? '').slice(0, 1_000)}`;
  logger.error('run failed', { testId: event.testId, message });
  await run.tests.update(
    event.testId,
    { status: 'error', updatedAt: now, endedAt: now, error: { code: 'E_RUN_FAILED', message } },
    ACTIVE_STATUSES,
  );
  return { testId: event.testId, status: 'error' };
}
