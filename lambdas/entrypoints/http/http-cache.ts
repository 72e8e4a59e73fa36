import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { TieredCache } from '../../core/cache/tiers/tiered-cache';
import type { Log } from '../../ports/log';
import { type ApiEvent, type ApiResult, header } from './http-io';

/**
 * middy middleware caching GET responses in the tiered cache, with an ETag (SHA-256 of the body)
 * and the route's Cache-Control, answering `If-None-Match` with 304. Only 200s are kept; a cache
 * that fails never fails the request (the tiered cache already degrades to its loader).
 */

export interface HttpCachePolicy {
  /** Cache key of this request; undefined: not cached (e.g. a query the route does not cache). */
  keyOf(event: ApiEvent): string | undefined | Promise<string | undefined>;
  /** Tags to invalidate it by (e.g. `test:<id>`, `tests`). */
  tags(event: ApiEvent): readonly string[];
  /** How long the tiers keep it. */
  readonly ttlMs: number;
  /** Cache-Control of a 200 (and 304) answer: `public, max-age=…` for what the CDN may keep. */
  readonly cacheControl: string;
}

interface Stored {
  readonly statusCode: 200;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly etag: string;
}

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** RFC 9110 If-None-Match: a list of (weak or strong) tags, or `*`; weak comparison. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

function answer(stored: Stored, event: ApiEvent, cacheControl: string, hit: boolean): ApiResult {
  const headers: Record<string, string> = {
    ...stored.headers,
    etag: stored.etag,
    'cache-control': cacheControl,
    'x-cache': hit ? 'hit' : 'miss',
  };
  if (matchesEtag(header(event, 'if-none-match'), stored.etag)) {
    delete headers['content-type'];
    return { statusCode: 304, headers, body: '' };
  }
  return { statusCode: 200, headers, body: stored.body };
}

export function httpCache(
  cache: TieredCache | undefined,
  policy: HttpCachePolicy,
  log: Log,
): MiddlewareObj<ApiEvent, ApiResult> {
  const keys = new WeakMap<ApiEvent, string>();
  return {
    before: async (request) => {
      if (!cache || request.event.httpMethod !== 'GET') return;
      const key = await Promise.resolve(policy.keyOf(request.event)).catch((err: unknown) => {
        log.error('http cache key failed', { error: String(err) });
        return undefined;
      });
      if (key === undefined) return;
      keys.set(request.event, key);
      const stored = await cache.get<Stored>(key).catch((err: unknown) => {
        log.error('http cache read failed', { key, error: String(err) });
        return undefined;
      });
      if (!stored) return;
      request.response = answer(stored, request.event, policy.cacheControl, true);
      return request.response;
    },
    after: async (request) => {
      const key = keys.get(request.event);
      const response = request.response;
      if (!cache || key === undefined || !response || response.statusCode !== 200 || response.isBase64Encoded)
        return;
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {})
          .filter(([k]) => !['cache-control', 'etag', 'x-cache', 'content-length'].includes(k.toLowerCase()))
          .map(([k, v]) => [k, String(v)]),
      );
      const stored: Stored = { statusCode: 200, headers, body: response.body, etag: etagOf(response.body) };
      await cache
        .set(key, stored, { ttlMs: policy.ttlMs, tags: [...policy.tags(request.event)] })
        .catch((err: unknown) => log.error('http cache write failed', { key, error: String(err) }));
      request.response = answer(stored, request.event, policy.cacheControl, false);
    },
  };
}

/** A stable key: method, path, sorted query, and the request headers the answer varies on. */
export function requestKey(event: ApiEvent, vary: readonly string[] = []): string {
  const query = Object.entries(event.queryStringParameters ?? {})
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v ?? '')}`)
    .join('&');
  const varies = vary.map((h) => `${h}=${header(event, h) ?? ''}`).join('|');
  return `http:${event.path}?${query}${varies ? `#${varies}` : ''}`;
}
