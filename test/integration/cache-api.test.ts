import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheConfig } from '../../lambdas/config/cache';
import type { LocalConfig } from '../../lambdas/config/local';
import { type LocalServer, startLocalServer } from '../../lambdas/entrypoints/local/server';
import { call, isFinished, waitFor } from '../helpers/api-client';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { WORKER } from '../helpers/processes';
import { type RedisServer, startRedis } from '../helpers/redis';

// The platform's response cache over real HTTP: local mode with L1 + disk + a real redis-server
// as L3 (THROUGHLINE_REDIS_URL). ETags and 304s, history dropped when a test is created, the
// cache endpoints (stats, invalidations, warm).

const silent = { info: () => {}, error: () => {} };
let dir: string;
let api: LocalServer;
let target: TestServer;
let redis: RedisServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-cache-api-'));
  target = await startHttp((_req, res) => res.end('ok'));
  redis = await startRedis();
  const config: LocalConfig = {
    port: 0,
    dataDir: dir,
    workers: 1,
    demoTargetPort: 0,
    policy: {
      targets: { allowedTargets: ['loopback'] },
      quotas: { maxVus: 100, maxRps: 2_000, maxDurationMs: 60_000, maxConcurrentTests: 2 },
    },
    cache: cacheConfig({ THROUGHLINE_REDIS_URL: redis.url }),
  };
  api = await startLocalServer(config, WORKER, silent);
});
afterAll(async () => {
  await api?.close();
  await redis?.stop();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

const definition = (name: string) => ({
  name,
  baseUrl: target.url,
  scenarios: {
    main: {
      executor: 'constant-arrival-rate',
      rate: 20,
      duration: '1s',
      preAllocatedVUs: 2,
      requests: [{ name: 'root', method: 'GET', path: '/' }],
    },
  },
});

describe('response cache of the read paths', () => {
  let id: string;

  it('finished results: the second read is a hit with the same ETag, If-None-Match gives 304, the CDN may keep them', async () => {
    const created = await call(api.url, 'POST', '/performance/tests', { body: definition('cached') });
    id = created.body.id;
    await waitFor(api.url, id, isFinished);
    const first = await call(api.url, 'GET', `/performance/tests/${id}/results`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const second = await call(api.url, 'GET', `/performance/tests/${id}/results`);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.text).toBe(first.text);
    const notModified = await call(api.url, 'GET', `/performance/tests/${id}/results`, {
      headers: { 'if-none-match': `W/${etag}` },
    });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    // Another representation is another entry.
    const html = await call(api.url, 'GET', `/performance/tests/${id}/results?format=html`);
    expect(html.headers.get('x-cache')).toBe('miss');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('history is dropped in every tier when a test is created', async () => {
    const before = await call(api.url, 'GET', '/performance/tests/history');
    expect((await call(api.url, 'GET', '/performance/tests/history')).headers.get('x-cache')).toBe('hit');
    expect(before.headers.get('cache-control')).toBe('private, max-age=5');
    const created = await call(api.url, 'POST', '/performance/tests', { body: definition('second') });
    const after = await call(api.url, 'GET', '/performance/tests/history');
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(after.body.items.map((t: { id: string }) => t.id)).toContain(created.body.id);
    await waitFor(api.url, created.body.id, isFinished);
  });

  it('the stats show every tier, L3 on the real redis-server', async () => {
    const r = await call(api.url, 'GET', '/performance/cache/stats');
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    expect(r.body.tiers.map((t: { tier: string; name: string }) => `${t.tier}:${t.name}`)).toEqual([
      'L1:adaptive',
      'L2:disk',
      'L3:redis',
    ]);
    expect(text).toContain('"bytesSaved"');
    expect(r.body.popularKeys.some((k: string) => k.includes(`/performance/tests/${id}/results`))).toBe(true);
  });

  it('invalidations by tag reach the results; CDN paths are reported as not invalidated locally', async () => {
    const r = await call(api.url, 'POST', '/performance/cache/invalidations', {
      body: { tags: [`test:${id}`], cdnPaths: [`/performance/tests/${id}/*`] },
    });
    expect(r.status).toBe(200);
    expect(r.body.tiers.keys).toBeGreaterThanOrEqual(2);
    expect(r.body.cdn).toMatchObject({ queued: 0, skipped: expect.stringMatching(/no CDN/) });
    const again = await call(api.url, 'GET', `/performance/tests/${id}/results`);
    expect(again.headers.get('x-cache')).toBe('miss');
    const bad = await call(api.url, 'POST', '/performance/cache/invalidations', {
      body: { cdnPaths: ['no-slash', '/a*b'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems).toHaveLength(2);
    expect((await call(api.url, 'POST', '/performance/cache/invalidations', { body: {} })).status).toBe(400);
  });

  it('warming loads paths through the cached handlers', async () => {
    await call(api.url, 'POST', '/performance/cache/invalidations', { body: { tags: [`test:${id}`] } });
    const r = await call(api.url, 'POST', '/performance/cache/warm', {
      body: { paths: [`/performance/tests/${id}/results`, '/performance/tests/nope/results'] },
    });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { path: `/performance/tests/${id}/results`, status: 200, cached: true },
      { path: '/performance/tests/nope/results', status: 404, cached: false },
    ]);
    expect((await call(api.url, 'GET', `/performance/tests/${id}/results`)).headers.get('x-cache')).toBe(
      'hit',
    );
    const bad = await call(api.url, 'POST', '/performance/cache/warm', { body: { paths: ['/etc/passwd'] } });
    expect(bad.status).toBe(400);
  });
});
