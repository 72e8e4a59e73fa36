import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsCdnQueue } from '../adapters/aws/sqs-cdn-queue';
import { cacheConfig } from '../config/cache';
import type { Log } from '../ports/log';
import { lambdaPlatformCache } from './cache';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A Lambda's response cache and CDN queue from its environment (the CacheTier's endpoint and AUTH
 * secret; THROUGHLINE_CDN_QUEUE_URL). Await it at module scope: once per container.
 */
export async function awsCache(env: Env, log: Log) {
  const config = cacheConfig(env);
  const region = env.AWS_REGION ?? '';
  return {
    config,
    cache: await lambdaPlatformCache(config, region, log),
    cdn: config.cdnQueueUrl ? createSqsCdnQueue(new SQSClient({ region }), config.cdnQueueUrl) : undefined,
  };
}
