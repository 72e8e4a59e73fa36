import { BusLink } from '../invalidation/bus-link';
import { type InvalidationRequest, type InvalidationResult, Invalidator } from '../invalidation/invalidation';
import { CacheError } from './cache-error';
import { InvalidationCounters, LoaderCounters } from './cache-stats';
import { Flights } from './coalesce';
import { type EmfDocument, emfDocuments } from './emf';
import type { CacheEntry } from './entry-codec';
import { type EntryOptions, type ResolvedEntryOptions, resolveEntryOptions } from './entry-options';
import { LoadCoordinator, type Loader } from './load-coordinator';
import { PopularKeys } from './popular-keys';
import type { GetOrSetOptions, TieredCache } from './tiered-cache-contract';
import { type ResolvedOptions, resolveOptions, type TieredCacheOptions } from './tiered-options';
import { buildStats, type TieredCacheStats, tierInterval } from './tiered-stats';
import { Tiers } from './tiers';
import { type WarmOptions, type WarmResult, warmKeys } from './warm';
import { shouldRefreshEarly } from './xfetch';

export type { InvalidationRequest, InvalidationResult } from '../invalidation/invalidation';
export type { EntryOptions } from './entry-options';
export type { Loader } from './load-coordinator';
export type { GetOrSetOptions, TieredCache } from './tiered-cache-contract';
export type { RemoteTierOptions, TieredCacheOptions } from './tiered-options';
export type { TieredCacheStats } from './tiered-stats';
export type { WarmOptions, WarmResult } from './warm';

/**
 * The tiered cache our handlers and users call: L1 process memory → L2 local disk → L3
 * Valkey/Redis → loader, with promotion on the way back, writes to every tier, stampede protection
 * (per-process coalescing, an L3 lock across processes, XFetch early refresh, stale-while-
 * revalidate, stale-on-error), invalidation by key, glob, tag and dependency cascade, a bus for
 * other instances' L1, a breaker and timeout per remote tier, warming from popular keys, and stats
 * with CloudWatch EMF output.
 *
 * Why not bentocache (the closest library, and a benchmark peer in bench/): its L1 is LRU only and
 * we need the lfu/ttl/adaptive policies of ../policies/; it has no compression (we store ~1 KB+
 * values gzip/brotli-compressed in L2/L3 and report the savings); its tiers are L1 + one L2, with no
 * separate disk tier between memory and Redis; its tags are experimental timestamp filters where we
 * keep tag and dependency index sets (cascade needs them); and its metrics are events and
 * Prometheus, where our alarms read CloudWatch EMF with a `Tier` dimension. Its stampede lock is
 * per process and its early refresh a fixed fraction of the TTL; we add an L3 lock across processes
 * and XFetch. And it is essentially one maintainer's project. Those parts are written here; the
 * stores (disk, Redis), lock and bus are ports with their own adapters.
 */
export function createTieredCache(options: TieredCacheOptions): TieredCache {
  return new Tiered(resolveOptions(options));
}

class Tiered implements TieredCache {
  readonly instanceId: string;
  private readonly tiers: Tiers;
  private readonly flights = new Flights();
  private readonly loader = new LoaderCounters();
  private readonly invalidations = new InvalidationCounters();
  private readonly loads: LoadCoordinator;
  private readonly invalidator: Invalidator;
  private readonly popular: PopularKeys;
  private readonly defaults: ResolvedEntryOptions;
  private readonly background = new Set<Promise<void>>();
  private readonly bus: BusLink;
  private closed = false;

  constructor(private readonly o: ResolvedOptions) {
    this.instanceId = o.instanceId;
    this.tiers = new Tiers(o, (work) => this.track(work));
    this.loads = new LoadCoordinator(o, this.tiers, this.loader);
    this.invalidator = new Invalidator(
      this.tiers,
      this.flights,
      this.loads,
      this.invalidations,
      o.instanceId,
      (m) => this.bus.publish(m),
    );
    this.popular = new PopularKeys(o.popularKeysCapacity);
    this.defaults = { ttlMs: o.ttlMs, graceMs: o.graceMs, tags: [], dependsOn: [] };
    const receive = (message: string) => this.track(this.invalidator.receive(message));
    this.bus = new BusLink(o.bus, o.l3?.timeoutMs ?? 100, o.clock, this.invalidations, receive);
  }

  async get<T>(key: string): Promise<T | undefined> {
    this.check(key, undefined);
    this.popular.record(key);
    const now = this.o.clock.now();
    const local = this.tiers.local(key, now);
    if (local !== undefined && local.expiresAt > now) return local.value as T;
    if (this.tiers.remotes.length === 0) return undefined;
    const found = await this.tiers.lookupRemote(key, undefined);
    return found?.fresh === true ? (found.entry.value as T) : undefined;
  }

  async getOrSet<T>(key: string, loader: Loader<T>, options?: GetOrSetOptions): Promise<T> {
    const entryOptions = this.check(key, options);
    if (typeof loader !== 'function') {
      throw new CacheError('E_CACHE_INVALID_ARGUMENT', 'getOrSet: loader must be a function', {
        details: [{ path: 'loader', message: 'must be a function' }],
      });
    }
    this.popular.record(key);
    const now = this.o.clock.now();
    const local = this.tiers.local(key, now);
    if (local !== undefined && local.expiresAt > now) {
      if (shouldRefreshEarly(now, local.expiresAt, local.loadMs, this.o.earlyRefreshBeta, this.o.random)) {
        this.refreshEarly(key, loader, entryOptions, local);
      }
      return local.value as T;
    }
    // Joined before any await, so a load finishing meanwhile has already filled L1 (checked above).
    const running = this.flights.get<T>(key);
    if (running !== undefined) {
      this.loader.coalescedWaits++;
      const value = await running.promise;
      if (running.servedStale) this.loader.staleServed++;
      return value;
    }
    const swr = options?.staleWhileRevalidate ?? this.o.staleWhileRevalidate;
    const flight = this.flights.run<T>(key, this.tiers.epoch, (f) =>
      this.loads.fill({ key, loader, options: entryOptions, l1Stale: local, swr, flight: f }),
    );
    return flight.promise;
  }

  async set(key: string, value: unknown, options?: EntryOptions): Promise<void> {
    const entryOptions = this.check(key, options);
    // Loads of this key that are running read the old value: they must not write it over this one.
    this.tiers.epoch++;
    this.flights.supersede([key]);
    this.loads.forget([key]);
    await this.tiers.store(key, value, entryOptions, 0, () => true);
    await this.invalidator.invalidate({}, [key]);
  }

  delete(key: string): Promise<InvalidationResult> {
    return this.invalidate({ keys: [key] });
  }

  async invalidate(request: InvalidationRequest): Promise<InvalidationResult> {
    this.check(undefined, undefined);
    for (const field of ['keys', 'patterns', 'tags'] as const) {
      const list = request[field];
      if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === 'string'))) {
        throw new CacheError('E_CACHE_INVALID_ARGUMENT', `invalidate: ${field} must be an array of strings`, {
          details: [{ path: field, message: 'must be an array of strings' }],
        });
      }
    }
    return this.invalidator.invalidate(request);
  }

  async clear(): Promise<void> {
    // Popularity is about traffic, not content: warming after a clear wants exactly those keys.
    this.check(undefined, undefined);
    await this.invalidator.clear();
  }

  warm<T>(keys: readonly string[], loader: Loader<T>, options: WarmOptions = {}): Promise<WarmResult> {
    this.check(undefined, undefined);
    const { clock, warmConcurrency } = this.o;
    const check = (key: string, entry: EntryOptions) => this.check(key, entry);
    const { tiers, flights, loads } = this;
    return warmKeys(
      { clock, tiers, flights, loads, defaultConcurrency: warmConcurrency, check },
      keys,
      loader,
      options,
    );
  }

  popularKeys(n: number): string[] {
    return this.popular.top(n).map((p) => p.key);
  }

  stats(): TieredCacheStats {
    return buildStats({
      instanceId: this.instanceId,
      tiers: this.tiers,
      loader: this.loader,
      invalidations: this.invalidations,
      compression: this.o.compression,
      bus:
        this.o.bus === undefined
          ? undefined
          : { channel: this.o.bus.channel, subscribed: this.bus.subscribed },
      popular: this.popular.top(10),
      inFlight: this.flights.size,
      background: this.background.size,
    });
  }

  emf(namespace = 'Throughline'): EmfDocument[] {
    const { l1, remotes } = this.tiers;
    const intervals = [
      tierInterval('L1', l1.counters, l1.memoryStats().evictions),
      ...remotes.map((t) => tierInterval(t.label, t.counters, undefined)),
    ];
    return emfDocuments(namespace, this.o.clock.now(), intervals);
  }

  ready(): Promise<void> {
    return this.bus.ready;
  }

  async idle(): Promise<void> {
    // Background work can start more (a refresh's promotions), so wait until none is left.
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.bus.close();
    await this.idle();
  }

  private check(key: string | undefined, options: EntryOptions | undefined): ResolvedEntryOptions {
    if (this.closed) throw new CacheError('E_CACHE_CLOSED', 'the cache is closed');
    return key === undefined ? this.defaults : resolveEntryOptions(key, options, this.defaults);
  }

  /** An early refresh nobody waits for; callers that miss meanwhile join it. */
  private refreshEarly<T>(
    key: string,
    loader: Loader<T>,
    options: ResolvedEntryOptions,
    current: CacheEntry,
  ): void {
    if (this.flights.get(key) !== undefined) return;
    this.loader.earlyRefreshes++;
    const flight = this.flights.run<T>(key, this.tiers.epoch, (f) =>
      this.loads.load({
        key,
        loader,
        options,
        current,
        newerThan: current.createdAt,
        background: true,
        flight: f,
      }),
    );
    this.track(flight.promise);
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.background.add(settled);
    void settled.then(() => this.background.delete(settled));
  }
}
