import { awsCache } from '../../composition/aws-cache';
import { awsCacheConfig } from '../../config/cache';
import { cacheInvalidationsHandler } from '../http/cache-handlers';
import { log, withPowertools } from './powertools';

/** POST /performance/cache/invalidations: every tier (L1s through the bus) and CDN paths via the queue. */
const { cache, cdn } = await awsCache(awsCacheConfig(), log);
export const handler = withPowertools(
  cacheInvalidationsHandler({ api: { cache, cdn, fetchPath: async () => ({ status: 404 }) }, log }),
);
