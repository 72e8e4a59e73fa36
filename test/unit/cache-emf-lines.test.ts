import middy from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import type { ApiEvent, ApiResult } from '../../lambdas/entrypoints/http/http-io';
import { withCacheMetrics } from '../../lambdas/entrypoints/lambda/cache-metrics';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('withCacheMetrics', () => {
  it('writes one EMF line per tier at most once a minute, with CacheHitRate by Tier in Throughline', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = createTieredCache({ clock: systemClock });
    const handler = withCacheMetrics(
      middy<ApiEvent, ApiResult>().handler(async () => {
        await cache.getOrSet('k', () => 'v');
        return { statusCode: 200, body: '' };
      }),
      cache,
    );
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const call = () => handler({} as ApiEvent, {} as never);
    await call();
    expect(lines).toEqual([]);
    vi.setSystemTime(Date.now() + 61_000);
    await call();
    await call();
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] as string);
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Throughline', Dimensions: [['Tier']] });
    expect(doc.Tier).toBe('L1');
    // Emitted after the second call: one miss (the fill), one hit.
    expect(doc.CacheHitRate).toBe(50);
  });
});
