/**
 * The base of every error Throughline raises on purpose. `code` is stable: clients, the HTTP
 * mapping and the CLI key on it, never on the message or the class. `details` is JSON data that
 * helps fix the cause; `cause` keeps the underlying error.
 */
export class ThroughlineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { readonly cause?: unknown; readonly details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    // Set by each subclass too: bundles are minified, so new.target.name is not a stable name.
    this.name = 'ThroughlineError';
    if (options?.details !== undefined) this.details = options.details;
  }

  readonly details?: unknown;
}

/** Whether `err` is one of ours with this code (works across bundles, unlike instanceof). */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}
