import { ThroughlineError } from '../../model/errors';

/**
 * Errors of the platform's use cases. `code` is stable (clients and the HTTP mapping key on it);
 * `details` is JSON data that helps fix the request.
 */
export class PlatformError extends ThroughlineError {
  declare readonly code: PlatformErrorCode;
  constructor(code: PlatformErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(code, message, { details, ...(options?.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'PlatformError';
  }
}

export const PLATFORM_ERROR_CODES = [
  'E_INVALID_REQUEST',
  'E_INVALID_WINDOW',
  'E_TARGET_NOT_ALLOWED',
  'E_QUOTA_EXCEEDED',
  'E_TOO_MANY_TESTS',
  'E_TEST_NOT_FOUND',
  'E_BASELINE_NOT_FOUND',
  'E_IDEMPOTENCY_CONFLICT',
  'E_RESULTS_NOT_READY',
  'E_NO_RESULTS',
  'E_NOT_CANCELLABLE',
  'E_SCALING_TARGET_NOT_FOUND',
  'E_SCALING_TARGET_NOT_REGISTERED',
  'E_SCALING_API',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];
