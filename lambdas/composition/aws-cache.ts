import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsCdnQueue } from '../adapters/aws/sqs-cdn-queue';
import { type AwsCacheConfig, awsCacheConfig } from '../config/cache';
import type { Env } from '../config/parse';
import type { TieredCache } from '../core/cache/tiers/tiered-cache';
import type { CdnQueue } from '../ports/cdn-queue';
import type { Log } from '../ports/log';
import { lambdaPlatformCache } from './cache';

/**
 * A Lambda's response cache and CDN queue (the CacheTier's endpoint and AUTH secret;
 * THROUGHLINE_CDN_QUEUE_URL), from `awsCacheConfig()`. Await it at module scope: once per container.
 */
export async function awsCache(config: AwsCacheConfig, log: Log): Promise<AwsCache>;
/**
 * @deprecated Pass `awsCacheConfig()` (spread `enabled: false` into it for the CDN queue only).
 * Kept, read through the same lambdas/config function, for aggregate-run until it is rewritten.
 */
export async function awsCache(env: Env, log: Log): Promise<AwsCache>;
export async function awsCache(source: AwsCacheConfig | Env, log: Log): Promise<AwsCache> {
  const config = isConfig(source) ? source : awsCacheConfig(source);
  return {
    config,
    cache: await lambdaPlatformCache(config, config.region, log),
    cdn: config.cdnQueueUrl
      ? createSqsCdnQueue(new SQSClient({ region: config.region }), config.cdnQueueUrl)
      : undefined,
  };
}

export interface AwsCache {
  readonly config: AwsCacheConfig;
  /** Absent when the cache is off (THROUGHLINE_CACHE=off). */
  readonly cache: TieredCache | undefined;
  /** Absent without THROUGHLINE_CDN_QUEUE_URL (no CDN). */
  readonly cdn: CdnQueue | undefined;
}

/** Settings carry `enabled` as a boolean; in an environment every value is a string. */
function isConfig(source: AwsCacheConfig | Env): source is AwsCacheConfig {
  return typeof source.enabled === 'boolean';
}
