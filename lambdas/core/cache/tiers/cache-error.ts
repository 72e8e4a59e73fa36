/**
 * Errors the tiered cache gives its callers. Tier failures never reach them (the breaker and the
 * loader take over); these are programming or configuration errors, and a loader's own error,
 * which is rethrown unchanged.
 */
export type CacheErrorCode =
  /** createTieredCache options that do not validate; `details` lists every problem. */
  | 'E_CACHE_INVALID_OPTIONS'
  /** A value that cannot be stored: undefined, or not JSON-serialisable (BigInt, cycles, functions). */
  | 'E_CACHE_INVALID_VALUE'
  /** A per-call option (ttlMs, tags, …) out of range. */
  | 'E_CACHE_INVALID_ARGUMENT'
  /** Used after close(). */
  | 'E_CACHE_CLOSED';

export interface CacheProblem {
  readonly path: string;
  readonly message: string;
}

export class CacheError extends Error {
  override readonly name = 'CacheError';
  constructor(
    readonly code: CacheErrorCode,
    message: string,
    readonly details: readonly CacheProblem[] = [],
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Short description of a bad value for a problem message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
