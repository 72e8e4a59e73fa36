import { awsCache } from '../../composition/aws-cache';
import { awsCacheConfig } from '../../config/cache';
import { cacheStatsHandler } from '../http/cache-handlers';
import { log, withPowertools } from './powertools';

/** GET /performance/cache/stats: this instance's tiers (L3 is shared by every instance). */
const { cache } = await awsCache(awsCacheConfig(), log);
export const handler = withPowertools(
  cacheStatsHandler({ api: { cache, fetchPath: async () => ({ status: 404 }) }, log }),
);
