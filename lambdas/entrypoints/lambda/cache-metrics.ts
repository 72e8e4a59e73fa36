import type middy from '@middy/core';
import type { TieredCache } from '../../core/cache/tiers/tiered-cache';
import type { ApiEvent, ApiResult } from '../http/http-io';

/** Once a minute per instance, after a request: the cache's stats as EMF lines (CacheHitRate per Tier, …). */
const INTERVAL_MS = 60_000;

export function withCacheMetrics(
  handler: middy.MiddyfiedHandler<ApiEvent, ApiResult>,
  cache: TieredCache | undefined,
): middy.MiddyfiedHandler<ApiEvent, ApiResult> {
  if (!cache) return handler;
  let last = Date.now();
  return handler.use({
    after: () => {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      // CloudWatch Logs extracts metrics from these lines (Embedded Metric Format): one per tier.
      for (const doc of cache.emf('Throughline')) process.stdout.write(`${JSON.stringify(doc)}\n`);
    },
  });
}
