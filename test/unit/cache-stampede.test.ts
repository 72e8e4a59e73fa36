import { describe, expect, it } from 'vitest';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import { cacheWorld, seededRandom, slowLoader, tierOf } from './cache-fakes';

// Stampede protection (coalescing, the L3 lock across processes, XFetch, stale-while-revalidate,
// stale-on-error) and warming, on virtual time: loaders "take" time by sleeping on the fake clock.

const world = cacheWorld;
const tier = tierOf;

describe('stampede protection', () => {
  it('coalesces 100 concurrent misses of one key into one L3 read and one loader call', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, l3: { driver: redis } });
    const loader = slowLoader(clock, 50);
    const values = await clock.drive(
      Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('k', loader))),
    );
    expect(values).toEqual(Array(100).fill('v1'));
    expect(loader.calls).toBe(1);
    expect(cache.stats().loader).toMatchObject({ calls: 1, coalescedWaits: 99 });
    expect(tier(cache, 'L3')).toMatchObject({ misses: 1 });
  });

  it('lets one of two processes load while the other waits for the value in L3', async () => {
    const { clock, redis, lock } = world();
    const a = createTieredCache({ clock, instanceId: 'a', l3: { driver: redis }, lock });
    const b = createTieredCache({ clock, instanceId: 'b', l3: { driver: redis }, lock });
    const loader = slowLoader(clock, 200);
    const both = await clock.drive(Promise.all([a.getOrSet('k', loader), b.getOrSet('k', loader)]));
    expect(both).toEqual(['v1', 'v1']);
    expect(loader.calls).toBe(1);
    const waited = [a, b].map((c) => c.stats().loader);
    expect(waited.map((l) => l.lockWaits).sort()).toEqual([0, 1]);
    expect(waited.map((l) => l.peerLoads).sort()).toEqual([0, 1]);
  });

  it('loads anyway once the lock wait times out, and takes over at once when the holder fails', async () => {
    const { clock, redis, lock } = world();
    const options = { clock, l3: { driver: redis }, lock, lockWaitMs: 3_000 } as const;
    const a = createTieredCache({ ...options, instanceId: 'a' });
    const b = createTieredCache({ ...options, instanceId: 'b' });
    let calls = 0;
    const slowFirst = async () => (++calls === 1 ? clock.sleep(10_000).then(() => 'slow') : 'fast');
    const start = clock.now();
    const first = a.getOrSet('k', slowFirst);
    let bDoneAt = 0;
    const second = b.getOrSet('k', slowFirst).then((v) => {
      bDoneAt = clock.now();
      return v;
    });
    expect(await clock.drive(Promise.all([first, second]))).toEqual(['slow', 'fast']);
    expect(bDoneAt - start).toBeGreaterThanOrEqual(3_000);
    expect(bDoneAt - start).toBeLessThan(3_500);
    expect(b.stats().loader).toMatchObject({ lockWaits: 1, lockWaitTimeouts: 1, calls: 1 });

    const failure = new Error('origin 500');
    let tries = 0;
    const failsOnce = async () => {
      tries++;
      await clock.sleep(100);
      if (tries === 1) throw failure;
      return 'recovered';
    };
    const results = await clock.drive(
      Promise.allSettled([a.getOrSet('j', failsOnce), b.getOrSet('j', failsOnce)]),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(tries).toBe(2);
    expect(b.stats().loader.lockWaitTimeouts + a.stats().loader.lockWaitTimeouts).toBe(1);
  });

  it('refreshes early (XFetch) close to expiry with probability growing with the load time', async () => {
    const { clock, redis } = world();
    // random 0.5: −ln(0.5) × δ 100 ms × β 1 ≈ 69 ms before expiry.
    const cache = createTieredCache({ clock, ttlMs: 1_000, random: () => 0.5, l3: { driver: redis } });
    const loader = slowLoader(clock, 100);
    expect(await clock.drive(cache.getOrSet('k', loader))).toBe('v1');
    const expiresAt = clock.now() + 1_000;

    await clock.advance(expiresAt - 100 - clock.now());
    expect(await cache.getOrSet('k', loader)).toBe('v1');
    await clock.drive(cache.idle());
    expect(loader.calls).toBe(1);

    await clock.advance(expiresAt - 60 - clock.now());
    expect(await cache.getOrSet('k', loader)).toBe('v1');
    expect(loader.calls).toBe(2);
    await clock.drive(cache.idle());
    expect(await cache.getOrSet('k', loader)).toBe('v2');
    expect(cache.stats().loader).toMatchObject({ earlyRefreshes: 1, calls: 2 });

    const off = createTieredCache({ clock, ttlMs: 1_000, random: () => 0.5, earlyRefreshBeta: 0 });
    const offLoader = slowLoader(clock, 100);
    await clock.drive(off.getOrSet('k', offLoader));
    await clock.advance(999);
    expect(await off.getOrSet('k', offLoader)).toBe('v1');
    expect(offLoader.calls).toBe(1);
  });

  it('spreads early refreshes with a seeded random: none far from expiry, most right before it', async () => {
    const { clock } = world();
    const random = seededRandom(42);
    const runs = (gapMs: number) => {
      let refreshed = 0;
      for (let i = 0; i < 1_000; i++) if (-100 * Math.log(random()) >= gapMs) refreshed++;
      return refreshed;
    };
    // The same distribution the cache draws from: P(refresh) = exp(−gap / δβ).
    expect(runs(1_000)).toBeLessThan(5);
    expect(runs(10)).toBeGreaterThan(850);
    const cache = createTieredCache({ clock, ttlMs: 10_000, random: seededRandom(42) });
    const loader = slowLoader(clock, 100);
    await clock.drive(cache.getOrSet('k', loader));
    await clock.advance(5_000);
    for (let i = 0; i < 200; i++) await cache.getOrSet('k', loader);
    expect(loader.calls).toBe(1);
  });

  it('serves a stale value at once and refreshes it in the background (stale-while-revalidate)', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, ttlMs: 1_000, graceMs: 60_000, l3: { driver: redis } });
    const loader = slowLoader(clock, 100);
    await clock.drive(cache.getOrSet('k', loader));
    await clock.advance(1_100);

    expect(await cache.getOrSet('k', loader)).toBe('v1');
    expect(loader.calls).toBe(2);
    const during = await Promise.all(Array.from({ length: 5 }, () => cache.getOrSet('k', loader)));
    expect(during).toEqual(Array(5).fill('v1'));
    expect(loader.calls).toBe(2);
    await clock.drive(cache.idle());
    expect(await cache.getOrSet('k', loader)).toBe('v2');
    expect(await createTieredCache({ clock, l3: { driver: redis } }).get('k')).toBe('v2');
    expect(cache.stats().loader).toMatchObject({ staleServed: 6, backgroundRefreshes: 1, calls: 2 });
  });

  it('serves the grace value when the loader fails, backs off, then retries (stale-on-error)', async () => {
    const { clock } = world();
    const cache = createTieredCache({
      clock,
      ttlMs: 1_000,
      graceMs: 60_000,
      graceBackoffMs: 5_000,
      staleWhileRevalidate: false,
    });
    await cache.getOrSet('k', () => 'v1');
    await clock.advance(1_001);
    let failures = 0;
    const failing = async () => {
      failures++;
      throw new Error('origin down');
    };
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(await cache.getOrSet('k', failing)).toBe('v1');
    expect(failures).toBe(1);
    await clock.advance(5_000);
    expect(await cache.getOrSet('k', () => 'v2')).toBe('v2');
    expect(cache.stats().loader).toMatchObject({ errors: 1, staleServed: 2 });

    // In the background too: a failed refresh keeps the stale value.
    const swr = createTieredCache({ clock, ttlMs: 1_000, graceMs: 60_000 });
    await swr.getOrSet('k', () => 'old');
    await clock.advance(1_001);
    expect(await swr.getOrSet('k', failing)).toBe('old');
    await swr.idle();
    expect(swr.stats().loader).toMatchObject({ backgroundErrors: 1 });
    expect(await swr.getOrSet('k', failing)).toBe('old');
  });
});

describe('warming and popular keys', () => {
  it('warms with bounded concurrency, skips fresh keys unless forced, and reports failures', async () => {
    const { clock, redis } = world();
    const cache = createTieredCache({ clock, l3: { driver: redis } });
    for (const [key, times] of [
      ['a', 5],
      ['b', 3],
      ['c', 1],
    ] as const) {
      for (let i = 0; i < times; i++) await cache.get(key);
    }
    expect(cache.popularKeys(2)).toEqual(['a', 'b']);
    const hitsBefore = tier(cache, 'L1').hits;

    let active = 0;
    let peak = 0;
    const loads: string[] = [];
    const loader = async (key: string) => {
      active++;
      peak = Math.max(peak, active);
      loads.push(key);
      await clock.sleep(10);
      active--;
      if (key === 'd') throw new Error('no such product');
      return `${key}!`;
    };
    const first = await clock.drive(cache.warm([...cache.popularKeys(3), 'd'], loader, { concurrency: 2 }));
    expect(first).toEqual({ loaded: 3, alreadyFresh: 0, failed: [{ key: 'd', error: 'no such product' }] });
    expect(peak).toBe(2);
    expect(await cache.get('a')).toBe('a!');

    const again = await clock.drive(cache.warm(['a', 'b', 'c'], loader));
    expect(again).toMatchObject({ loaded: 0, alreadyFresh: 3 });
    expect(loads).toHaveLength(4);
    const forced = await clock.drive(cache.warm(['a', 'b'], loader, { force: true }));
    expect(forced).toMatchObject({ loaded: 2, alreadyFresh: 0 });
    expect(loads).toHaveLength(6);
    // Warming's own lookups are not traffic.
    expect(tier(cache, 'L1').hits).toBe((hitsBefore as number) + 1);
  });
});
