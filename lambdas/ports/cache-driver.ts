/**
 * Storage of one cache tier below L1 (bentocache's CacheDriver, narrowed to what the tiered cache
 * needs): local disk (L2) or Valkey/Redis (L3). Values are opaque bytes — the tiered cache encodes,
 * compresses and wraps them with their metadata. Every method may reject when the backend is
 * down; the tiered cache's circuit breaker decides what that means.
 */
export interface CacheDriver {
  /** `disk`, `redis`, `redis-cluster`, … (stats and logs). */
  readonly name: string;
  /** The stored bytes, or undefined when absent or expired. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Many keys at once, in order (pipelined on Redis; one round trip per node). */
  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>;
  /** Stores bytes; `ttlMs` absent: no expiry at this tier. */
  set(key: string, value: Uint8Array, ttlMs?: number): Promise<void>;
  /** Deletes keys; resolves with how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /** Deletes every key matching a glob (`*`, `?`; SCAN on Redis, never KEYS); resolves with the count. */
  deletePattern(pattern: string): Promise<number>;
  /** Adds members to a set (tag and dependency indexes); the set's expiry is extended to `ttlMs` if given. */
  addToSet(set: string, members: readonly string[], ttlMs?: number): Promise<void>;
  /** Members of a set ([] when absent). */
  setMembers(set: string): Promise<string[]>;
  /** Removes the whole set. */
  deleteSet(set: string): Promise<void>;
  /** Empties the tier (only this cache's namespace). */
  clear(): Promise<void>;
  /** Closes connections and files. */
  disconnect(): Promise<void>;
}

/**
 * A lock shared by every process using the same L3 (SET NX PX; released by compare-and-delete so a
 * holder whose lock expired cannot release someone else's).
 */
export interface DistributedLock {
  /** A token when acquired, undefined when another holder has it. */
  acquire(key: string, ttlMs: number): Promise<string | undefined>;
  /** True when this token still held the lock and it is now released. */
  release(key: string, token: string): Promise<boolean>;
}

/** Cross-instance messages (L1 invalidation): Redis pub/sub (sharded in cluster mode). */
export interface CacheBus {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once subscribed; the returned function unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
}
