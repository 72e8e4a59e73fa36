import { PlatformError } from '../../core/tests/errors';
import { InvalidDefinitionError } from '../../model/definition';
import { ThroughlineError } from '../../model/errors';
import { InvalidCursorError } from '../../ports/test-store';
import type { ERROR_CODES } from './schemas';

type Code = (typeof ERROR_CODES)[number];

/** An HTTP-level problem found while translating a request (bad JSON, wrong media type …). */
export class HttpError extends ThroughlineError {
  declare readonly code: Code;
  constructor(
    readonly status: number,
    code: Code,
    message: string,
    details?: unknown,
  ) {
    super(code, message, { details });
    this.name = 'HttpError';
  }
}

const STATUS: Record<string, number> = {
  E_INVALID_REQUEST: 400,
  E_INVALID_DEFINITION: 400,
  // Well formed, so not a 400, but not a cursor this store issued (a 422, like a quota).
  E_INVALID_CURSOR: 422,
  E_INVALID_WINDOW: 422,
  E_TARGET_NOT_ALLOWED: 403,
  E_TEST_NOT_FOUND: 404,
  E_NO_RESULTS: 404,
  E_SCALING_TARGET_NOT_FOUND: 404,
  E_RESULTS_NOT_READY: 409,
  E_NOT_CANCELLABLE: 409,
  E_IDEMPOTENCY_CONFLICT: 422,
  E_QUOTA_EXCEEDED: 422,
  E_BASELINE_NOT_FOUND: 422,
  E_TOO_MANY_TESTS: 429,
  // The target is configured but Application Auto Scaling does not know it (deleted outside the stack).
  E_SCALING_TARGET_NOT_REGISTERED: 409,
  // Application Auto Scaling failed for a reason that is not the request's.
  E_SCALING_API: 502,
};

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** Maps any error to a status and the JSON error body; unknown errors are a 500 without internals. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (err instanceof HttpError)
    return { status: err.status, body: body(err.code, err.message, err.details), internal: false };
  if (err instanceof InvalidDefinitionError)
    return {
      // 422: it matches the published schema; only a rule the schema cannot state failed.
      status: err.unprocessable ? 422 : 400,
      body: body(err.code, 'invalid test definition', { problems: err.problems }),
      internal: false,
    };
  if (err instanceof PlatformError || err instanceof InvalidCursorError)
    return {
      status: STATUS[err.code] ?? 400,
      body: body(err.code, err.message, err.details),
      internal: false,
    };
  // Any other error of ours whose code has an HTTP meaning (e.g. a refused target from a worker).
  if (err instanceof ThroughlineError && STATUS[err.code] !== undefined)
    return {
      status: STATUS[err.code] as number,
      body: body(err.code, err.message, err.details),
      internal: false,
    };
  return {
    status: 500,
    body: body('E_INTERNAL', 'internal error; the request id is in the logs'),
    internal: true,
  };
}

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
});
