import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lambdas/adapters/node/clock';
import {
  createRedisBus,
  createRedisCacheDriver,
  type RedisCacheDriverOptions,
} from '../../lambdas/adapters/node/redis-cache-driver';
import { createZlibCompressor } from '../../lambdas/adapters/node/zlib-compressor';
import { zipfTrace } from '../../lambdas/core/cache/simulator/traces';
import type { TierStats } from '../../lambdas/core/cache/tiers/cache-stats';
import { createTieredCache, type TieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import { type RedisCluster, type RedisServer, startRedis, startRedisCluster } from '../helpers/redis';

/**
 * The tiered cache with L1 + L3 on real redis-servers (standalone and a 3-master cluster): each
 * instance has its own driver connection, as separate processes would. Then the acceptance of the
 * resilience work: redis SIGKILLed under load costs callers nothing but latency within the tier
 * timeout, and the same caches use L3 again once it is back on the same port.
 */

let standalone: RedisServer | undefined;
let cluster: RedisCluster | undefined;
beforeAll(async () => {
  [standalone, cluster] = await Promise.all([startRedis(), startRedisCluster(3)]);
});
afterAll(async () => {
  await Promise.allSettled([standalone?.stop(), cluster?.stop()]);
});

type Topology = { mode: 'standalone'; url: string } | { mode: 'cluster'; nodes: RedisCluster['seeds'] };
const topologies: { name: string; options: () => Topology }[] = [
  { name: 'standalone', options: () => ({ mode: 'standalone', url: (standalone as RedisServer).url }) },
  { name: 'cluster', options: () => ({ mode: 'cluster', nodes: (cluster as RedisCluster).seeds }) },
];

const tierOf = (cache: TieredCache, label: 'L1' | 'L3') =>
  cache.stats().tiers.find((t) => t.tier === label) as TierStats;

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(20);
  }
}

/** A loader that counts its calls; the value names the key so a wrong answer is visible. */
function countingLoader() {
  const calls: string[] = [];
  const load = async (key: string) => {
    calls.push(key);
    return { key, value: `value of ${key}` };
  };
  return Object.assign(load, { calls });
}

/** Decodes the "TL" entry header (entry-codec.ts) of raw bytes read from Redis. */
function headerOf(bytes: Buffer): Record<string, unknown> {
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('TL');
  const length = bytes.readUInt32BE(3);
  return JSON.parse(bytes.subarray(7, 7 + length).toString('utf8')) as Record<string, unknown>;
}

describe.each(topologies)('tiered cache on real Redis: $name', ({ options }) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  /** One "process": its own connection, bus and L1 over the shared namespace. */
  async function instance(prefix: string, withBus = true) {
    const driver = createRedisCacheDriver({ ...options(), keyPrefix: prefix } as RedisCacheDriverOptions);
    closers.push(() => driver.disconnect());
    const bus = withBus ? createRedisBus(driver) : undefined;
    if (bus) closers.push(() => bus.close());
    const cache = createTieredCache({
      clock: systemClock,
      l3: { driver, timeoutMs: 1_000 },
      compressor: createZlibCompressor(),
      ...(bus ? { bus } : {}),
    });
    closers.push(() => cache.close());
    await cache.ready();
    return cache;
  }

  /** A plain client on the same servers, to look at what the cache stored. */
  function raw(): Redis | Cluster {
    const o = options();
    const client = o.mode === 'cluster' ? new Cluster([...o.nodes]) : new Redis(o.url);
    closers.push(async () => void client.disconnect());
    return client;
  }

  it('getOrSet fills L3; a second instance gets the value from L3 without loading, then from its L1', async () => {
    const prefix = `tiers:${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const loadA = countingLoader();
    const loadB = countingLoader();

    expect(await a.getOrSet('user:1', loadA)).toEqual({ key: 'user:1', value: 'value of user:1' });
    expect(loadA.calls).toEqual(['user:1']);
    const stored = await raw().getBuffer(`${prefix}v:user:1`);
    expect(stored).not.toBeNull();
    expect(headerOf(stored as Buffer)).toMatchObject({ k: 'json' });
    expect(tierOf(a, 'L3')).toMatchObject({ misses: 1, sets: 1, hits: 0 });

    expect(await b.getOrSet('user:1', loadB)).toEqual({ key: 'user:1', value: 'value of user:1' });
    expect(await b.getOrSet('user:1', loadB)).toEqual({ key: 'user:1', value: 'value of user:1' });
    expect(loadB.calls).toEqual([]);
    expect(tierOf(b, 'L3')).toMatchObject({ hits: 1, misses: 0 });
    expect(tierOf(b, 'L1')).toMatchObject({ hits: 1, misses: 1 });
    expect(b.stats().loader.calls).toBe(0);
  });

  it('invalidation by key and by tag reaches the other instance’s L1 through the bus (and only through it)', async () => {
    const prefix = `bus:${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const deaf = await instance(prefix, false);
    const load = countingLoader();
    const tagged = { tags: ['products'] };
    await a.getOrSet('user:1', load);
    await a.getOrSet('product:1', load, tagged);
    await a.getOrSet('product:2', load, tagged);
    for (const cache of [b, deaf])
      for (const key of ['user:1', 'product:1', 'product:2', 'user:1']) await cache.getOrSet(key, load);
    expect(load.calls).toHaveLength(3);
    expect(tierOf(b, 'L1').hits).toBe(1);

    await a.delete('user:1');
    await eventually('b dropped user:1 from its L1', async () => (await b.get('user:1')) === undefined);
    // Without the bus the L1 copy outlives the invalidation (only its TTL would end it).
    expect(await deaf.get('user:1')).toEqual({ key: 'user:1', value: 'value of user:1' });

    const result = await a.invalidate({ tags: ['products'] });
    expect(result).toMatchObject({ keys: 2, incomplete: [] });
    await eventually(
      'b dropped both tagged keys',
      async () => (await b.get('product:1')) === undefined && (await b.get('product:2')) === undefined,
    );
    expect(await deaf.get('product:2')).toEqual({ key: 'product:2', value: 'value of product:2' });
    const client = raw();
    // One key per EXISTS: in cluster mode the two keys live in different slots.
    expect(await client.exists(`${prefix}v:product:1`)).toBe(0);
    expect(await client.exists(`${prefix}v:product:2`)).toBe(0);
    expect(b.stats().bus).toMatchObject({ subscribed: true, received: 2, errors: 0 });
    expect(a.stats().bus).toMatchObject({ published: 2, errors: 0 });

    // set() replaces the value in L3 and tells the others to drop their old copy.
    await b.getOrSet('config', () => 'v1');
    await a.set('config', 'v2');
    await eventually('b sees the new value', async () => (await b.get('config')) === 'v2');
  });

  it('compresses a value over 1 KB in Redis (smaller than its JSON) and leaves a small one as it is', async () => {
    const prefix = `gzip:${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const big = {
      items: Array.from({ length: 80 }, (_, i) => ({
        id: i,
        name: `product ${i}`,
        description: 'A sturdy widget for everyday use, shipped in recycled packaging.',
      })),
    };
    const json = Buffer.byteLength(JSON.stringify(big));
    expect(json).toBeGreaterThan(4_096);
    await a.getOrSet('big', () => big);
    await a.getOrSet('small', () => ({ name: 'tiny' }));

    const client = raw();
    const [bigBytes, smallBytes] = [
      (await client.getBuffer(`${prefix}v:big`)) as Buffer,
      (await client.getBuffer(`${prefix}v:small`)) as Buffer,
    ];
    expect(bigBytes.byteLength).toBeLessThan(json / 2);
    expect(headerOf(bigBytes)).toMatchObject({ z: 'gzip', s: json });
    expect(headerOf(smallBytes).z).toBeUndefined();
    expect(smallBytes.toString('utf8').endsWith('{"name":"tiny"}')).toBe(true);

    const compression = a.stats().compression;
    expect(compression).toMatchObject({ algorithm: 'gzip', encoded: 2, compressed: 1 });
    expect(compression.bytesSaved).toBeGreaterThan(json / 2);
    expect(tierOf(a, 'L3').bytesSaved).toBe(compression.bytesSaved);
    expect(await b.get('big')).toEqual(big);
    expect(tierOf(b, 'L3').hits).toBe(1);
  });
});

describe('fault injection: redis SIGKILLed under load, then restarted on the same port', () => {
  let server: RedisServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await server?.stop();
  });

  const TIER_TIMEOUT_MS = 200;
  function instance(prefix: string) {
    const driver = createRedisCacheDriver({
      mode: 'standalone',
      url: (server as RedisServer).url,
      keyPrefix: prefix,
      commandTimeoutMs: 300,
      connectTimeoutMs: 1_000,
      reconnectMaxDelayMs: 200,
    });
    closers.push(() => driver.disconnect());
    const cache = createTieredCache({
      clock: systemClock,
      // Small L1 over 200 keys: a good share of calls need L3 or the loader.
      l1MaxEntries: 50,
      l3: { driver, timeoutMs: TIER_TIMEOUT_MS, failureThreshold: 5, timeoutThreshold: 2, cooldownMs: 1_000 },
    });
    closers.push(() => cache.close());
    return cache;
  }

  it('every call gets the right value quickly while redis is dead; the breaker opens; L3 serves again after the restart', async () => {
    const s = server as RedisServer;
    const prefix = `fault:${randomUUID()}:`;
    const a = instance(prefix);
    const b = instance(prefix);
    const expected = (key: string) => ({ key, value: `value of ${key}` });
    const load = async (key: string) => {
      await delay(1); // an origin round trip
      return expected(key);
    };

    const OPS = 2_000;
    const KILL_AT = OPS / 2;
    const trace = zipfTrace(OPS, 200, 0.9, 7);
    const latencies: number[] = [];
    const wrong: string[] = [];
    const rejected: unknown[] = [];
    let next = 0;
    let before: TierStats | undefined;
    let loadsBeforeKill = 0;
    let killedAt = 0;
    const worker = async () => {
      for (let i = next++; i < OPS; i = next++) {
        if (i === KILL_AT) {
          before = tierOf(a, 'L3');
          loadsBeforeKill = a.stats().loader.calls;
          await s.kill();
          killedAt = Date.now();
        }
        const key = trace[i] as string;
        const started = performance.now();
        try {
          const value = await a.getOrSet(key, load);
          if (JSON.stringify(value) !== JSON.stringify(expected(key))) wrong.push(key);
        } catch (err) {
          rejected.push(err);
        }
        latencies.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    expect(killedAt).toBeGreaterThan(0);
    expect(rejected).toEqual([]);
    expect(wrong).toEqual([]);
    expect(latencies).toHaveLength(OPS);
    // Generous (a shared 2-core machine), but far below an unbounded wait on a dead server.
    expect(Math.max(...latencies)).toBeLessThan(2_000);
    const l3Before = before as TierStats;
    expect(l3Before.hits).toBeGreaterThan(0);
    const l3After = tierOf(a, 'L3');
    // The breaker took L3 out of the path during the outage: calls were skipped, not each failed.
    // (Not "opened after the kill": a stall before it may already have opened it, legitimately.)
    expect(l3After.breaker?.opens).toBeGreaterThan(0);
    expect(l3After.skipped).toBeGreaterThan(l3Before.skipped);
    expect(l3After.errors + l3After.timeouts).toBeGreaterThan(l3Before.errors + l3Before.timeouts);
    // What L1 did not hold came from the loader; L3 served at most the reads already answered
    // when it died (one per worker).
    expect(a.stats().loader.calls).toBeGreaterThan(loadsBeforeKill);
    expect(l3After.hits - l3Before.hits).toBeLessThanOrEqual(8);

    await s.restart();
    const restartedAt = Date.now();
    let recoveredKey: string | undefined;
    for (let i = 0; recoveredKey === undefined; i++) {
      if (Date.now() - restartedAt > 15_000)
        throw new Error('L3 did not serve hits within 15 s of the restart');
      const key = `after-restart:${i}`;
      await a.getOrSet(key, load);
      const hits = tierOf(b, 'L3').hits;
      const loadsBefore = b.stats().loader.calls;
      expect(await b.getOrSet(key, load)).toEqual(expected(key));
      if (tierOf(b, 'L3').hits > hits && b.stats().loader.calls === loadsBefore) recoveredKey = key;
      else await delay(200);
    }
    expect(tierOf(a, 'L3').breaker?.state).toBe('closed');
    expect(tierOf(a, 'L3').breaker?.transitions.at(-1)).toMatchObject({ from: 'half-open', to: 'closed' });
  });
});
