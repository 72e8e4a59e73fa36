import { describe, expect, it } from 'vitest';
import {
  createMemoryCacheBus,
  createMemoryCacheDriver,
} from '../../lambdas/adapters/node/memory-cache-driver';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import { FakeClock, settle } from './cache-fakes';

// Invalidation by key, glob, tag and dependency cascade, in every tier, and across instances over
// the bus. "Every tier" is checked in the stores themselves; L1 through get(), which would return
// an L1 copy before looking anywhere else.

function world() {
  const clock = new FakeClock();
  const now = () => clock.now();
  const disk = createMemoryCacheDriver({ name: 'disk', now });
  const redis = createMemoryCacheDriver({ name: 'redis', now });
  const cache = createTieredCache({ clock, instanceId: 'a', l2: { driver: disk }, l3: { driver: redis } });
  /** Another process: shares L3 only. */
  const peer = createTieredCache({ clock, instanceId: 'peer', l3: { driver: redis } });
  return { clock, disk, redis, cache, peer };
}

describe('invalidation', () => {
  it('by key removes the entry from L1, L2 and L3 and nothing else', async () => {
    const { disk, redis, cache } = world();
    await cache.set('k', 1);
    await cache.set('other', 2);
    expect(await cache.delete('k')).toEqual({
      keys: 1,
      cascaded: 0,
      removed: { L1: 1, L2: 1, L3: 1 },
      incomplete: [],
    });
    expect(disk.keys()).toEqual(['other']);
    expect(redis.keys()).toEqual(['other']);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('other')).toBe(2);
  });

  it('by glob pattern, including keys this instance never saw (SCAN on the remote tiers)', async () => {
    const { redis, disk, cache, peer } = world();
    for (const key of ['user:1', 'user:2', 'order:1']) await cache.set(key, key);
    await peer.set('user:3', 'from elsewhere');
    const result = await cache.invalidate({ patterns: ['user:*'] });
    expect(result).toMatchObject({ keys: 2, removed: { L1: 2, L2: 2, L3: 3 } });
    expect(redis.keys()).toEqual(['order:1']);
    expect(disk.keys()).toEqual(['order:1']);
    expect(await cache.get('user:1')).toBeUndefined();
    expect(await cache.get('order:1')).toBe('order:1');

    await cache.set('sku-a1', 1);
    await cache.set('sku-b1', 2);
    await cache.invalidate({ patterns: ['sku-[a]?'] });
    expect(await cache.get('sku-a1')).toBeUndefined();
    expect(await cache.get('sku-b1')).toBe(2);
  });

  it('by tag, through the L1 index and the tag sets of the remote tiers', async () => {
    const { redis, cache, peer } = world();
    await cache.set('p1', 1, { tags: ['products'] });
    await cache.set('p2', 2, { tags: ['products', 'sale'] });
    await cache.set('u1', 3, { tags: ['users'] });
    await peer.set('p3', 4, { tags: ['products'] });
    expect((await redis.setMembers('t:products')).sort()).toEqual(['p1', 'p2', 'p3']);

    const result = await cache.invalidate({ tags: ['products'] });
    expect(result).toMatchObject({ keys: 3, cascaded: 0, removed: { L1: 2, L2: 2, L3: 3 } });
    expect(redis.keys()).toEqual(['u1']);
    expect(await redis.setMembers('t:products')).toEqual([]);
    for (const key of ['p1', 'p2', 'p3']) expect(await cache.get(key)).toBeUndefined();
    expect(await cache.get('u1')).toBe(3);
    // The peer's L1 still has p3: without a bus only its L1 TTL bounds that (see the bus tests).
    expect(await peer.get('p3')).toBe(4);
  });

  it('cascades to dependents transitively, in every tier, and ends on cycles', async () => {
    const { redis, disk, cache, peer } = world();
    await cache.set('a', 'a');
    await cache.set('b', 'b', { dependsOn: ['a'] });
    await cache.set('c', 'c', { dependsOn: ['b'] });
    await peer.set('d', 'd', { dependsOn: ['c'] }); // known only to L3's dependency set
    // A cycle. Filled by getOrSet: a fill is not a change, so it invalidates no dependents (set() would).
    await cache.getOrSet('x', () => 'x', { dependsOn: ['y'] });
    await cache.getOrSet('y', () => 'y', { dependsOn: ['x'] });
    await cache.set('z', 'z');

    expect(await cache.delete('a')).toMatchObject({ keys: 4, cascaded: 3, removed: { L1: 3, L2: 3, L3: 4 } });
    expect(redis.keys().sort()).toEqual(['x', 'y', 'z']);
    expect(disk.keys().sort()).toEqual(['x', 'y', 'z']);
    for (const key of ['a', 'b', 'c', 'd']) expect(await cache.get(key)).toBeUndefined();

    expect(await cache.delete('x')).toMatchObject({ keys: 2, cascaded: 1 });
    expect(redis.keys()).toEqual(['z']);
    expect(await cache.get('y')).toBeUndefined();
    expect(await cache.get('z')).toBe('z');
  });

  it('set() replaces a value and invalidates what was computed from the old one', async () => {
    const { cache } = world();
    await cache.set('price:1', 10);
    await cache.set('page:home', 'price is 10', { dependsOn: ['price:1'] });
    await cache.set('price:1', 12);
    expect(await cache.get('price:1')).toBe(12);
    expect(await cache.get('page:home')).toBeUndefined();
  });

  it('does not let a load that an invalidation overtook write the old value back', async () => {
    const { clock, redis, cache } = world();
    const slow = async () => {
      await clock.sleep(100);
      return 'read before the delete';
    };
    const load = cache.getOrSet('k', slow);
    await clock.advance(50);
    await cache.delete('k');
    expect(await clock.drive(load)).toBe('read before the delete');
    expect(await cache.get('k')).toBeUndefined();
    expect(redis.keys()).toEqual([]);

    const tagged = cache.getOrSet('t', slow, { tags: ['news'] });
    await clock.advance(50);
    await cache.invalidate({ tags: ['news'] });
    await clock.drive(tagged);
    expect(await cache.get('t')).toBeUndefined();
    expect(cache.stats().loader.discardedWrites).toBe(2);
    // A load that nothing overtook is kept.
    await clock.drive(cache.getOrSet('k', slow));
    expect(await cache.get('k')).toBe('read before the delete');
  });
});

describe('bus', () => {
  function instances(withBus: boolean) {
    const clock = new FakeClock();
    const now = () => clock.now();
    const redis = createMemoryCacheDriver({ name: 'redis', now });
    const bus = withBus ? createMemoryCacheBus() : undefined;
    const make = (id: string) =>
      createTieredCache({
        clock,
        instanceId: id,
        l2: { driver: createMemoryCacheDriver({ name: 'disk', now }) },
        l3: { driver: redis },
        ...(bus === undefined ? {} : { bus }),
      });
    return { clock, redis, bus, a: make('a'), b: make('b') };
  }

  const delivered = async (...caches: { idle(): Promise<void> }[]) => {
    await settle();
    for (const c of caches) await c.idle();
  };

  it('without a bus, another instance keeps serving its L1 copy (the problem the bus solves)', async () => {
    const { a, b } = instances(false);
    await a.set('k', 'v1');
    expect(await b.get('k')).toBe('v1');
    await a.set('k', 'v2');
    expect(await b.get('k')).toBe('v1');
  });

  it('drops other instances’ L1 copies on set, delete, pattern, tag and clear; ignores its own messages', async () => {
    const { a, b, bus } = instances(true);
    await Promise.all([a.ready(), b.ready()]);
    await a.set('k', 'v1', { tags: ['t'] });
    await a.set('user:1', 'u');
    expect(await b.get('k')).toBe('v1');
    expect(await b.get('user:1')).toBe('u');

    await a.set('k', 'v2', { tags: ['t'] });
    await delivered(b);
    expect(await b.get('k')).toBe('v2');

    await a.invalidate({ tags: ['t'] });
    await delivered(b);
    expect(await b.get('k')).toBeUndefined();

    await a.invalidate({ patterns: ['user:*'] });
    await delivered(b);
    expect(await b.get('user:1')).toBeUndefined();

    await b.set('k', 'from b');
    expect(await a.get('k')).toBe('from b');
    await b.delete('k');
    await delivered(a);
    expect(await a.get('k')).toBeUndefined();

    await a.set('c', 1);
    expect(await b.get('c')).toBe(1);
    await a.clear();
    await delivered(b);
    expect(await b.get('c')).toBeUndefined();

    // Each received exactly what the other published: its own messages came back and were ignored.
    const [busA, busB] = [a.stats().bus, b.stats().bus];
    expect(busA).toMatchObject({ subscribed: true, errors: 0, published: 7, received: 2 });
    expect(busB).toMatchObject({ subscribed: true, errors: 0, published: 2, received: 7 });

    // Garbage on the channel is ignored, not thrown into the subscriber.
    await bus?.publish('throughline:cache:invalidations', 'not json');
    await bus?.publish('throughline:cache:invalidations', '{"v":2}');
    // So is a glob over the API's length limit (a peer never sends one; matching work stays bounded).
    const long = JSON.stringify({ v: 1, from: 'x', keys: [], patterns: ['*'.repeat(1_025)], tags: [] });
    await bus?.publish('throughline:cache:invalidations', long);
    await delivered(a, b);
    expect(b.stats().bus?.received).toBe(7);
  });

  it('also invalidates each instance’s own (per-instance) L2, but not the shared L3 twice', async () => {
    const clock = new FakeClock();
    const now = () => clock.now();
    const redis = createMemoryCacheDriver({ name: 'redis', now });
    const bus = createMemoryCacheBus();
    const diskA = createMemoryCacheDriver({ name: 'disk', now });
    const diskB = createMemoryCacheDriver({ name: 'disk', now });
    const a = createTieredCache({
      clock,
      instanceId: 'a',
      l2: { driver: diskA },
      l3: { driver: redis },
      bus,
    });
    const b = createTieredCache({
      clock,
      instanceId: 'b',
      l2: { driver: diskB },
      l3: { driver: redis },
      bus,
    });
    await Promise.all([a.ready(), b.ready()]);
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    await b.idle();
    expect(diskB.keys()).toEqual(['k']);
    await a.delete('k');
    await settle();
    await b.idle();
    expect(diskB.keys()).toEqual([]);
    expect(b.stats().tiers.find((t) => t.tier === 'L3')?.deletes).toBe(0);
    await Promise.all([a.close(), b.close()]);
    await expect(a.set('after', 1)).rejects.toMatchObject({ code: 'E_CACHE_CLOSED' });
    await expect(a.get('after')).rejects.toMatchObject({ code: 'E_CACHE_CLOSED' });
  });
});
