import type { HttpCachePolicy } from './http-cache';
import { requestKey } from './http-cache';
import { type ApiEvent, header } from './http-io';
import { negotiateResultFormat } from './negotiate';

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
 * Results vary on the format a request gets: `format`, else the one its Accept negotiates to. Keying
 * on that, not on the Accept text, makes `text/CSV`, `text/csv;q=0.9` and `?format=csv` one entry and
 * leaves clients no way to mint keys with made-up Accept values. Unacceptable: not cached (a 406).
 */
function resultsKey(event: ApiEvent): string | undefined {
  const { format, ...query } = event.queryStringParameters ?? {};
  let negotiated: string;
  try {
    negotiated = format ?? negotiateResultFormat(header(event, 'accept'));
  } catch {
    return undefined;
  }
  return `${requestKey({ ...event, queryStringParameters: query })}#format=${negotiated}`;
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
    const key = resultsKey(event);
    if (key === undefined) return undefined;
    const v = await version(event.pathParameters?.id ?? '');
    return v === undefined ? undefined : `${key}#v=${v}`;
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
