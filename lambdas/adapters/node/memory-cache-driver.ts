import { randomUUID } from 'node:crypto';
import { globMatcher } from '../../core/cache/invalidation/glob';
import type { CacheBus, CacheDriver, DistributedLock } from '../../ports/cache-driver';
import { CacheDriverError } from './cache-driver-error';

/**
 * A CacheDriver, DistributedLock and CacheBus kept in process memory. They behave like the Redis
 * adapters (expiry, glob deletePattern over values, sets apart from values with an expiry that
 * only extends, NX locks released only by
 * their token, asynchronous pub/sub that also reaches the publisher), so the driver contract suite
 * and the tiered cache's unit tests run on real stores, not mocks. Two caches sharing one instance
 * behave like two processes sharing one Valkey. Not meant for production: one process only.
 */
export interface MemoryCacheDriverOptions {
  /** Reported in stats; default `memory`. */
  readonly name?: string;
  /** Epoch ms; default `Date.now`. Injected so expiry is deterministic in tests. */
  readonly now?: () => number;
}

interface Stored<T> {
  readonly value: T;
  /** Epoch ms; Infinity: no expiry. */
  readonly expiresAt: number;
}

export class MemoryCacheDriver implements CacheDriver {
  readonly name: string;
  private readonly now: () => number;
  private readonly values = new Map<string, Stored<Uint8Array>>();
  private readonly sets = new Map<string, Stored<Set<string>>>();
  private closed = false;

  constructor(options: MemoryCacheDriverOptions = {}) {
    this.name = options.name ?? 'memory';
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.open();
    const bytes = this.live(this.values, key)?.value;
    // A copy, as a network or disk read would return: callers cannot alter what is stored.
    return bytes === undefined ? undefined : bytes.slice();
  }

  async getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    this.open();
    return keys.map((key) => this.live(this.values, key)?.value.slice());
  }

  async set(key: string, value: Uint8Array, ttlMs?: number): Promise<void> {
    this.open();
    // Already expired (as Redis's SET PX ≤ 0 is refused and the other drivers delete): nothing is kept.
    if (ttlMs !== undefined && !(ttlMs > 0)) {
      this.values.delete(key);
      return;
    }
    this.values.set(key, { value: value.slice(), expiresAt: this.expiry(ttlMs) });
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.open();
    let removed = 0;
    for (const key of new Set(keys)) {
      if (this.live(this.values, key) !== undefined) removed++;
      this.values.delete(key);
    }
    return removed;
  }

  /** Values only, like the disk and Redis drivers: sets live in their own namespace. */
  async deletePattern(pattern: string): Promise<number> {
    this.open();
    const matches = globMatcher(pattern);
    let removed = 0;
    for (const key of [...this.values.keys()]) {
      if (!matches(key)) continue;
      if (this.live(this.values, key) !== undefined) removed++;
      this.values.delete(key);
    }
    return removed;
  }

  async addToSet(set: string, members: readonly string[], ttlMs?: number): Promise<void> {
    this.open();
    const current = this.live(this.sets, set);
    const next = current?.value ?? new Set<string>();
    for (const member of members) next.add(member);
    // As on Redis and disk: a TTL only ever extends the expiry, and a set without one keeps none,
    // so adding a short-lived entry to a long-lived tag never shortens the tag.
    const expiresAt =
      ttlMs === undefined
        ? (current?.expiresAt ?? Number.POSITIVE_INFINITY)
        : Math.max(current?.expiresAt ?? 0, this.expiry(ttlMs));
    this.sets.set(set, { value: next, expiresAt });
  }

  async setMembers(set: string): Promise<string[]> {
    this.open();
    return [...(this.live(this.sets, set)?.value ?? [])];
  }

  async deleteSet(set: string): Promise<void> {
    this.open();
    this.sets.delete(set);
  }

  async clear(): Promise<void> {
    this.open();
    this.values.clear();
    this.sets.clear();
  }

  async disconnect(): Promise<void> {
    this.closed = true;
  }

  /** Keys currently held (tests look inside the "remote" tier with it). */
  keys(): string[] {
    return [...this.values.keys()].filter((key) => this.live(this.values, key) !== undefined);
  }

  private live<T>(map: Map<string, Stored<T>>, key: string): Stored<T> | undefined {
    const stored = map.get(key);
    if (stored === undefined) return undefined;
    if (stored.expiresAt <= this.now()) {
      map.delete(key);
      return undefined;
    }
    return stored;
  }

  private expiry(ttlMs: number | undefined): number {
    if (ttlMs === undefined) return Number.POSITIVE_INFINITY;
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${String(ttlMs)}`);
    return this.now() + ttlMs;
  }

  private open(): void {
    // The same error the disk and Redis drivers give, so the driver contract holds for all three.
    if (this.closed)
      throw new CacheDriverError('E_CACHE_CLOSED', `cache driver ${this.name} is disconnected`);
  }
}

export function createMemoryCacheDriver(options: MemoryCacheDriverOptions = {}): MemoryCacheDriver {
  return new MemoryCacheDriver(options);
}

/** SET NX PX and compare-and-delete, in memory. Share one instance between caches to share the lock. */
export function createMemoryLock(options: { readonly now?: () => number } = {}): DistributedLock {
  const now = options.now ?? Date.now;
  const held = new Map<string, { readonly token: string; readonly expiresAt: number }>();
  return {
    async acquire(key, ttlMs) {
      if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${String(ttlMs)}`);
      const current = held.get(key);
      if (current !== undefined && current.expiresAt > now()) return undefined;
      const token = randomUUID();
      held.set(key, { token, expiresAt: now() + ttlMs });
      return token;
    },
    async release(key, token) {
      const current = held.get(key);
      if (current === undefined || current.token !== token || current.expiresAt <= now()) return false;
      held.delete(key);
      return true;
    },
  };
}

/**
 * Pub/sub in memory. Delivery is asynchronous (a microtask after publish), and the publisher's own
 * subscription receives its message too, as with Redis; a throwing subscriber affects no other.
 */
export function createMemoryCacheBus(): CacheBus {
  const channels = new Map<string, Set<(message: string) => void>>();
  return {
    async publish(channel, message) {
      for (const listener of [...(channels.get(channel) ?? [])]) {
        queueMicrotask(() => {
          try {
            listener(message);
          } catch {
            // A subscriber's failure is its own; Redis would not tell the publisher either.
          }
        });
      }
    },
    async subscribe(channel, onMessage) {
      // Each subscription is its own entry, even for the same function.
      const listener = (message: string) => onMessage(message);
      const listeners = channels.get(channel) ?? new Set();
      listeners.add(listener);
      channels.set(channel, listeners);
      return async () => {
        listeners.delete(listener);
      };
    },
  };
}
