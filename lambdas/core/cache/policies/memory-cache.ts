/**
 * The L1 tier's contract: an in-process store bounded by entries and/or bytes, with one of four
 * eviction policies. Implementations live beside this file, one per policy family;
 * `create-memory-cache.ts` picks one.
 */

export const EVICTION_POLICIES = ['lru', 'lfu', 'ttl', 'adaptive'] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export type EvictionReason = 'capacity' | 'expired' | 'rejected';

export interface MemoryCacheOptions<V> {
  readonly policy: EvictionPolicy;
  /** Most entries held (at least one of maxEntries / maxBytes is required). */
  readonly maxEntries?: number;
  /** Most bytes held, as `sizeOf` counts them. */
  readonly maxBytes?: number;
  /** Size of a value in bytes (default 1 per entry, so maxBytes then counts entries). */
  readonly sizeOf?: (value: V, key: string) => number;
  /** Time to live when `set` gives none; absent: entries do not expire. */
  readonly defaultTtlMs?: number;
  /** Epoch ms; injected so tests and the simulator control time. */
  readonly now: () => number;
  /** Called once per entry leaving for a reason other than delete/clear. */
  readonly onEvict?: (key: string, value: V, reason: EvictionReason) => void;
}

export interface MemoryCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries removed to make room (capacity), or refused admission by the policy (rejected). */
  readonly evictions: number;
  readonly expirations: number;
  readonly entries: number;
  readonly bytes: number;
}

export interface MemoryCache<V> {
  /** The value if present and not expired (counts a hit or a miss, updates recency/frequency). */
  get(key: string): V | undefined;
  /** Presence without touching recency, frequency or the counters. */
  has(key: string): boolean;
  /** Stores a value; may evict others, or (adaptive) decline a newcomer less valuable than its victim. */
  set(key: string, value: V, options?: { readonly ttlMs?: number }): void;
  delete(key: string): boolean;
  clear(): void;
  /** Keys currently held (any order), for pattern invalidation and warming. */
  keys(): IterableIterator<string>;
  stats(): MemoryCacheStats;
}
