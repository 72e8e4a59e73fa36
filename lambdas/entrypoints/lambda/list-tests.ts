import { awsPlatform } from '../../composition/aws';
import { awsCache } from '../../composition/aws-cache';
import { awsConfig } from '../../config/aws';
import { listTestsHandler } from '../http/handlers';
import { withCacheMetrics } from './cache-metrics';
import { log, withPowertools } from './powertools';

/** Lambda entry (API Gateway proxy): configuration, adapters and the response cache are built once per container. */
const { cache, config } = await awsCache(process.env, log);
export const handler = withCacheMetrics(
  withPowertools(
    listTestsHandler({
      platform: awsPlatform(awsConfig(process.env)),
      log,
      cache,
      resultsTtlSeconds: config.resultsTtlSeconds,
    }),
  ),
  cache,
);
