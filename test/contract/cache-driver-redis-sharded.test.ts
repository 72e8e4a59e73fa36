import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheDriverError } from '../../lambdas/adapters/node/cache-driver-error';
import { createRedisCacheDriver } from '../../lambdas/adapters/node/redis-cache-driver';
import { type RedisServer, redisFixture, startRedis } from '../helpers/redis';
import { cacheDriverContract } from './cache-driver.contract';

// Three INDEPENDENT redis-servers (no cluster): the client's hash ring decides where a key lives.
const servers: RedisServer[] = [];
beforeAll(async () => {
  for (let i = 0; i < 3; i++) servers.push(await startRedis());
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const urls = () => {
  if (servers.length !== 3) throw new Error('the three redis-servers did not start');
  return servers.map((s) => s.url);
};

cacheDriverContract('redis (3 independent nodes, consistent hashing)', async () =>
  redisFixture(createRedisCacheDriver({ mode: 'sharded', urls: urls(), keyPrefix: `t:${randomUUID()}:` })),
);

describe('redis sharded specifics', () => {
  async function keysPerNode(match: string): Promise<string[][]> {
    const nodes = servers.map((s) => new Redis(s.port, s.host));
    try {
      return await Promise.all(nodes.map((n) => n.keys(match)));
    } finally {
      for (const n of nodes) n.disconnect();
    }
  }

  it('puts each key on the node its ring says, spread over all three', async () => {
    const prefix = `spread:${randomUUID()}:`;
    const driver = createRedisCacheDriver({ mode: 'sharded', urls: urls(), keyPrefix: prefix });
    try {
      const keys = Array.from({ length: 600 }, (_, i) => `item:${i}`);
      await Promise.all(keys.map((k) => driver.set(k, Uint8Array.of(1))));
      const perNode = await keysPerNode(`${prefix}*`);
      for (const held of perNode) expect(held.length).toBeGreaterThan(120);
      perNode.forEach((held, node) => {
        for (const full of held) expect(driver.connection.shardOf(full)).toBe(node);
      });
      expect(perNode.flat()).toHaveLength(600);
    } finally {
      await driver.clear();
      await driver.disconnect();
    }
  });

  it('maps keys the same whatever order the URLs are listed in, and keeps hash-tagged keys together', async () => {
    const prefix = `order:${randomUUID()}:`;
    const a = createRedisCacheDriver({ mode: 'sharded', urls: urls(), keyPrefix: prefix });
    const b = createRedisCacheDriver({ mode: 'sharded', urls: [...urls()].reverse(), keyPrefix: prefix });
    try {
      const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((k) => a.set(k, Uint8Array.of(7))));
      expect((await b.getMany(keys)).every((v) => v?.[0] === 7)).toBe(true);
      await Promise.all(Array.from({ length: 20 }, (_, i) => a.set(`{cart:9}:${i}`, Uint8Array.of(1))));
      const tagged = (await keysPerNode(`${prefix}v:{cart:9}:*`)).map((k) => k.length);
      expect(tagged.sort()).toEqual([0, 0, 20]);
    } finally {
      await a.clear();
      await Promise.all([a.disconnect(), b.disconnect()]);
    }
  });

  it('a dead node fails only its own keys, fast; the driver recovers when it is back', async () => {
    const prefix = `fault:${randomUUID()}:`;
    const driver = createRedisCacheDriver({
      mode: 'sharded',
      urls: urls(),
      keyPrefix: prefix,
      commandTimeoutMs: 300,
    });
    const victim = servers[1] as RedisServer;
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((k) => driver.set(k, Uint8Array.of(1))));
      const onVictim = keys.filter((k) => driver.connection.shardOf(`${prefix}v:${k}`) === 1);
      const elsewhere = keys.filter((k) => !onVictim.includes(k));
      expect(onVictim.length).toBeGreaterThan(0);

      await victim.kill();
      const started = Date.now();
      const err = await driver.get(onVictim[0] as string).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(err).toBeInstanceOf(CacheDriverError);
      expect(['E_CACHE_UNAVAILABLE', 'E_CACHE_TIMEOUT']).toContain((err as CacheDriverError).code);
      expect((await driver.getMany(elsewhere)).every((v) => v?.[0] === 1)).toBe(true);
      await driver.set(elsewhere[0] as string, Uint8Array.of(2));

      await victim.restart();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await driver.set(onVictim[0] as string, Uint8Array.of(3));
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await delay(100);
        }
      }
      expect((await driver.get(onVictim[0] as string))?.[0]).toBe(3);
    } finally {
      await driver.clear().catch(() => undefined);
      await driver.disconnect();
    }
  });
});
