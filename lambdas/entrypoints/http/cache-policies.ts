import type { HttpCachePolicy } from './http-cache';
import { requestKey } from './http-cache';
import { type ApiEvent, header } from './http-io';

/**
 * What the platform's read paths cache, for how long, and what they may tell a CDN. Finished results
 * never change (a re-aggregation invalidates them by tag), so the CDN may keep them; history and
 * metrics change all the time and stay private, briefly.
 */

/** Tag of everything derived from one test. */
export const testTag = (id: string) => `test:${id}`;
/** Tag of every list of tests. */
export const TESTS_TAG = 'tests';

/**
 * Results vary on Accept only when no `format` is given; no Accept means what `*\/*` means, so a
 * warmed entry (no headers) and a browser's or curl's request share one key.
 */
function resultsKey(event: ApiEvent): string {
  if (event.queryStringParameters?.format) return requestKey(event);
  const accept = (header(event, 'accept') ?? '').toLowerCase().replace(/\s+/g, '') || '*/*';
  return `${requestKey(event)}#accept=${accept}`;
}

/**
 * `version(id)` is the test's last update (a cheap read of its record): a re-aggregation writes the
 * record, so the results' key changes and no tier can serve the earlier version, even one the
 * writer cannot reach (the aggregate step is outside the cache's VPC). Unknown test: not cached.
 */
export const resultsPolicy = (
  ttlSeconds: number,
  version: (id: string) => Promise<string | undefined>,
): HttpCachePolicy => ({
  keyOf: async (event) => {
    const v = await version(event.pathParameters?.id ?? '');
    return v === undefined ? undefined : `${resultsKey(event)}#v=${v}`;
  },
  tags: (event) => [testTag(event.pathParameters?.id ?? '')],
  ttlMs: ttlSeconds * 1_000,
  cacheControl: `public, max-age=${ttlSeconds}`,
});

export const HISTORY_POLICY: HttpCachePolicy = {
  keyOf: (event) => requestKey(event),
  tags: () => [TESTS_TAG],
  ttlMs: 5_000,
  cacheControl: 'private, max-age=5',
};

export const METRICS_POLICY: HttpCachePolicy = {
  keyOf: (event) => requestKey(event),
  tags: () => ['metrics'],
  ttlMs: 30_000,
  cacheControl: 'private, max-age=30',
};
