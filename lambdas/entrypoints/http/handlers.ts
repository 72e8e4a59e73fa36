import middy from '@middy/core';
import type { TieredCache } from '../../core/cache/tiers/tiered-cache';
import { REPORT_CSP, renderReport } from '../../core/report/rendered';
import {
  cancelTest,
  createTest,
  getResults,
  getTest,
  listTests,
  type PlatformDeps,
  planSubmission,
} from '../../core/tests/test-service';
import { DEFAULT_RESULTS_MAX_AGE_SECONDS } from '../../model/defaults';
import type { Log } from '../../ports/log';
import { HISTORY_POLICY, resultsPolicy, TESTS_TAG, testTag } from './cache-policies';
import { HttpError } from './errors';
import { httpCache } from './http-cache';
import { type ApiEvent, type ApiResult, header, json, jsonBody, jsonErrors, params, text } from './http-io';
import { negotiateResultFormat } from './negotiate';
import { buildOpenApi } from './openapi';
import { toTestResource } from './resources';
import {
  createQuerySchema,
  historyQuerySchema,
  idempotencyKeySchema,
  resultsQuerySchema,
  testIdSchema,
} from './schemas';

/**
 * The API's handlers, as middy handlers over API Gateway REST proxy events. Each translates only:
 * parse → one use case → map the result; errors map in `jsonErrors`.
 */

export interface ApiDeps {
  readonly platform: PlatformDeps;
  readonly log: Log;
  /** The response cache of the read paths; absent: nothing is cached. */
  readonly cache?: TieredCache | undefined;
  /** Cache-Control max-age of finished results (the CDN's TTL). Default DEFAULT_RESULTS_MAX_AGE_SECONDS. */
  readonly resultsTtlSeconds?: number;
}

/** A change to tests: lists (and the test's own cached answers) are dropped in every tier. */
async function invalidateTests(deps: ApiDeps, id?: string): Promise<void> {
  await deps.cache
    ?.invalidate({ tags: [TESTS_TAG, ...(id ? [testTag(id)] : [])] })
    .catch((err: unknown) => deps.log.error('cache invalidation failed', { error: String(err) }));
}

type Handler = middy.MiddyfiedHandler<ApiEvent, ApiResult>;
const api = (deps: Pick<ApiDeps, 'log'>, fn: (event: ApiEvent) => Promise<ApiResult>): Handler =>
  middy<ApiEvent, ApiResult>().use(jsonErrors(deps.log)).handler(fn);

const idOf = (event: ApiEvent): string => {
  const parsed = testIdSchema.safeParse(event.pathParameters?.id);
  if (!parsed.success)
    throw new HttpError(
      404,
      'E_TEST_NOT_FOUND',
      `no test with id ${JSON.stringify(event.pathParameters?.id ?? '')}`,
    );
  return parsed.data;
};

export const createTestHandler = (deps: ApiDeps) =>
  api(deps, async (event) => {
    const key = header(event, 'idempotency-key');
    if (key !== undefined && !idempotencyKeySchema.safeParse(key).success)
      throw new HttpError(400, 'E_INVALID_REQUEST', 'Idempotency-Key is 1–255 visible ASCII characters');
    const { dryRun } = params(createQuerySchema, event.queryStringParameters);
    if (dryRun)
      return json(200, { dryRun: true, plan: await planSubmission(deps.platform, jsonBody(event)) });
    const { record, created } = await createTest(deps.platform, {
      body: jsonBody(event),
      ...(key ? { idempotencyKey: key } : {}),
    });
    await invalidateTests(deps);
    const resource = toTestResource(record);
    return json(202, resource, {
      location: resource.links.self,
      ...(created ? {} : { 'idempotent-replayed': 'true' }),
    });
  });

export const getTestHandler = (deps: ApiDeps) =>
  api(deps, async (event) => json(200, toTestResource(await getTest(deps.platform, idOf(event)))));

export const cancelTestHandler = (deps: ApiDeps) =>
  api(deps, async (event) => {
    const record = await cancelTest(deps.platform, idOf(event));
    await invalidateTests(deps, record.id);
    return json(record.status === 'cancelled' ? 200 : 202, toTestResource(record));
  });

const listTestsBase = (deps: ApiDeps) =>
  api(deps, async (event) => {
    const q = params(historyQuerySchema, event.queryStringParameters);
    const [tagKey, ...tagValue] = q.tag?.split(':') ?? [];
    const page = await listTests(deps.platform, {
      limit: q.limit,
      ...(q.name ? { name: q.name } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(tagKey ? { tag: { key: tagKey, value: tagValue.join(':') } } : {}),
      ...(q.from ? { from: new Date(q.from).toISOString() } : {}),
      ...(q.to ? { to: new Date(q.to).toISOString() } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return json(200, {
      items: page.items.map(toTestResource),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });

const getResultsBase = (deps: ApiDeps) =>
  api(deps, async (event) => {
    const id = idOf(event);
    const q = params(resultsQuerySchema, event.queryStringParameters);
    const format = q.format ?? negotiateResultFormat(header(event, 'accept'));
    const results = await getResults(deps.platform, id);
    const report = renderReport(id, results, format, q.table);
    return text(200, report.contentType, report.body, {
      ...(report.fileName ? { 'content-disposition': `inline; filename="${report.fileName}"` } : {}),
      ...(format === 'html' ? { 'content-security-policy': REPORT_CSP } : {}),
    });
  });

/** History, cached briefly (5 s; dropped at once when a test is created or cancelled). */
export const listTestsHandler = (deps: ApiDeps) =>
  listTestsBase(deps).use(httpCache(deps.cache, HISTORY_POLICY, deps.log));

/** Results: only finished ones answer 200, and only 200s are cached (CDN included). */
export const getResultsHandler = (deps: ApiDeps) =>
  getResultsBase(deps).use(
    httpCache(
      deps.cache,
      resultsPolicy(deps.resultsTtlSeconds ?? DEFAULT_RESULTS_MAX_AGE_SECONDS, (id) =>
        deps.platform.store.get(id).then((r) => r?.updatedAt),
      ),
      deps.log,
    ),
  );

let openApiText: string | undefined;
export const openApiHandler = (deps: Pick<ApiDeps, 'log'>) =>
  api(deps, async () => {
    openApiText ??= JSON.stringify(buildOpenApi());
    return text(200, 'application/json; charset=utf-8', openApiText, {
      'cache-control': 'public, max-age=300',
    });
  });
