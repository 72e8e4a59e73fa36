import { describe, expect, it } from 'vitest';
import { createMemoryLock, type MemoryCacheDriver } from '../../lambdas/adapters/node/memory-cache-driver';
import { createZlibCompressor } from '../../lambdas/adapters/node/zlib-compressor';
import { CacheError } from '../../lambdas/core/cache/tiers/cache-error';
import { createTieredCache, type TieredCacheOptions } from '../../lambdas/core/cache/tiers/tiered-cache';
import { cacheWorld, seededRandom, tierOf } from './cache-fakes';

// The tiered cache on virtual time: tiers and promotion, TTL and grace, values, compression,
// stats and EMF, options. Two caches sharing one store behave like two processes sharing one Valkey.

const world = cacheWorld;
const tier = tierOf;

describe('tiers', () => {
  it('promotes a hit in L3 to L2 and L1 with the remaining TTL, and serves the next read from L1', async () => {
    const { clock, disk, redis } = world();
    const writer = createTieredCache({ clock, instanceId: 'writer', l3: { driver: redis } });
    await writer.set('user:1', { name: 'Ada' }, { ttlMs: 10_000 });
    await clock.advance(4_000);

    const reader = createTieredCache({
      clock,
      instanceId: 'reader',
      l2: { driver: disk },
      l3: { driver: redis },
    });
    expect(await reader.get('user:1')).toEqual({ name: 'Ada' });
    await reader.idle();
    expect(disk.keys()).toEqual(['user:1']);
    expect(await reader.get('user:1')).toEqual({ name: 'Ada' });
    expect(tier(reader, 'L1')).toMatchObject({ hits: 1, misses: 1 });
    expect(tier(reader, 'L2')).toMatchObject({ hits: 0, misses: 1 });
    expect(tier(reader, 'L3')).toMatchObject({ hits: 1, misses: 0 });

    // 6 s were left: the promoted copies expire with the original, not 10 s after promotion.
    await clock.advance(5_999);
    expect(await reader.get('user:1')).toEqual({ name: 'Ada' });
    expect(tier(reader, 'L1')).toMatchObject({ hits: 2 });
    await clock.advance(1);
    expect(await disk.get('user:1')).toBeUndefined();
    expect(await reader.get('user:1')).toBeUndefined();
  });

  it('promotes an L2 hit to L1 only, and writes go to every tier', async () => {
    const { clock, disk, redis } = world();
    const cache = createTieredCache({ clock, l2: { driver: disk }, l3: { driver: redis } });
    await cache.set('k', 'v');
    expect(disk.keys()).toEqual(['k']);
    expect(redis.keys()).toEqual(['k']);

    await redis.clear();
    const fresh = createTieredCache({ clock, l2: { driver: disk }, l3: { driver: redis } });
    expect(await fresh.get('k')).toBe('v');
    await fresh.idle();
    expect(redis.keys()).toEqual([]);
    expect(tier(fresh, 'L2')).toMatchObject({ hits: 1 });
    expect(tier(fresh, 'L3')).toMatchObject({ hits: 0, misses: 0 });
  });

  it('keeps a value fresh for its TTL, then serves it only as stale within grace, then not at all', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({
      clock,
      ttlMs: 1_000,
      graceMs: 500,
      staleWhileRevalidate: false,
      l3: { driver: redis },
    });
    expect(await cache.getOrSet('k', () => 'v1')).toBe('v1');
    await clock.advance(999);
    expect(await cache.get('k')).toBe('v1');
    await clock.advance(1);
    // get() never returns stale data; getOrSet() falls back to it only when the loader fails.
    expect(await cache.get('k')).toBeUndefined();
    const outage = new Error('origin down');
    const failing = () => Promise.reject(outage);
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    await clock.advance(499);
    expect(redis.keys()).toEqual(['k']);
    await clock.advance(1);
    expect(redis.keys()).toEqual([]);
    await expect(cache.getOrSet('k', failing)).rejects.toBe(outage);
  });

  it('returns but does not cache undefined; refuses values JSON cannot carry; passes bytes through', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, l3: { driver: redis } });
    let calls = 0;
    const nothing = async () => {
      calls++;
      return undefined;
    };
    expect(await cache.getOrSet('absent', nothing)).toBeUndefined();
    expect(await cache.getOrSet('absent', nothing)).toBeUndefined();
    expect(calls).toBe(2);
    expect(await cache.getOrSet('null', () => null)).toBeNull();
    expect(await cache.getOrSet('null', () => 'not called')).toBeNull();

    await expect(cache.set('big', 10n)).rejects.toMatchObject({ code: 'E_CACHE_INVALID_VALUE' });
    await expect(cache.getOrSet('fn', () => () => 1)).rejects.toBeInstanceOf(CacheError);
    await expect(cache.set('', 1)).rejects.toMatchObject({ code: 'E_CACHE_INVALID_ARGUMENT' });

    const bytes = new Uint8Array([0, 1, 2, 255]);
    await cache.set('bin', bytes);
    const other = createTieredCache({ clock, l3: { driver: redis } });
    const back = await other.get<Uint8Array>('bin');
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...(back as Uint8Array)]).toEqual([0, 1, 2, 255]);
  });
});

describe('compression', () => {
  const catalog = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `customer ${i}`, tier: 'gold' }));
  const catalogBytes = new TextEncoder().encode(JSON.stringify(catalog)).byteLength;

  it('compresses entries above the threshold when it saves bytes, and counts the savings', async () => {
    const { clock, redis } = world();
    const compressor = createZlibCompressor();
    const cache = createTieredCache({ clock, compressor, l3: { driver: redis } });
    await cache.set('catalog', catalog);
    await cache.set('small', { id: 1 });
    const random = seededRandom(7);
    const noise = Uint8Array.from({ length: 4_096 }, () => Math.floor(random() * 256));
    await cache.set('noise', noise);

    const stored = (await redis.get('catalog')) as Uint8Array;
    expect(stored.byteLength).toBeLessThan(catalogBytes / 3);
    const c = cache.stats().compression;
    expect(c).toMatchObject({
      algorithm: 'gzip',
      thresholdBytes: 1_024,
      encoded: 3,
      compressed: 1,
      incompressible: 1,
    });
    expect(c.bytesIn).toBe(catalogBytes + '{"id":1}'.length + 4_096);
    expect(c.bytesSaved).toBe(c.bytesIn - c.bytesOut);
    expect(c.bytesSaved).toBeGreaterThan(catalogBytes / 2);
    expect(tier(cache, 'L3').bytesSaved).toBe(c.bytesSaved);
    // Incompressible bytes are stored as they are, not grown.
    expect(((await redis.get('noise')) as Uint8Array).byteLength).toBeLessThan(4_096 + 100);

    const reader = createTieredCache({ clock, compressor, l3: { driver: redis } });
    expect(await reader.get('catalog')).toEqual(catalog);
    expect([...((await reader.get<Uint8Array>('noise')) as Uint8Array)]).toEqual([...noise]);
  });

  it('uses brotli when asked, with a threshold of our choosing, and nothing without a compressor', async () => {
    const { clock, redis, disk } = world();
    const compressor = createZlibCompressor();
    const brotli = createTieredCache({
      clock,
      compressor,
      compression: 'brotli',
      compressionThresholdBytes: 10,
      l3: { driver: redis },
    });
    await brotli.set('catalog', catalog);
    await brotli.set('tiny', 'abc'); // 5 bytes of JSON: under the threshold
    const header = new TextDecoder().decode(((await redis.get('catalog')) as Uint8Array).subarray(0, 120));
    expect(header).toContain('"z":"brotli"');
    expect(brotli.stats().compression).toMatchObject({ algorithm: 'brotli', encoded: 2, compressed: 1 });
    expect(await createTieredCache({ clock, compressor, l3: { driver: redis } }).get('catalog')).toEqual(
      catalog,
    );

    const plain = createTieredCache({ clock, l2: { driver: disk } });
    await plain.set('catalog', catalog);
    expect(((await disk.get('catalog')) as Uint8Array).byteLength).toBeGreaterThan(catalogBytes);
    expect(plain.stats().compression).toMatchObject({ algorithm: 'none', compressed: 0, bytesSaved: 0 });
  });
});

describe('stats and EMF', () => {
  it('reports per-tier counters, latency percentiles and breaker state as JSON', async () => {
    const { clock, disk, redis } = world();
    const cache = createTieredCache({ clock, l2: { driver: disk }, l3: { driver: redis } });
    await cache.get('missing');
    await cache.getOrSet('k', () => 'v');
    for (let i = 0; i < 16; i++) await cache.get('k');
    const stats = JSON.parse(JSON.stringify(cache.stats()));
    expect(stats.tiers.map((t: { tier: string }) => t.tier)).toEqual(['L1', 'L2', 'L3']);
    expect(stats.tiers[0]).toMatchObject({
      name: 'lru',
      hits: 16,
      misses: 2,
      sets: 1,
      entries: 1,
      evictions: 0,
    });
    expect(stats.tiers[0].hitRate).toBeCloseTo(16 / 18);
    expect(stats.tiers[2]).toMatchObject({
      name: 'redis',
      hits: 0,
      misses: 2,
      hitRate: 0,
      sets: 1,
      breaker: { state: 'closed', opens: 0 },
    });
    expect(stats.tiers[2].latencyMs).toMatchObject({ count: 2 });
    for (const p of ['p50', 'p95', 'p99', 'max']) expect(typeof stats.tiers[2].latencyMs[p]).toBe('number');
    expect(stats.tiers[0].latencyMs.count).toBe(2); // 18 L1 reads, one in 8 timed
    expect(stats.loader).toMatchObject({ calls: 1, errors: 0 });
    expect(stats.bus).toBeNull();
    expect(stats.popularKeys[0]).toEqual({ key: 'k', count: 17 });
  });

  it('emits one EMF document per tier with CacheHitRate by Tier, for the interval since the last call', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, l3: { driver: redis }, l1MaxEntries: 1 });
    await cache.getOrSet('a', () => 1);
    await cache.getOrSet('b', () => 2); // evicts a from L1
    await cache.get('a'); // L1 miss, L3 hit
    const docs = cache.emf();
    expect(docs.map((d) => d.Tier)).toEqual(['L1', 'L3']);
    const [l1, l3] = docs;
    expect(l1?._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'Throughline',
      Dimensions: [['Tier']],
      Metrics: [
        { Name: 'CacheHitRate', Unit: 'Percent' },
        { Name: 'CacheHits', Unit: 'Count' },
        { Name: 'CacheMisses', Unit: 'Count' },
        { Name: 'CacheEvictions', Unit: 'Count' },
        { Name: 'CacheBytesSaved', Unit: 'Bytes' },
      ],
    });
    expect(l1).toMatchObject({ CacheHitRate: 0, CacheHits: 0, CacheMisses: 3, CacheEvictions: 2 });
    expect(l1?._aws.Timestamp).toBe(clock.now());
    expect(l3).toMatchObject({ Tier: 'L3', CacheHitRate: 100 / 3, CacheHits: 1, CacheMisses: 2 });
    expect(l3).not.toHaveProperty('CacheEvictions');
    expect(typeof l3?.CacheLatencyP99).toBe('number');

    // Next interval: only what happened since. No lookups: no hit rate (no data is not an alarm).
    const quiet = cache.emf('Custom');
    expect(quiet[0]?._aws.CloudWatchMetrics[0].Namespace).toBe('Custom');
    expect(quiet[0]).not.toHaveProperty('CacheHitRate');
    expect(quiet[0]).toMatchObject({ CacheHits: 0, CacheMisses: 0 });
    await cache.get('a');
    expect(cache.emf()[0]).toMatchObject({ CacheHitRate: 100, CacheHits: 1 });
    // Lifetime stats are unaffected by emf() intervals.
    expect(tier(cache, 'L3')).toMatchObject({ hits: 1, misses: 2 });
  });
});

describe('options', () => {
  it('lists every problem at once', () => {
    const { clock } = world();
    const bad = {
      clock,
      ttlMs: -1,
      l1Policy: 'fifo',
      l2: { driver: {}, timeoutMs: 0 },
      lock: createMemoryLock(),
      compression: 'gzip',
      warmConcurrency: 1.5,
    } as unknown as TieredCacheOptions;
    let error: unknown;
    try {
      createTieredCache(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheError);
    expect((error as CacheError).code).toBe('E_CACHE_INVALID_OPTIONS');
    expect((error as CacheError).details.map((p) => p.path)).toEqual([
      'ttlMs',
      'l1Policy',
      'l2.driver',
      'l2.timeoutMs',
      'lock',
      'compression',
      'warmConcurrency',
    ]);
  });

  it('applies the documented defaults', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, l3: { driver: redis as MemoryCacheDriver } });
    await cache.set('k', 'v');
    await clock.advance(299_999);
    expect(await cache.get('k')).toBe('v');
    await clock.advance(1);
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tier(cache, 'L1').name).toBe('lru');
  });
});
