import type { CacheEntry, CachePolicy, PolicyHost } from './cache-policy';
import type { EvictionReason, MemoryCache, MemoryCacheStats } from './memory-cache';

export interface CacheSettings<V> {
  /** Infinity when unbounded in that dimension. */
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly sizeOf: (value: V, key: string) => number;
  readonly defaultTtlMs: number | undefined;
  readonly now: () => number;
  readonly onEvict: ((key: string, value: V, reason: EvictionReason) => void) | undefined;
}

/**
 * Writes check this many map entries for expiry (a clock hand over the map, like Redis's active
 * expiry). It reclaims an expired entry the policy would otherwise keep — a frequent key under LFU
 * is never a victim — within about one pass of the map (entries/2 writes), at O(1) per write.
 */
const SWEEP_PER_WRITE = 2;

interface Notice<V> {
  readonly key: string;
  readonly value: V;
  readonly reason: EvictionReason;
}

/**
 * The part every eviction policy shares: the key → entry map, byte accounting, expiry, counters
 * and eviction notices. A `CachePolicy` (cache-policy.ts) only orders entries and picks victims,
 * seeing the cache through the narrow `PolicyHost`, so the bookkeeping lives in exactly one place.
 */
export class BoundedCache<V, E extends CacheEntry<V>> implements MemoryCache<V>, PolicyHost<E> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly map = new Map<string, E>();
  private readonly policy: CachePolicy<V, E>;
  private readonly settings: CacheSettings<V>;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expirations = 0;
  /** Notices wait until the cache is consistent again, so a callback may safely use the cache. */
  private pending: Notice<V>[] = [];
  private hand: Iterator<E> | undefined = undefined;
  /** Whether any entry was given a TTL; until then the sweep has nothing to find. */
  private expiring = false;

  constructor(settings: CacheSettings<V>, makePolicy: (host: PolicyHost<E>) => CachePolicy<V, E>) {
    this.settings = settings;
    this.maxEntries = settings.maxEntries;
    this.maxBytes = settings.maxBytes;
    this.policy = makePolicy(this);
  }

  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) {
      this.misses++;
      this.policy.miss();
      return undefined;
    }
    if (this.isExpired(entry)) {
      this.remove(entry, 'expired');
      this.misses++;
      this.policy.miss();
      this.flush();
      return undefined;
    }
    this.hits++;
    this.policy.hit(entry);
    return entry.value;
  }

  has(key: string): boolean {
    const entry = this.map.get(key);
    return entry !== undefined && !this.isExpired(entry);
  }

  set(key: string, value: V, options?: { readonly ttlMs?: number }): void {
    // Infinity passes (and means "never expires"); zero, negatives and NaN do not.
    const ttlMs = options?.ttlMs ?? this.settings.defaultTtlMs;
    if (ttlMs !== undefined && !(ttlMs > 0)) {
      throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}`);
    }
    const size = this.settings.sizeOf(value, key);
    if (!(size >= 0 && size < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`sizeOf must return a finite number >= 0, got ${String(size)} for key ${key}`);
    }
    const expiresAt = ttlMs === undefined ? Number.POSITIVE_INFINITY : this.settings.now() + ttlMs;
    if (expiresAt !== Number.POSITIVE_INFINITY) this.expiring = true;

    // Reclaim first: what the sweep frees is room no live entry has to give up. It runs before the
    // lookup so it cannot remove the entry this write is about to update.
    this.reclaimExpired();
    let entry = this.map.get(key);
    if (entry !== undefined && this.isExpired(entry)) {
      this.remove(entry, 'expired');
      entry = undefined;
    }
    if (size > this.maxBytes) {
      // It could never fit. The old value is superseded all the same (a later get must not
      // return it), and the caller learns through onEvict that the new one was not kept.
      if (entry !== undefined) this.drop(entry);
      this.evictions++;
      if (this.settings.onEvict) this.pending.push({ key, value, reason: 'rejected' });
    } else if (entry !== undefined) {
      const sizeDelta = size - entry.size;
      entry.value = value;
      entry.size = size;
      entry.expiresAt = expiresAt;
      this.bytes += sizeDelta;
      this.policy.update(entry, sizeDelta);
    } else {
      entry = this.policy.create(key, value, size, expiresAt);
      this.map.set(key, entry);
      this.bytes += size;
      this.policy.insert(entry);
    }
    this.flush();
  }

  delete(key: string): boolean {
    const entry = this.map.get(key);
    if (entry === undefined) return false;
    if (this.isExpired(entry)) {
      this.remove(entry, 'expired');
      this.flush();
      return false;
    }
    this.drop(entry);
    return true;
  }

  clear(): void {
    this.policy.clear();
    this.map.clear();
    this.bytes = 0;
    this.hand = undefined;
  }

  *keys(): IterableIterator<string> {
    const now = this.settings.now();
    for (const entry of this.map.values()) {
      if (entry.expiresAt > now) yield entry.key;
    }
  }

  /** Counters are cumulative (clear() keeps them); entries/bytes include expired entries not yet reclaimed. */
  stats(): MemoryCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      expirations: this.expirations,
      entries: this.map.size,
      bytes: this.bytes,
    };
  }

  overCapacity(): boolean {
    return this.map.size > this.maxEntries || this.bytes > this.maxBytes;
  }

  isExpired(entry: E): boolean {
    return entry.expiresAt !== Number.POSITIVE_INFINITY && entry.expiresAt <= this.settings.now();
  }

  evict(entry: E, reason: 'capacity' | 'rejected'): void {
    this.remove(entry, this.isExpired(entry) ? 'expired' : reason);
  }

  private remove(entry: E, reason: EvictionReason): void {
    this.drop(entry);
    if (reason === 'expired') this.expirations++;
    else this.evictions++;
    if (this.settings.onEvict) this.pending.push({ key: entry.key, value: entry.value, reason });
  }

  /** Removal without a notice: delete, or a set that supersedes the entry. */
  private drop(entry: E): void {
    this.policy.unlink(entry);
    this.map.delete(entry.key);
    this.bytes -= entry.size;
  }

  private reclaimExpired(): void {
    if (!this.expiring) return;
    const { nextExpired } = this.policy;
    if (nextExpired !== undefined) {
      for (let e = nextExpired.call(this.policy); e !== undefined; e = nextExpired.call(this.policy)) {
        this.remove(e, 'expired');
      }
      return;
    }
    // A live Map iterator tolerates deletions and sees later insertions, so the hand can pause
    // between writes; when it runs off the end it restarts on the next write.
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      this.hand ??= this.map.values();
      const step = this.hand.next();
      if (step.done === true) {
        this.hand = undefined;
        return;
      }
      if (this.isExpired(step.value)) this.remove(step.value, 'expired');
    }
  }

  private flush(): void {
    const onEvict = this.settings.onEvict;
    if (onEvict === undefined || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    // Every notice is delivered even if one callback throws; the first error is rethrown after.
    let failure: { readonly error: unknown } | undefined;
    for (const { key, value, reason } of batch) {
      try {
        onEvict(key, value, reason);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
