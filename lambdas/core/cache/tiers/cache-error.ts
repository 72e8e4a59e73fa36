import { ThroughlineError } from '../../../model/errors';

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

export class CacheError extends ThroughlineError {
  declare readonly code: CacheErrorCode;
  /** Every problem found ([] when there is nothing more to say than the message). */
  declare readonly details: readonly CacheProblem[];
  override readonly name = 'CacheError';

  constructor(
    code: CacheErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly details?: readonly CacheProblem[] } = {},
  ) {
    super(code, message, { cause: options.cause, details: options.details ?? [] });
  }
}

/** Short description of a bad value for a problem message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
