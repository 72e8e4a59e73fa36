import type { InvalidationRequest, InvalidationResult } from '../invalidation/invalidation';
import type { EmfDocument } from './emf';
import type { EntryOptions } from './entry-options';
import type { Loader } from './load-coordinator';
import type { TieredCacheStats } from './tiered-stats';
import type { WarmOptions, WarmResult } from './warm';

export interface GetOrSetOptions extends EntryOptions {
  /** Overrides the cache's staleWhileRevalidate for this call. */
  readonly staleWhileRevalidate?: boolean;
}

/**
 * What handlers, the HTTP cache middleware and the cache API program against; createTieredCache()
 * (tiered-cache.ts) builds one, and tests may hand them any other.
 */
export interface TieredCache {
  readonly instanceId: string;
  /** The fresh value from the fastest tier holding it (promoted to faster tiers), or undefined. */
  get<T>(key: string): Promise<T | undefined>;
  /** The cached value, or the loader's, with every stampede protection on. Tier failures never reach the caller. */
  getOrSet<T>(key: string, loader: Loader<T>, options?: GetOrSetOptions): Promise<T>;
  /** Writes every tier; dependents of `key` are invalidated and other instances drop their copy. */
  set(key: string, value: unknown, options?: EntryOptions): Promise<void>;
  delete(key: string): Promise<InvalidationResult>;
  invalidate(request: InvalidationRequest): Promise<InvalidationResult>;
  /** Empties every tier (a shared L3 for every instance) and every instance's L1. */
  clear(): Promise<void>;
  warm<T>(keys: readonly string[], loader: Loader<T>, options?: WarmOptions): Promise<WarmResult>;
  /** The n most requested keys of this instance, most requested first. */
  popularKeys(n: number): string[];
  stats(): TieredCacheStats;
  /** EMF documents (one per tier) for the interval since the previous call; log each as one JSON line. */
  emf(namespace?: string): EmfDocument[];
  /** Resolves once subscribed to the bus (or the subscription failed: see stats().bus). */
  ready(): Promise<void>;
  /** Resolves when no background work (refreshes, promotions, bus messages) is left; Lambda: before returning. */
  idle(): Promise<void>;
  /** Unsubscribes and waits for background work. Drivers are the caller's to disconnect. */
  close(): Promise<void>;
}
