import { z } from 'zod';
import { invalidationBodySchema, warmBodySchema } from '../../core/cache/api/cache-api';

/** Bodies and answers of the cache endpoints (OpenAPI is generated from them). */

export const cacheInvalidationSchema = invalidationBodySchema.meta({
  id: 'CacheInvalidation',
  description:
    'keys, globs (patterns), tags — each with its dependents — and CDN paths (`*` only at the end)',
});
export const cacheWarmSchema = warmBodySchema.meta({
  id: 'CacheWarm',
  description: 'API paths to load through their cached handlers, and/or the N most requested',
});

export const cacheStatsSchema = z
  .object({ instanceId: z.string(), popularKeys: z.array(z.string()) })
  .loose()
  .meta({ id: 'CacheStats' });

export const invalidatedSchema = z
  .object({
    tiers: z.object({
      keys: z.number(),
      cascaded: z.number(),
      removed: z.record(z.string(), z.number()),
      incomplete: z.array(z.string()),
    }),
    cdn: z
      .object({ queued: z.number(), messageId: z.string().optional(), skipped: z.string().optional() })
      .optional(),
  })
  .meta({ id: 'CacheInvalidated' });

export const warmedSchema = z
  .object({
    warmed: z.number(),
    results: z.array(z.object({ path: z.string(), status: z.number(), cached: z.boolean() })),
  })
  .meta({ id: 'CacheWarmed' });
