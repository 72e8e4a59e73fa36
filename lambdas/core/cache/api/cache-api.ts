import { z } from 'zod';
import type { CdnQueue } from '../../../ports/cdn-queue';
import { PlatformError } from '../../tests/errors';
import { MAX_GLOB_LENGTH } from '../invalidation/glob';
import type { TieredCache } from '../tiers/tiered-cache-contract';

/** The cache endpoints' use cases: stats, invalidation across tiers and the CDN, warming. */

export interface CacheApiDeps {
  readonly cache: TieredCache | undefined;
  /** Absent locally (no CDN): CDN paths are then reported as not invalidated. */
  readonly cdn?: CdnQueue | undefined;
  /** Fetches one API path through its cached handler (GET), which stores it in the cache. */
  readonly fetchPath: (path: string) => Promise<{ readonly status: number }>;
}

const cdnPath = z
  .string()
  .max(1_024)
  // One pattern, not a refinement, so that the OpenAPI document states the rule about `*` too.
  .regex(/^\/[\x21-\x29\x2b-\x7e]*\*?$/, {
    error: 'a path starting with /, visible ASCII, * only at the end',
  });

/** JSON Schema: `name` is present and not an empty list. */
const nonEmpty = (name: string) => ({ required: [name], properties: { [name]: { minItems: 1 } } });

export const invalidationBodySchema = z
  .strictObject({
    keys: z.array(z.string().min(1).max(1_024)).max(1_000).optional(),
    patterns: z.array(z.string().min(1).max(MAX_GLOB_LENGTH)).max(100).optional(),
    tags: z.array(z.string().min(1).max(256)).max(100).optional(),
    cdnPaths: z.array(cdnPath).max(3_000).optional(),
  })
  .refine((b) => Object.values(b).some((v) => (v?.length ?? 0) > 0), {
    error: 'give at least one of keys, patterns, tags, cdnPaths',
  })
  // The refinement above, as JSON Schema states it (for the OpenAPI document).
  .meta({ anyOf: ['keys', 'patterns', 'tags', 'cdnPaths'].map(nonEmpty) });

const apiPath = z
  .string()
  .regex(/^\/performance\/[\x21-\x7e]*$/, { error: 'an API path under /performance/' })
  .max(2_048);
export const warmBodySchema = z
  .strictObject({
    paths: z.array(apiPath).max(100).optional(),
    popular: z.int().min(1).max(100).optional(),
  })
  .refine((b) => (b.paths?.length ?? 0) > 0 || b.popular !== undefined, {
    error: 'give paths, popular or both',
  })
  .meta({ anyOf: [nonEmpty('paths'), { required: ['popular'] }] });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new PlatformError('E_INVALID_REQUEST', 'invalid cache request', {
    problems: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
  });
}

function cacheOf(deps: CacheApiDeps): TieredCache {
  if (!deps.cache) throw new PlatformError('E_INVALID_REQUEST', 'the cache is off (THROUGHLINE_CACHE=off)');
  return deps.cache;
}

export function cacheStats(deps: CacheApiDeps) {
  const cache = cacheOf(deps);
  return { ...cache.stats(), popularKeys: cache.popularKeys(20) };
}

export async function invalidateCache(deps: CacheApiDeps, body: unknown) {
  const request = parse(invalidationBodySchema, body);
  const cache = cacheOf(deps);
  const tiers = await cache.invalidate({
    ...(request.keys ? { keys: request.keys } : {}),
    ...(request.patterns ? { patterns: request.patterns } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
  });
  const paths = [...new Set(request.cdnPaths ?? [])];
  let cdn: Record<string, unknown> | undefined;
  if (paths.length > 0)
    cdn = deps.cdn
      ? { queued: paths.length, messageId: (await deps.cdn.enqueue(paths)).messageId }
      : { queued: 0, skipped: 'no CDN in front of this API (local mode or cdn.enabled false)' };
  return { tiers, ...(cdn ? { cdn } : {}) };
}

export async function warmCache(deps: CacheApiDeps, body: unknown) {
  const request = parse(warmBodySchema, body);
  const cache = cacheOf(deps);
  // Popular keys of the response cache are `http:<path>?<query>[#vary]`: back to paths.
  const popular = (request.popular ? cache.popularKeys(request.popular) : [])
    .filter((k) => k.startsWith('http:'))
    .map((k) => (k.slice(5).split('#')[0] ?? '').replace(/\?$/, ''));
  const paths = [...new Set([...(request.paths ?? []), ...popular])];
  const results = [];
  for (const path of paths) {
    const { status } = await deps.fetchPath(path).catch(() => ({ status: 500 }));
    results.push({ path, status, cached: status === 200 });
  }
  return { warmed: results.filter((r) => r.cached).length, results };
}
