import { describe, expect, it } from 'vitest';
import { createMemoryCacheDriver, createMemoryLock } from '../../lambdas/adapters/node/memory-cache-driver';
import { createZlibCompressor } from '../../lambdas/adapters/node/zlib-compressor';
import type { TierStats } from '../../lambdas/core/cache/tiers/cache-stats';
import { createTieredCache, type TieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import type { CacheBus } from '../../lambdas/ports/cache-driver';
import { FakeClock, FaultyDriver } from './cache-fakes';

// A remote tier that fails or hangs must cost callers at most its timeout, never an error: the
// breaker takes it out of the path and lets one trial call find out when it is back.

function world() {
  const clock = new FakeClock();
  const now = () => clock.now();
  const redis = createMemoryCacheDriver({ name: 'redis', now });
  return { clock, redis, faulty: new FaultyDriver(redis) };
}

const l3 = (cache: TieredCache) => cache.stats().tiers.find((t) => t.tier === 'L3') as TierStats;

describe('circuit breaker', () => {
  it('opens after consecutive failures; callers get loader values and no errors; half-open trial closes it', async () => {
    const { clock, faulty } = world();
    const cache = createTieredCache({
      clock,
      l3: { driver: faulty, failureThreshold: 3, cooldownMs: 10_000 },
    });
    faulty.mode = 'fail';
    // k0: read fails (1), write fails (2); k1: read fails (3) → open; its write is skipped.
    expect(await cache.getOrSet('k0', () => 0)).toBe(0);
    expect(await cache.getOrSet('k1', () => 1)).toBe(1);
    expect(l3(cache).breaker?.state).toBe('open');
    const callsWhenOpened = faulty.calls;
    for (let i = 2; i < 10; i++) expect(await cache.getOrSet(`k${i}`, () => i)).toBe(i);
    expect(faulty.calls).toBe(callsWhenOpened);
    expect(l3(cache)).toMatchObject({ errors: 3, skipped: 17 });

    faulty.mode = 'ok';
    await clock.advance(9_999);
    await cache.getOrSet('still-open', () => 'x');
    expect(faulty.calls).toBe(callsWhenOpened);
    await clock.advance(1);
    expect(await cache.getOrSet('trial', () => 't')).toBe('t');
    expect(faulty.calls).toBe(callsWhenOpened + 2); // the trial read, then the write
    const breaker = l3(cache).breaker;
    expect(breaker?.state).toBe('closed');
    expect(breaker?.transitions.map((t) => `${t.from}→${t.to}`)).toEqual([
      'closed→open',
      'open→half-open',
      'half-open→closed',
    ]);
    expect(breaker?.transitions[0]?.reason).toBe('3 consecutive failures');
    expect(await createTieredCache({ clock, l3: { driver: faulty } }).get('trial')).toBe('t');
  });

  it('lets exactly one trial through when half-open, and reopens when it fails', async () => {
    const { clock, faulty } = world();
    const cache = createTieredCache({
      clock,
      l3: { driver: faulty, failureThreshold: 1, cooldownMs: 1_000 },
    });
    faulty.mode = 'fail';
    await cache.getOrSet('a', () => 1);
    await clock.advance(1_000);
    const before = faulty.calls;
    const values = await Promise.all(Array.from({ length: 5 }, (_, i) => cache.getOrSet(`k${i}`, () => i)));
    expect(values).toEqual([0, 1, 2, 3, 4]);
    expect(faulty.calls).toBe(before + 1);
    const breaker = l3(cache).breaker;
    expect(breaker).toMatchObject({ state: 'open', opens: 2 });
    expect(breaker?.transitions.at(-1)).toMatchObject({
      from: 'half-open',
      to: 'open',
      reason: 'trial call failed (error)',
    });
  });

  it('keeps the L2 and L3 breakers apart: a failing disk does not take Redis out', async () => {
    const { clock, redis } = world();
    const disk = new FaultyDriver(createMemoryCacheDriver({ name: 'disk', now: () => clock.now() }));
    const cache = createTieredCache({
      clock,
      l2: { driver: disk, failureThreshold: 1 },
      l3: { driver: redis },
    });
    await cache.set('k', 'v');
    disk.mode = 'fail';
    const fresh = createTieredCache({
      clock,
      l2: { driver: disk, failureThreshold: 1 },
      l3: { driver: redis },
    });
    expect(await fresh.get('k')).toBe('v');
    const [, l2, l3stats] = fresh.stats().tiers;
    expect(l2?.breaker?.state).toBe('open');
    expect(l3stats).toMatchObject({ hits: 1, breaker: { state: 'closed' } });
  });
});

describe('timeouts', () => {
  it('bounds every call to a hanging tier by its timeout, then the breaker stops the waiting', async () => {
    const { clock, faulty } = world();
    const cache = createTieredCache({ clock, l3: { driver: faulty, timeoutMs: 100 } });
    faulty.mode = 'hang';
    const start = clock.now();
    expect(await clock.drive(cache.getOrSet('k', () => 'v'))).toBe('v');
    // The read timed out (100 ms), then the write (100 ms): two timeouts open the breaker.
    expect(clock.now() - start).toBe(200);
    expect(l3(cache)).toMatchObject({ timeouts: 2, errors: 0, breaker: { state: 'open' } });
    expect(l3(cache).breaker?.transitions[0]?.reason).toBe('2 consecutive timeouts');

    const afterOpen = clock.now();
    expect(await cache.getOrSet('j', () => 'w')).toBe('w');
    expect(clock.now()).toBe(afterOpen);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('serves from L3 when L2 hangs, paying only L2’s timeout', async () => {
    const { clock, redis } = world();
    const disk = new FaultyDriver(createMemoryCacheDriver({ name: 'disk', now: () => clock.now() }));
    await createTieredCache({ clock, l3: { driver: redis } }).set('k', 'v');
    const cache = createTieredCache({ clock, l2: { driver: disk, timeoutMs: 20 }, l3: { driver: redis } });
    disk.mode = 'hang';
    const start = clock.now();
    expect(await clock.drive(cache.get('k'))).toBe('v');
    expect(clock.now() - start).toBe(20);
    expect(cache.stats().tiers[1]).toMatchObject({ tier: 'L2', timeouts: 1 });
    expect(cache.stats().tiers[1]?.latencyMs.max).toBeCloseTo(20, 0);
  });

  it('falls back to loading alone when the lock cannot be taken because L3 is down', async () => {
    const { clock, faulty } = world();
    const cache = createTieredCache({
      clock,
      l3: { driver: faulty },
      lock: createMemoryLock({ now: () => clock.now() }),
    });
    faulty.mode = 'fail';
    let calls = 0;
    expect(await cache.getOrSet('k', () => ++calls)).toBe(1);
    expect(cache.stats().loader).toMatchObject({ calls: 1, lockWaits: 0 });
  });
});

describe('bad data and a bad bus', () => {
  it('never serves corrupt or unreadable entries: counted, removed, and loaded anew', async () => {
    const { clock, redis } = world();
    await redis.set('k', new TextEncoder().encode('{"not":"an entry"}'));
    const cache = createTieredCache({ clock, l3: { driver: redis } });
    expect(await cache.getOrSet('k', () => 'loaded')).toBe('loaded');
    expect(l3(cache)).toMatchObject({ errors: 1, misses: 1 });
    expect(await createTieredCache({ clock, l3: { driver: redis } }).get('k')).toBe('loaded');

    // Compressed by an instance with a compressor, read by one without.
    const big = 'x'.repeat(5_000);
    await createTieredCache({ clock, compressor: createZlibCompressor(), l3: { driver: redis } }).set(
      'z',
      big,
    );
    const bare = createTieredCache({ clock, l3: { driver: redis } });
    expect(await bare.getOrSet('z', () => 'reloaded')).toBe('reloaded');
    expect(l3(bare).errors).toBe(1);
  });

  it('keeps working when the bus cannot subscribe or publish', async () => {
    const { clock, redis } = world();
    const broken: CacheBus = {
      publish: () => Promise.reject(new Error('bus down')),
      subscribe: () => Promise.reject(new Error('bus down')),
    };
    const cache = createTieredCache({ clock, l3: { driver: redis }, bus: broken });
    await cache.ready();
    await cache.set('k', 1);
    expect(await cache.delete('k')).toMatchObject({ keys: 1 });
    expect(cache.stats().bus).toMatchObject({ subscribed: false, published: 0, errors: 3 });
  });

  it('reports a tier that failed during an invalidation as incomplete', async () => {
    const { clock, faulty } = world();
    const cache = createTieredCache({ clock, l3: { driver: faulty } });
    await cache.set('k', 1);
    faulty.mode = 'fail';
    expect(await cache.delete('k')).toMatchObject({ keys: 1, removed: { L1: 1, L3: 0 }, incomplete: ['L3'] });
  });
});
