import { awsPlatform } from '../../composition/aws';
import { awsCache } from '../../composition/aws-cache';
import { awsConfig } from '../../config/aws';
import { awsCacheConfig } from '../../config/cache';
import { listTestsHandler } from '../http/handlers';
import { withCacheMetrics } from './cache-metrics';
import { log, withPowertools } from './powertools';

/** Lambda entry (API Gateway proxy): configuration, adapters and the response cache are built once per container. */
const { cache, config } = await awsCache(awsCacheConfig(), log);
export const handler = withCacheMetrics(
  withPowertools(
    listTestsHandler({
      platform: awsPlatform(awsConfig()),
      log,
      cache,
      resultsTtlSeconds: config.resultsTtlSeconds,
    }),
  ),
  cache,
);
