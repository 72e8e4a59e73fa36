import { createMemoryCacheDriver } from '../../lambdas/adapters/node/memory-cache-driver';
import { cacheDriverContract } from './cache-driver.contract';

cacheDriverContract('memory', async () => ({
  driver: createMemoryCacheDriver({ name: 'memory' }),
  cleanup: async () => {},
}));
