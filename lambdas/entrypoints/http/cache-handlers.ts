import middy from '@middy/core';
import { type CacheApiDeps, cacheStats, invalidateCache, warmCache } from '../../core/cache/api/cache-api';
import type { Log } from '../../ports/log';
import { type ApiEvent, type ApiResult, json, jsonBody, jsonErrors } from './http-io';
import { matchRoute } from './routes';

/** Handlers of GET /cache/stats, POST /cache/invalidations and POST /cache/warm. */

type Handler = middy.MiddyfiedHandler<ApiEvent, ApiResult>;
const api = (log: Log, fn: (event: ApiEvent) => Promise<ApiResult>): Handler =>
  middy<ApiEvent, ApiResult>().use(jsonErrors(log)).handler(fn);

export interface CacheHandlerDeps {
  readonly api: CacheApiDeps;
  readonly log: Log;
}

export const cacheStatsHandler = (deps: CacheHandlerDeps) =>
  api(deps.log, async () => json(200, cacheStats(deps.api)));

export const cacheInvalidationsHandler = (deps: CacheHandlerDeps) =>
  api(deps.log, async (event) => json(200, await invalidateCache(deps.api, jsonBody(event))));

export const cacheWarmHandler = (deps: CacheHandlerDeps) =>
  api(deps.log, async (event) => json(200, await warmCache(deps.api, jsonBody(event))));

/**
 * Fetches an API path (GET) through the handlers given, as the API would serve it: warming goes
 * through the same cached handlers, so what it stores is exactly what a reader will get.
 */
export function fetchThrough(
  handlers: Partial<Record<string, (event: ApiEvent, context: never) => Promise<ApiResult>>>,
): (path: string) => Promise<{ status: number }> {
  return async (path) => {
    const url = new URL(path, 'http://localhost');
    const match = matchRoute('GET', url.pathname);
    const handler = match && 'route' in match ? handlers[match.route.handler] : undefined;
    if (!match || !('route' in match) || !handler) return { status: 404 };
    const query = Object.fromEntries(url.searchParams);
    const event = {
      httpMethod: 'GET',
      path: url.pathname,
      resource: match.route.path,
      headers: {},
      multiValueHeaders: {},
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: null,
      pathParameters: Object.keys(match.pathParameters).length ? match.pathParameters : null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'cache-warm', stage: 'warm', httpMethod: 'GET', path: url.pathname },
    } as unknown as ApiEvent;
    const result = await handler(event, { awsRequestId: 'cache-warm' } as never);
    return { status: result.statusCode };
  };
}
