import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheDriverError } from '../../lambdas/adapters/node/cache-driver-error';
import { createRedisCacheDriver } from '../../lambdas/adapters/node/redis-cache-driver';
import { globMatcher } from '../../lambdas/core/cache/invalidation/glob';
import { type RedisServer, redisFixture, startRedis } from '../helpers/redis';
import { cacheDriverContract } from './cache-driver.contract';

let redis: RedisServer | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const server = () => {
  if (!redis) throw new Error('redis-server did not start');
  return redis;
};

cacheDriverContract('redis (standalone)', async () =>
  redisFixture(
    createRedisCacheDriver({ mode: 'standalone', url: server().url, keyPrefix: `t:${randomUUID()}:` }),
  ),
);

describe('redis standalone specifics', () => {
  it('keeps values, sets and nothing else under the prefix, with the TTL on the server', async () => {
    const prefix = `layout:${randomUUID()}:`;
    const driver = createRedisCacheDriver({ mode: 'standalone', url: server().url, keyPrefix: prefix });
    const raw = new Redis(server().port, '127.0.0.1');
    try {
      await driver.set('k', Uint8Array.of(1), 60_000);
      await driver.addToSet('tag', ['k'], 30_000);
      expect((await raw.keys(`${prefix}*`)).sort()).toEqual([`${prefix}s:tag`, `${prefix}v:k`]);
      const [valueTtl, setTtl] = await Promise.all([raw.pttl(`${prefix}v:k`), raw.pttl(`${prefix}s:tag`)]);
      expect(valueTtl).toBeGreaterThan(50_000);
      expect(setTtl).toBeGreaterThan(20_000);
      expect(setTtl).toBeLessThanOrEqual(30_000);
    } finally {
      raw.disconnect();
      await driver.clear();
      await driver.disconnect();
    }
  });

  it('a prefix holding glob characters matches only itself in deletePattern and clear', async () => {
    const base = `glob:${randomUUID()}`;
    const tricky = createRedisCacheDriver({
      mode: 'standalone',
      url: server().url,
      keyPrefix: `${base}:*[a]\\:`,
    });
    const plain = createRedisCacheDriver({
      mode: 'standalone',
      url: server().url,
      keyPrefix: `${base}:xa\\:`,
    });
    try {
      await tricky.set('k', Uint8Array.of(1));
      await plain.set('k', Uint8Array.of(2));
      expect(await tricky.deletePattern('*')).toBe(1);
      await tricky.set('k', Uint8Array.of(1));
      await tricky.clear();
      expect(await plain.get('k')).toEqual(Buffer.from([2]));
    } finally {
      await plain.clear();
      await Promise.all([tricky.disconnect(), plain.disconnect()]);
    }
  });

  it('the glob of the disk tier and L1 (core/cache/glob) matches exactly what Redis SCAN MATCH matches', async () => {
    const raw = new Redis(server().port, '127.0.0.1');
    const keys = [
      'a',
      'ab',
      'abc',
      'a*c',
      'a?c',
      'a[c',
      'a]c',
      'a\\c',
      'b-c',
      'user:1',
      'user:{x}',
      'x\ny',
      'z',
    ];
    const patterns = [
      '*',
      'a*',
      'a?c',
      'a\\*c',
      'a\\?c',
      '[ab]*',
      '[^a]*',
      '[a-b]-c',
      '[c-a]*',
      'a[\\[\\]]c',
    ];
    const ns = `glob-oracle:${randomUUID()}:`;
    try {
      await raw.mset(Object.fromEntries(keys.map((k) => [`${ns}${k}`, '1'])));
      for (const pattern of patterns) {
        const fromRedis = (await raw.keys(`${ns.replace(/[*?[\]\\]/g, '\\$&')}${pattern}`))
          .map((k) => k.slice(ns.length))
          .sort();
        expect(keys.filter(globMatcher(pattern)).sort(), pattern).toEqual(fromRedis);
      }
    } finally {
      await raw.del(...keys.map((k) => `${ns}${k}`));
      raw.disconnect();
    }
  });

  it('authenticates as an ACL user (ElastiCache RBAC) and rejects a wrong password', async () => {
    const secured = await startRedis([
      '--user',
      'default',
      'off',
      '--user',
      'app',
      'on',
      '>s3cret-token',
      '~*',
      '+@all',
    ]);
    const good = createRedisCacheDriver({
      mode: 'standalone',
      url: secured.url,
      keyPrefix: 'auth:',
      username: 'app',
      password: 's3cret-token',
    });
    const bad = createRedisCacheDriver({
      mode: 'standalone',
      url: secured.url,
      keyPrefix: 'auth:',
      username: 'app',
      password: 'wrong',
    });
    try {
      await good.set('k', Uint8Array.of(7));
      expect(await good.get('k')).toEqual(Buffer.from([7]));
      const err = await bad.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CacheDriverError);
      expect(err).toMatchObject({
        code: 'E_CACHE_UNAVAILABLE',
        message: expect.stringContaining('WRONGPASS'),
      });
    } finally {
      await Promise.all([good.disconnect(), bad.disconnect()]);
      await secured.stop();
    }
  });

  it('reports every invalid option at once', () => {
    expect(() =>
      createRedisCacheDriver({
        mode: 'sharded',
        urls: ['redis://h:1', 'http://h:2', 'redis://h:1'],
        keyPrefix: '{pinned}',
        commandTimeoutMs: 0,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'E_CACHE_INVALID_OPTIONS',
        details: [
          'keyPrefix must not contain { or } (a cluster hash tag)',
          'urls[1] must be redis:// or rediss://',
          'urls must name distinct host:port pairs',
          'commandTimeoutMs must be an integer ≥ 1',
        ],
      }),
    );
  });
});
