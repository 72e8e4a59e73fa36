import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { createMemoryCacheDriver } from '../../lambdas/adapters/node/memory-cache-driver';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import type { PlatformDeps } from '../../lambdas/core/tests/test-service';
import { getResultsHandler } from '../../lambdas/entrypoints/http/handlers';
import { makeRecord, sampleResults } from '../contract/test-store.fixtures';
import { apiEvent, lambdaContext } from '../helpers/api-event';

// A re-aggregation (results written again, the record updated) must not be answered from any tier
// with the earlier results, even by an instance that was never told: the key carries the version.

const silent = { info: () => {}, error: () => {} };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-results-version-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cached results follow their test version', () => {
  it('answers from the cache until the test is re-aggregated, then reads the new results', async () => {
    const store = createFileTestStore(dir);
    const record = makeRecord(1, { status: 'passed', endedAt: '2025-01-15T10:05:00.000Z' });
    await store.create(record);
    await store.putResults(record.id, sampleResults);
    // A shared L3 (memory driver) and two instances: neither tells the other anything.
    const l3 = createMemoryCacheDriver();
    const instance = () => createTieredCache({ clock: systemClock, l3: { driver: l3 } });
    const platform = { store } as unknown as PlatformDeps;
    const a = getResultsHandler({ platform, log: silent, cache: instance() });
    const b = getResultsHandler({ platform, log: silent, cache: instance() });
    const get = async (h: typeof a) => {
      const r = await h(
        apiEvent('GET', `/performance/tests/${record.id}/results`, { pathParameters: { id: record.id } }),
        lambdaContext,
      );
      return { cache: r.headers?.['x-cache'], name: JSON.parse(r.body).name as string };
    };
    expect(await get(a)).toEqual({ cache: 'miss', name: sampleResults.name });
    expect(await get(b)).toEqual({ cache: 'hit', name: sampleResults.name });

    await store.putResults(record.id, { ...sampleResults, name: 'rerun' });
    await store.update(record.id, { updatedAt: '2025-01-15T10:09:00.000Z' });
    expect(await get(b)).toEqual({ cache: 'miss', name: 'rerun' });
    expect(await get(a)).toEqual({ cache: 'hit', name: 'rerun' });
  });
});
