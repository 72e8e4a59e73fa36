import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../../lambdas/adapters/node/key-slot';
import { createRedisCacheDriver } from '../../lambdas/adapters/node/redis-cache-driver';
import { type RedisCluster, redisFixture, startRedisCluster } from '../helpers/redis';
import { cacheDriverContract } from './cache-driver.contract';

// A real 3-master Redis Cluster (redis-cli --cluster create): slots split over three processes.
let cluster: RedisCluster | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

const seeds = () => {
  if (!cluster) throw new Error('the Redis cluster did not start');
  return cluster.seeds;
};

cacheDriverContract('redis (3-node cluster)', async () =>
  redisFixture(createRedisCacheDriver({ mode: 'cluster', nodes: seeds(), keyPrefix: `t:${randomUUID()}:` })),
);

describe('redis cluster specifics', () => {
  /** Keys under `match` held by each node itself (a node's SCAN lists only its own slots). */
  async function keysPerNode(match: string): Promise<string[][]> {
    const nodes = seeds().map((s) => new Redis(s.port, s.host));
    try {
      return await Promise.all(
        nodes.map(async (node) => {
          const found: string[] = [];
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1_000);
            cursor = next;
            found.push(...keys);
          } while (cursor !== '0');
          return found;
        }),
      );
    } finally {
      for (const n of nodes) n.disconnect();
    }
  }

  it('spreads keys over all three nodes, and getMany and deletePattern reach every one of them', async () => {
    const prefix = `spread:${randomUUID()}:`;
    const driver = createRedisCacheDriver({ mode: 'cluster', nodes: seeds(), keyPrefix: prefix });
    try {
      const keys = Array.from({ length: 300 }, (_, i) => `item:${i}`);
      await Promise.all(keys.map((k, i) => driver.set(k, Uint8Array.of(i % 256))));
      const perNode = (await keysPerNode(`${prefix}*`)).map((k) => k.length);
      expect(perNode).toHaveLength(3);
      for (const count of perNode) expect(count).toBeGreaterThan(50);
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(300);
      const got = await driver.getMany(keys);
      expect(got.map((v) => v?.[0])).toEqual(keys.map((_, i) => i % 256));
      expect(await driver.deletePattern('item:*')).toBe(300);
      expect((await keysPerNode(`${prefix}*`)).flat()).toEqual([]);
    } finally {
      await driver.disconnect();
    }
  });

  it('computes the same slot as the server (CLUSTER KEYSLOT), hash tags included', async () => {
    const node = new Redis(seeds()[0]?.port as number, '127.0.0.1');
    try {
      const keys = [
        '123456789',
        'user:1000',
        '{user1000}.following',
        '{user1000}.followers',
        'foo{}{bar}',
        'foo{{bar}}zap',
        'foo{bar}{zap}',
        '{}',
        '',
        'Grüße · チェックアウト 🚀',
        't:abc:v:{tag}:1',
      ];
      for (const key of keys) expect(keySlot(key), key).toBe(await node.cluster('KEYSLOT', key));
    } finally {
      node.disconnect();
    }
  });

  it('keys sharing a hash tag share a slot, so they stay on one node', async () => {
    const prefix = `tagged:${randomUUID()}:`;
    const driver = createRedisCacheDriver({ mode: 'cluster', nodes: seeds(), keyPrefix: prefix });
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `{order:42}:line:${i}`);
      await Promise.all(keys.map((k) => driver.set(k, Uint8Array.of(1))));
      const perNode = (await keysPerNode(`${prefix}*`)).map((k) => k.length);
      expect(perNode.sort()).toEqual([0, 0, 30]);
    } finally {
      await driver.clear();
      await driver.disconnect();
    }
  });
});
