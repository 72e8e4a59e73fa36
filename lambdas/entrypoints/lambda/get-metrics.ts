import { awsCache } from '../../composition/aws-cache';
import { awsMetrics } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { awsCacheConfig } from '../../config/cache';
import { getMetricsHandler } from '../http/ops-handlers';
import { withCacheMetrics } from './cache-metrics';
import { log, withPowertools } from './powertools';

/**
 * Lambda entry of GET /performance/metrics and /performance/metrics/{group}. Its answers are kept
 * 30 s in the response cache: L1 and /tmp here (this function is not in the cache's VPC, ADR 006).
 */
const { cache } = await awsCache(awsCacheConfig(), log);
export const handler = withCacheMetrics(
  withPowertools(getMetricsHandler({ metrics: awsMetrics(awsConfig()), log, cache })),
  cache,
);
