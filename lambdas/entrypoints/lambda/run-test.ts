import { awsRunner } from '../../composition/aws';
import { awsConfig } from '../../config/env';
import { logger } from './powertools';

/** Runner Lambda, invoked asynchronously by create-test with `{ "testId": … }`. */
const run = awsRunner(awsConfig(process.env));

export async function handler(event: { readonly testId?: unknown }): Promise<{ status?: string }> {
  if (typeof event.testId !== 'string' || !/^[\w-]{1,64}$/.test(event.testId)) {
    logger.error('runner invoked without a valid testId', { event });
    return {};
  }
  logger.appendKeys({ testId: event.testId });
  const record = (await run(event.testId)) as { status?: string } | undefined;
  logger.info('test ended', { status: record?.status });
  return record?.status ? { status: record.status } : {};
}
