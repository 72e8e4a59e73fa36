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

export const resultsPolicy = (ttlSeconds: number): HttpCachePolicy => ({
  keyOf: resultsKey,
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
