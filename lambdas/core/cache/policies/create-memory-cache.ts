import { ThroughlineError } from '../../../model/errors';
import { BoundedCache, type CacheSettings } from './bounded-cache';
import { LfuStore } from './lfu-store';
import { LruStore } from './lru-store';
import { EVICTION_POLICIES, type MemoryCache, type MemoryCacheOptions } from './memory-cache';
import { TtlStore } from './ttl-store';
import { WTinyLfu } from './w-tinylfu';

/**
 * Builds the L1 cache for a policy. The policies are written here rather than taken from a
 * library: lru-cache covers `lru` only, and nobody ships W-TinyLFU for JavaScript (see
 * w-tinylfu.ts). Per operation: lru O(1); lfu O(1); ttl O(log n) writes and evictions, O(1)
 * reads; adaptive O(1) plus hashing the key once on insert.
 */
export function createMemoryCache<V>(options: MemoryCacheOptions<V>): MemoryCache<V> {
  const problems = validateMemoryCacheOptions(options);
  if (problems.length > 0) throw new InvalidCacheOptionsError(problems);
  const settings: CacheSettings<V> = {
    maxEntries: options.maxEntries ?? Number.POSITIVE_INFINITY,
    maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY,
    // Default: every entry weighs 1, so maxBytes alone counts entries.
    sizeOf: options.sizeOf ?? (() => 1),
    defaultTtlMs: options.defaultTtlMs,
    now: options.now,
    onEvict: options.onEvict,
  };
  switch (options.policy) {
    case 'lru':
      return new BoundedCache(settings, (host) => new LruStore<V>(host));
    case 'lfu':
      return new BoundedCache(settings, (host) => new LfuStore<V>(host));
    case 'ttl':
      return new BoundedCache(settings, (host) => new TtlStore<V>(host));
    case 'adaptive':
      return new BoundedCache(settings, (host) => new WTinyLfu<V>(host));
  }
}

export interface CacheOptionsProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown by createMemoryCache for options that do not validate; lists every problem. */
export class InvalidCacheOptionsError extends ThroughlineError {
  declare readonly code: 'E_INVALID_CACHE_OPTIONS';
  /** The same list as `problems`, where every ThroughlineError keeps what helps fix the cause. */
  declare readonly details: readonly CacheOptionsProblem[];
  override readonly name = 'InvalidCacheOptionsError';

  constructor(readonly problems: readonly CacheOptionsProblem[]) {
    super(
      'E_INVALID_CACHE_OPTIONS',
      `invalid memory cache options:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      { details: problems },
    );
  }
}

/**
 * Every problem with the options, not just the first. Options often come from configuration
 * (JSON, environment), so the types alone do not guarantee any of this at run time.
 */
export function validateMemoryCacheOptions(options: unknown): CacheOptionsProblem[] {
  const problems: CacheOptionsProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (typeof options !== 'object' || options === null) {
    return [{ path: '(root)', message: 'must be an options object' }];
  }
  const o = options as Record<string, unknown>;
  if (!(EVICTION_POLICIES as readonly unknown[]).includes(o.policy)) {
    problem('policy', `must be one of ${EVICTION_POLICIES.join(', ')}, got ${describe(o.policy)}`);
  }
  if (o.maxEntries === undefined && o.maxBytes === undefined) {
    problem('maxEntries', 'at least one of maxEntries or maxBytes is required, got neither');
  }
  for (const path of ['maxEntries', 'maxBytes'] as const) {
    const value = o[path];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      problem(path, `must be a positive integer, got ${describe(value)}`);
    }
  }
  const ttl = o.defaultTtlMs;
  if (ttl !== undefined && !(typeof ttl === 'number' && ttl > 0)) {
    problem('defaultTtlMs', `must be a positive number of milliseconds, got ${describe(ttl)}`);
  }
  if (typeof o.now !== 'function')
    problem('now', `must be a function returning epoch ms, got ${describe(o.now)}`);
  for (const path of ['sizeOf', 'onEvict'] as const) {
    if (o[path] !== undefined && typeof o[path] !== 'function') {
      problem(path, `must be a function when given, got ${describe(o[path])}`);
    }
  }
  return problems;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}
