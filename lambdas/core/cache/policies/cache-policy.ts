/**
 * What an eviction policy implements, and the view of the cache it gets. The cache core
 * (bounded-cache.ts) owns the map, sizes, expiry, counters and notices; a policy links entries
 * in its own order and decides who leaves when the cache is over a bound.
 */

/** Fields the core owns; policies extend the node with their own links. */
export interface CacheEntry<V> {
  readonly key: string;
  value: V;
  size: number;
  /** Epoch ms at which the entry stops being returned; Infinity when it never expires. */
  expiresAt: number;
}

export interface PolicyHost<E> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** True while the resident entries exceed maxEntries or maxBytes. */
  overCapacity(): boolean;
  isExpired(entry: E): boolean;
  /** Removes a resident entry; one that has already expired is reported as 'expired' instead. */
  evict(entry: E, reason: 'capacity' | 'rejected'): void;
}

export interface CachePolicy<V, E extends CacheEntry<V>> {
  /** Builds the node, with every policy field initialised (one hidden class per policy). */
  create(key: string, value: V, size: number, expiresAt: number): E;
  /** The core has mapped and counted `entry`; link it and bring the cache back within bounds. */
  insert(entry: E): void;
  /** The core has replaced value, size and expiry (`sizeDelta` bytes more); relink and rebalance. */
  update(entry: E, sizeDelta: number): void;
  hit(entry: E): void;
  miss(): void;
  /** `entry` is leaving for any reason; the core removes it from the map afterwards. */
  unlink(entry: E): void;
  clear(): void;
  /**
   * An expired entry to reclaim now, if the policy can find one cheaply (the TTL heap's top).
   * Policies without it get the core's incremental sweep instead.
   */
  nextExpired?(): E | undefined;
}

/**
 * Eviction for policies that always admit the newcomer (lru, lfu, ttl): evict the policy's
 * victim, never `keep` (the entry just written), until the cache is within bounds. `keep` alone
 * always fits, since the core refuses entries larger than maxBytes.
 */
export function evictAllBut<E>(host: PolicyHost<E>, keep: E, victim: (keep: E) => E | undefined): void {
  while (host.overCapacity()) {
    const v = victim(keep);
    if (v === undefined) return;
    host.evict(v, 'capacity');
  }
}
