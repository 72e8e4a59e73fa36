import { awsPlatform } from '../../composition/aws';
import { awsCache } from '../../composition/aws-cache';
import { awsConfig } from '../../config/aws';
import { awsCacheConfig } from '../../config/cache';
import { cacheWarmHandler, fetchThrough } from '../http/cache-handlers';
import { getResultsHandler, getTestHandler, listTestsHandler } from '../http/handlers';
import { log, withPowertools } from './powertools';

/** POST /performance/cache/warm: loads results and history through their cached handlers into L3. */
const { cache, config } = await awsCache(awsCacheConfig(), log);
const deps = {
  platform: awsPlatform(awsConfig()),
  log,
  cache,
  resultsTtlSeconds: config.resultsTtlSeconds,
};
const fetchPath = fetchThrough({
  getResults: getResultsHandler(deps),
  listTests: listTestsHandler(deps),
  getTest: getTestHandler(deps),
});
export const handler = withPowertools(cacheWarmHandler({ api: { cache, fetchPath }, log }));
