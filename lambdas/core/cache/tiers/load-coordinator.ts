import { CacheError } from './cache-error';
import type { LoaderCounters } from './cache-stats';
import type { Flight } from './coalesce';
import type { CacheEntry } from './entry-codec';
import type { ResolvedEntryOptions } from './entry-options';
import type { RemoteTier } from './remote-tier';
import type { ResolvedOptions } from './tiered-options';
import type { Tiers } from './tiers';

/** Produces the value of a key on a miss; `undefined` is returned to callers but not cached. */
export type Loader<T> = (key: string) => Promise<T> | T;

export interface LoadRequest<T> {
  readonly key: string;
  readonly loader: Loader<T>;
  readonly options: ResolvedEntryOptions;
  /** The entry this load replaces: fresh (early refresh) or in grace (served if the load fails). */
  readonly current: CacheEntry | undefined;
  /** A value in L3 created after this (epoch ms) is another process's load and is taken as is. */
  readonly newerThan: number;
  /** Nobody waits: give up rather than wait when another process is already loading. */
  readonly background: boolean;
  readonly flight: Flight<T>;
}

export interface Miss<T> {
  readonly key: string;
  readonly loader: Loader<T>;
  readonly options: ResolvedEntryOptions;
  /** L1's entry when it is past its TTL but within grace. */
  readonly l1Stale: CacheEntry | undefined;
  readonly swr: boolean;
  readonly flight: Flight<T>;
}

/** Failed loads remembered for graceBackoffMs; past this many keys the oldest memory goes. */
const MAX_BACKOFF_KEYS = 10_000;

/**
 * Runs a load across processes. With a lock (held in L3's store) one process loads while the
 * others poll L3 with exponential backoff until the value appears, the lock frees up (then one of
 * them loads), or lockWaitMs passes (then they load themselves: a slow or dead holder costs
 * latency, never an error). Without L3 — down, breaker open, or none — each process loads alone.
 * A load that fails with a value in grace serves that value (stale-on-error) and keeps serving it
 * for graceBackoffMs, so an origin that is down is not retried by every request.
 */
export class LoadCoordinator {
  private readonly failedUntil = new Map<string, number>();

  constructor(
    private readonly o: ResolvedOptions,
    private readonly tiers: Tiers,
    private readonly counters: LoaderCounters,
  ) {}

  /** Whether a recent failed load of `key` means its stale value is served without loading. */
  inBackoff(key: string): boolean {
    const until = this.failedUntil.get(key);
    if (until === undefined) return false;
    if (until > this.o.clock.now()) return true;
    this.failedUntil.delete(key);
    return false;
  }

  forget(keys?: Iterable<string>): void {
    if (keys === undefined) this.failedUntil.clear();
    else for (const key of keys) this.failedUntil.delete(key);
  }

  /**
   * The one load of a key L1 could not serve fresh: the tiers below, then (within grace) the stale
   * value — at once with a background refresh (stale-while-revalidate), or while backing off after
   * a failure — else the loader in the foreground.
   */
  async fill<T>(miss: Miss<T>): Promise<T> {
    const { key, flight } = miss;
    const found = await this.tiers.lookupRemote(key, miss.l1Stale);
    if (found?.fresh === true) return found.entry.value as T;
    const stale = found?.entry;
    const request: LoadRequest<T> = {
      key,
      loader: miss.loader,
      options: miss.options,
      current: stale,
      newerThan: stale?.createdAt ?? Number.NEGATIVE_INFINITY,
      background: false,
      flight,
    };
    if (stale === undefined) return this.load(request);
    const backingOff = this.inBackoff(key);
    if (!backingOff && !miss.swr) return this.load(request);
    this.counters.staleServed++;
    flight.servedStale = true;
    if (!backingOff) {
      // Callers arriving meanwhile join this flight and get the stale value at once.
      this.counters.backgroundRefreshes++;
      const refresh = this.load({ ...request, background: true });
      flight.hold(refresh);
      this.tiers.track(refresh);
    }
    return stale.value as T;
  }

  async load<T>(request: LoadRequest<T>): Promise<T> {
    try {
      return await this.coordinated(request);
    } catch (error) {
      if (request.background) this.counters.backgroundErrors++;
      const { current } = request;
      // Our own errors (a value that cannot be stored) are bugs to surface, not outages to mask.
      if (error instanceof CacheError || current === undefined || current.graceUntil <= this.o.clock.now()) {
        throw error;
      }
      if (this.failedUntil.size >= MAX_BACKOFF_KEYS) this.failedUntil.clear();
      this.failedUntil.set(request.key, this.o.clock.now() + this.o.graceBackoffMs);
      if (!request.background) {
        this.counters.staleServed++;
        request.flight.servedStale = true;
      }
      return current.value as T;
    }
  }

  private async coordinated<T>(request: LoadRequest<T>): Promise<T> {
    const { lock } = this.o;
    const l3 = this.tiers.l3;
    if (lock === undefined || l3 === undefined) return this.loadAndStore(request);
    const { clock } = this.o;
    const deadline = clock.now() + lock.waitMs;
    let pollMs = lock.pollMs;
    let waiting = false;
    for (;;) {
      const acquired = await l3.call(() => lock.lock.acquire(request.key, lock.leaseMs));
      if (!acquired.ok) return this.loadAndStore(request);
      if (acquired.value !== undefined) return this.holding(request, l3, acquired.value);
      // Another process is loading. A refresh nobody waits for just leaves it to them.
      if (request.background) return (request.current as CacheEntry).value as T;
      if (!waiting) {
        waiting = true;
        this.counters.lockWaits++;
      }
      const left = deadline - clock.now();
      if (left <= 0) break;
      await clock.sleep(Math.min(pollMs, left));
      pollMs = Math.min(pollMs * 2, lock.pollMaxMs);
      const peer = await this.tiers.peerValue(l3, request.key, request.newerThan);
      if (peer !== undefined) {
        this.counters.peerLoads++;
        return peer.value as T;
      }
    }
    this.counters.lockWaitTimeouts++;
    return this.loadAndStore(request);
  }

  private async holding<T>(request: LoadRequest<T>, l3: RemoteTier, token: string): Promise<T> {
    const lock = this.o.lock;
    try {
      // The previous holder may have stored it between our lookup and our lock.
      const peer = await this.tiers.peerValue(l3, request.key, request.newerThan);
      if (peer !== undefined) {
        this.counters.peerLoads++;
        return peer.value as T;
      }
      return await this.loadAndStore(request);
    } finally {
      // Nobody waits for the release; an unreleased lock lapses after its lease.
      if (lock !== undefined) this.tiers.track(l3.call(() => lock.lock.release(request.key, token)));
    }
  }

  private async loadAndStore<T>(request: LoadRequest<T>): Promise<T> {
    const { clock } = this.o;
    this.counters.calls++;
    const started = clock.now();
    let value: T;
    try {
      value = await request.loader(request.key);
    } catch (error) {
      this.counters.errors++;
      this.counters.latency.recordMs(clock.now() - started);
      throw error;
    }
    const loadMs = clock.now() - started;
    this.counters.latency.recordMs(loadMs);
    if (value === undefined) return value;
    const { flight, options } = request;
    const indexed = options.tags.length > 0 || options.dependsOn.length > 0;
    // An entry with tags or dependencies may have been read before an invalidation that names no
    // key (a tag) or another key (a dependency): any invalidation during its load discards it.
    const keep = () => !flight.superseded && (!indexed || this.tiers.epoch === flight.startEpoch);
    const { kept } = await this.tiers.store(request.key, value, options, loadMs, keep);
    if (!kept) this.counters.discardedWrites++;
    this.failedUntil.delete(request.key);
    return value;
  }
}
