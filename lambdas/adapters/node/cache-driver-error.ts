import { ThroughlineError } from '../../model/errors';

/**
 * Why a cache tier driver (disk L2, Redis L3) rejected. The tiered cache's circuit breaker keys on
 * `code`; the backend's own error stays in `cause`.
 */
export type CacheDriverErrorCode =
  /** Not connected: refused, reset, reconnecting, or no cluster node serves the slot. */
  | 'E_CACHE_UNAVAILABLE'
  /** Sent, but no reply within commandTimeoutMs (the outcome is unknown). */
  | 'E_CACHE_TIMEOUT'
  /** The backend answered with an error (WRONGTYPE, OOM, NOAUTH, …) or the disk failed. */
  | 'E_CACHE_BACKEND'
  /** disconnect() was called. */
  | 'E_CACHE_CLOSED'
  /** Invalid options (details lists every problem). */
  | 'E_CACHE_INVALID_OPTIONS';

export class CacheDriverError extends ThroughlineError {
  declare readonly code: CacheDriverErrorCode;
  declare readonly details: readonly string[];
  override readonly name = 'CacheDriverError';

  constructor(
    code: CacheDriverErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly details?: readonly string[] } = {},
  ) {
    super(code, message, { cause: options.cause, details: options.details ?? [] });
  }
}
