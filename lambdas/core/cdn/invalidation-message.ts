import { z } from 'zod';

/**
 * The queued message of the CDN invalidation service (ADR 006): `{"paths": [...]}`, validated when a
 * producer builds it and again when the worker reads it, against CloudFront's rules for paths.
 */

/** CloudFront's limits on invalidations in progress per distribution. */
export const CLOUDFRONT_INVALIDATION_LIMITS: InvalidationLimits = { filePaths: 3000, wildcardPaths: 15 };

/** Longest path accepted (CloudFront counts the path in its 4,000-character request fields). */
export const MAX_PATH_LENGTH = 1024;

export interface InvalidationLimits {
  /** Paths without a wildcard in progress at once. */
  readonly filePaths: number;
  /** Paths ending in `*` in progress at once. */
  readonly wildcardPaths: number;
}

const pathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_LENGTH, `must be at most ${MAX_PATH_LENGTH} characters`)
  .refine((p) => p.startsWith('/'), 'must start with "/"')
  .refine((p) => /^[\x21-\x7e]*$/.test(p), 'must be URL-encoded (printable ASCII, no spaces)')
  .refine((p) => !/[?#]/.test(p), 'must not hold a query string or fragment: end the path with "*" instead')
  .refine((p) => !p.slice(0, -1).includes('*'), 'may hold "*" only as its last character');

/** The body of a queued message: `{"paths": ["/performance/tests/abc/*"]}`. */
export const invalidationMessageSchema = z.strictObject({
  paths: z
    .array(pathSchema)
    .min(1, 'must name at least one path')
    .max(
      CLOUDFRONT_INVALIDATION_LIMITS.filePaths,
      `must name at most ${CLOUDFRONT_INVALIDATION_LIMITS.filePaths} paths`,
    ),
});

export type InvalidationMessage = z.infer<typeof invalidationMessageSchema>;

/** The message body producers send (validated, so a bad path fails at the producer). */
export function invalidationMessage(paths: readonly string[]): string {
  return JSON.stringify(invalidationMessageSchema.parse({ paths }));
}

/** A message body → its paths, or every problem with it. */
export function parseInvalidationMessage(
  body: string,
): { readonly paths: readonly string[] } | { readonly problems: readonly string[] } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { problems: [`is not JSON: ${(err as Error).message}`] };
  }
  const parsed = invalidationMessageSchema.safeParse(value);
  if (parsed.success) return { paths: parsed.data.paths };
  return {
    problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'message'}: ${i.message}`),
  };
}
