import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../../lambdas/config/local';
import { ROUTES } from '../../lambdas/entrypoints/http/routes';
import { type LocalServer, startLocalServer } from '../../lambdas/entrypoints/local/server';
import { call, isFinished, waitFor } from '../helpers/api-client';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { WORKER } from '../helpers/processes';

// The API handlers through the local server over real HTTP, against a real loopback target.

const silent = { info: () => {}, error: () => {} };
let dir: string;
let api: LocalServer;
let target: TestServer;
let base: string;
/** Milliseconds the target waits before answering /slow; tests change it. */
let slowMs = 2;

const config = (over: Partial<LocalConfig['policy']['quotas']> = {}): LocalConfig => ({
  port: 0,
  dataDir: dir,
  workers: 1,
  demoTargetPort: 0,
  policy: {
    targets: { allowedTargets: ['loopback'] },
    quotas: { maxVus: 100, maxRps: 2_000, maxDurationMs: 120_000, maxConcurrentTests: 2, ...over },
  },
});

const definition = (name: string, duration = '2s', extra: Record<string, unknown> = {}) => ({
  name,
  baseUrl: target.url,
  scenarios: {
    main: {
      executor: 'constant-arrival-rate',
      rate: 100,
      duration,
      preAllocatedVUs: 5,
      requests: [{ name: 'slow', method: 'GET', path: '/slow', checks: [{ status: 200 }] }],
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'] },
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-api-'));
  target = await startHttp((req, res) => {
    setTimeout(() => res.end(req.url === '/slow' ? 'ok' : 'hello'), req.url === '/slow' ? slowMs : 0);
  });
  api = await startLocalServer(config(), WORKER, silent);
  base = api.url;
});
afterAll(async () => {
  await api?.close();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  slowMs = 2;
});

describe('POST /tests → GET /tests/{id} → results', () => {
  it('runs a definition to the end and serves the results in every format', async () => {
    const created = await call(base, 'POST', '/performance/tests', {
      body: definition('flow', '2s', { tags: { team: 'web' } }),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/performance/tests/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'queued', name: 'flow', tags: { team: 'web' } });
    expect(created.body.links.results).toBe(`/performance/tests/${created.body.id}/results`);

    const early = await call(base, 'GET', `/performance/tests/${created.body.id}/results`);
    if (early.status !== 200) expect(early.body.error.code).toBe('E_RESULTS_NOT_READY');

    const live = await waitFor(base, created.body.id, (t) => t.status === 'running' && t.live !== undefined);
    expect(live).toMatchObject({
      phase: expect.stringMatching(/running|stopping/),
      live: { vus: expect.any(Number), p95SoFarMs: expect.any(Number), progress: expect.any(Number) },
    });
    const done = await waitFor(base, created.body.id, isFinished);
    expect(done.status).toBe('passed');
    expect(done.summary.requests).toBeGreaterThan(150);

    const json = await call(base, 'GET', `/performance/tests/${created.body.id}/results`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/application\/json/);
    for (const key of ['status', 'totals', 'latencyMs', 'byRequest', 'thresholds', 'timeseries', 'workers'])
      expect(json.body).toHaveProperty(key);
    expect(json.body.totals).toMatchObject({
      requests: expect.any(Number),
      errors: 0,
      droppedIterations: expect.any(Number),
    });
    expect(Object.keys(json.body.latencyMs)).toEqual([
      'min',
      'mean',
      'p50',
      'p90',
      'p95',
      'p99',
      'p999',
      'max',
    ]);
    expect(json.body.workers).toMatchObject({ planned: 1, completed: 1, failed: 0 });

    const html = await call(base, 'GET', `/performance/tests/${created.body.id}/results?format=html`);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toMatch(/^<!doctype html>/);
    const csv = await call(base, 'GET', `/performance/tests/${created.body.id}/results`, {
      headers: { accept: 'text/csv' },
    });
    expect(csv.text.split('\n')[0]).toMatch(/^scenario,name,method,requests/);
    const ts = await call(
      base,
      'GET',
      `/performance/tests/${created.body.id}/results?format=csv&table=timeseries`,
    );
    expect(ts.text.split('\n').length).toBeGreaterThan(2);
    const junit = await call(base, 'GET', `/performance/tests/${created.body.id}/results`, {
      headers: { accept: 'application/junit+xml' },
    });
    expect(junit.text).toContain('<testsuite');
    const refused = await call(base, 'GET', `/performance/tests/${created.body.id}/results`, {
      headers: { accept: 'image/png' },
    });
    expect(refused.status).toBe(406);
    expect(refused.body.error.code).toBe('E_NOT_ACCEPTABLE');
  });

  it('starts a preset', async () => {
    const r = await call(base, 'POST', '/performance/tests', {
      body: { preset: 'smoke', target: `${target.url}/`, vus: 2, duration: '1s', name: 'preset-run' },
    });
    expect(r.status).toBe(202);
    expect((await waitFor(base, r.body.id, isFinished)).status).toBe('passed');
  });
});

describe('bad input is a 4xx that lists every problem, never a 500', () => {
  it('refuses bad JSON, other media types, empty and oversized bodies', async () => {
    const bad = await call(base, 'POST', '/performance/tests', { raw: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'E_INVALID_JSON',
      message: expect.stringContaining('not valid JSON'),
    });
    const empty = await call(base, 'POST', '/performance/tests', { raw: '' });
    expect(empty.body.error.code).toBe('E_INVALID_JSON');
    const form = await call(base, 'POST', '/performance/tests', {
      raw: 'a=b',
      headers: { 'content-type': 'text/plain' },
    });
    expect(form.status).toBe(415);
    const huge = await call(base, 'POST', '/performance/tests', { raw: `"${'x'.repeat(1_100_000)}"` });
    expect(huge.status).toBe(413);
    const big = await call(base, 'POST', '/performance/tests', { raw: `"${'x'.repeat(300_000)}"` });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('E_PAYLOAD_TOO_LARGE');
    const deep = await call(base, 'POST', '/performance/tests', {
      raw: `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    });
    expect(deep.status).toBe(400);
    expect(deep.body.error.message).toContain('nests deeper');
    for (const raw of ['null', '[]', '42', '"text"', 'true']) {
      const odd = await call(base, 'POST', '/performance/tests', { raw });
      expect(odd.status, raw).toBe(400);
      expect(odd.body.error.code, raw).toBe('E_INVALID_DEFINITION');
    }
    const bareUrl = await call(base, 'POST', '/performance/tests', {
      body: {
        scenarios: {
          s: { executor: 'constant-vus', duration: '1s', requests: [{ url: 'http://a b/${x}' }] },
        },
      },
    });
    expect(bareUrl.status).toBe(400);
    const noType = await fetch(`${base}/performance/tests`, { method: 'POST', body: new Blob(['{}']) });
    expect(noType.status).toBe(415);
  });

  it('lists every problem of an invalid definition with its path', async () => {
    const r = await call(base, 'POST', '/performance/tests', {
      body: {
        scenarios: {
          a: { executor: 'constant-vus', vus: 0, duration: '10x', requests: [{ path: '/' }] },
          b: { executor: 'warp-drive' },
        },
        thresholds: { http_req_duration: ['p(95)<<3'] },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('E_INVALID_DEFINITION');
    const paths = r.body.error.details.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'scenarios.a.duration',
        'scenarios.a.requests[0].path',
        'scenarios.b.executor',
        'thresholds.http_req_duration[0]',
      ]),
    );
  });

  it('answers unknown routes, methods, ids and parameters with JSON errors', async () => {
    expect((await call(base, 'GET', '/performance/nope')).body.error.code).toBe('E_NOT_FOUND');
    const put = await call(base, 'PUT', '/performance/tests');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect((await call(base, 'GET', '/performance/tests/does-not-exist')).status).toBe(404);
    expect((await call(base, 'GET', '/performance/tests/..%2F..%2Fetc')).status).toBe(404);
    expect((await call(base, 'GET', '/performance/tests/%ZZ')).status).toBe(404);
    const dup = await call(base, 'GET', '/performance/tests/history?limit=1&limit=2');
    expect(dup.status).toBe(200);
    const q = await call(base, 'GET', '/performance/tests/history?limit=500&status=sleepy&bogus=1');
    expect(q.status).toBe(400);
    expect(q.body.error.details.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'bogus',
      'limit',
      'status',
    ]);
    // A base64url cursor is well formed (422 when this store did not issue it); anything else is a 400.
    const cursor = await call(base, 'GET', '/performance/tests/history?cursor=garbage');
    expect(cursor.status).toBe(422);
    expect(cursor.body.error.code).toBe('E_INVALID_CURSOR');
    const notBase64 = await call(base, 'GET', '/performance/tests/history?cursor=a%2Bb%3D');
    expect(notBase64.status).toBe(400);
    expect(notBase64.body.error.code).toBe('E_INVALID_REQUEST');
  });
});

// Each of these was found by the API fuzz test (test/integration/api-fuzz.test.ts): a request the
// OpenAPI document allowed, refused as malformed, or an answer the document did not describe.
describe('the OpenAPI contract holds where fuzzing found it did not', () => {
  it('answers a literal path before a template: /tests/history is not test "history"', async () => {
    const del = await call(base, 'DELETE', '/performance/tests/history');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
    expect((await call(base, 'OPTIONS', '/performance/tests/history')).headers.get('allow')).toBe('GET');
    expect((await call(base, 'OPTIONS', '/performance/tests/abc')).headers.get('allow')).toBe('GET, DELETE');
  });

  it('answers headers over 16 KiB with a JSON 431, as documented', async () => {
    const { request } = await import('node:http');
    const r = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request(
        `${base}/performance/tests/history`,
        { headers: { 'x-big': 'x'.repeat(20_000) } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(r.status).toBe(431);
    expect(r.type).toMatch(/^application\/json/);
    expect(JSON.parse(r.body).error.code).toBe('E_HEADERS_TOO_LARGE');
  });

  it('takes every tag value and Idempotency-Key the document allows, and only those', async () => {
    // `.` stops at a line break in JavaScript, not in the schema's other readers.
    expect((await call(base, 'GET', '/performance/tests/history?tag=team:a%0Db')).status).toBe(200);
    const key = await call(base, 'POST', '/performance/tests?dryRun=true', {
      body: { preset: 'smoke', target: target.url },
      headers: { 'idempotency-key': 'a b' },
    });
    expect(key.status).toBe(400);
    const doc = (await call(base, 'GET', '/performance/openapi.json')).body;
    const header = doc.paths['/performance/tests'].post.parameters.find(
      (p: { name: string }) => p.name === 'Idempotency-Key',
    );
    expect(header.schema.pattern).toBe('^[\\x21-\\x7e]{1,255}$');
  });

  it('refuses a definition that matches the schema but breaks a rule it cannot state with a 422', async () => {
    const scenario = (over: Record<string, unknown>) => ({
      baseUrl: target.url,
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: 5,
          duration: '1s',
          preAllocatedVUs: 2,
          requests: [{ path: '/' }],
          ...over,
        },
      },
    });
    const cases = [
      scenario({ maxVUs: 1 }),
      scenario({ requests: [{ path: '/', checks: [{ body: true, matches: '(?=a)' }] }] }),
      scenario({ requests: [{ path: '/', checks: [{ maxDuration: '999999h' }] }] }),
      scenario({ thinkTime: { min: '1s', max: '999999h' } }),
    ];
    for (const body of cases) {
      const r = await call(base, 'POST', '/performance/tests?dryRun=true', { body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.code).toBe('E_INVALID_DEFINITION');
      expect(r.body.error.details.problems).toHaveLength(1);
    }
    // A schema problem beside them makes it a 400 listing both.
    const both = await call(base, 'POST', '/performance/tests?dryRun=true', {
      body: scenario({ maxVUs: 1, duration: 'soon' }),
    });
    expect(both.status).toBe(400);
    expect(both.body.error.details.problems).toHaveLength(2);
  });

  it('expands a preset whose duration prints as an exponent into a valid definition', async () => {
    const tiny = await call(base, 'POST', '/performance/tests?dryRun=true', {
      body: { preset: 'volume', target: `${target.url}/`, vus: 1, duration: '0.000000001ms' },
    });
    expect(tiny.status).toBe(200);
  });
});

describe('safety', () => {
  it('answers only to its loopback names (no DNS rebinding of the local API)', async () => {
    const { request } = await import('node:http');
    const status = (host: string, path = '/performance/tests/history') =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${base}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('evil.example:8787')).toBe(421);
    expect(await status(new URL(base).host)).toBe(200);
    expect(await status('localhost')).toBe(200);
    expect(await status(new URL(base).host, '//')).toBe(400);
  });

  it('refuses targets outside the allow-list, naming each', async () => {
    for (const host of ['169.254.169.254', '10.0.0.1', '[::ffff:169.254.169.254]', '[fd00:ec2::254]']) {
      const r = await call(base, 'POST', '/performance/tests', {
        body: { preset: 'smoke', target: `http://${host}/` },
      });
      expect(r.status, host).toBe(403);
      expect(r.body.error.code).toBe('E_TARGET_NOT_ALLOWED');
      expect(r.body.error.details.problems).toHaveLength(1);
    }
    const two = await call(base, 'POST', '/performance/tests', {
      body: {
        ...definition('two'),
        scenarios: {
          main: {
            executor: 'constant-vus',
            duration: '1s',
            requests: [
              { url: 'http://169.254.169.254/latest' },
              { url: 'http://192.168.1.1/' },
              { url: `${target.url}/slow` },
            ],
          },
        },
      },
    });
    expect(two.body.error.details.problems.map((p: { host: string }) => p.host)).toEqual([
      '169.254.169.254',
      '192.168.1.1',
    ]);
  });

  it('enforces quotas with every exceeded limit named', async () => {
    const r = await call(base, 'POST', '/performance/tests', {
      body: { preset: 'smoke', target: `${target.url}/`, vus: 500, duration: '10m' },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('E_QUOTA_EXCEEDED');
    expect(r.body.error.details.problems.map((p: { quota: string }) => p.quota)).toEqual([
      'maxVus',
      'maxDurationMs',
    ]);
  });

  it('limits concurrent tests (429) and cancels a running test within 5 s, keeping its results', async () => {
    const a = await call(base, 'POST', '/performance/tests', { body: definition('long-a', '60s') });
    const b = await call(base, 'POST', '/performance/tests', { body: definition('long-b', '60s') });
    const c = await call(base, 'POST', '/performance/tests', { body: definition('long-c', '60s') });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(c.status).toBe(429);
    expect(c.body.error.code).toBe('E_TOO_MANY_TESTS');

    await waitFor(base, a.body.id, (t) => t.live !== undefined);
    const asked = Date.now();
    const del = await call(base, 'DELETE', `/performance/tests/${a.body.id}`);
    expect(del.status).toBe(202);
    expect(del.body).toMatchObject({ cancelRequested: true, phase: 'stopping' });
    const stopped = await waitFor(base, a.body.id, isFinished, 10_000);
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(stopped.status).toBe('cancelled');
    const results = await call(base, 'GET', `/performance/tests/${a.body.id}/results`);
    expect(results.body.status).toBe('cancelled');
    expect(results.body.totals.requests).toBeGreaterThan(0);
    expect((await call(base, 'DELETE', `/performance/tests/${a.body.id}`)).status).toBe(200);

    await call(base, 'DELETE', `/performance/tests/${b.body.id}`);
    await waitFor(base, b.body.id, isFinished, 10_000);
  });

  it('refuses to cancel a finished test', async () => {
    const r = await call(base, 'POST', '/performance/tests', { body: definition('short', '1s') });
    await waitFor(base, r.body.id, isFinished);
    const del = await call(base, 'DELETE', `/performance/tests/${r.body.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({ code: 'E_NOT_CANCELLABLE', details: { status: 'passed' } });
  });
});

describe('dry run', () => {
  it('validates like a real submission and returns the plan and its cost, storing nothing', async () => {
    const before = (await call(base, 'GET', '/performance/tests/history?limit=100')).body.items.length;
    const r = await call(base, 'POST', '/performance/tests?dryRun=true', {
      body: definition('planned', '1m'),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      dryRun: true,
      plan: { runtime: 'lambda', workers: 1, segments: ['0/1:1/1'], cost: { totalUsd: expect.any(Number) } },
    });
    expect((await call(base, 'GET', '/performance/tests/history?limit=100')).body.items.length).toBe(before);
    const refused = await call(base, 'POST', '/performance/tests?dryRun=true', {
      body: { preset: 'smoke', target: 'http://169.254.169.254/' },
    });
    expect(refused.status).toBe(403);
    expect(
      (await call(base, 'POST', '/performance/tests?dryRun=maybe', { body: definition('x') })).status,
    ).toBe(400);
  });
});

describe('idempotency, history, baselines', () => {
  it('replays a repeated Idempotency-Key and refuses it for another definition', async () => {
    const headers = { 'idempotency-key': `key-${Date.now()}` };
    const first = await call(base, 'POST', '/performance/tests', { body: definition('idem', '1s'), headers });
    const again = await call(base, 'POST', '/performance/tests', { body: definition('idem', '1s'), headers });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call(base, 'POST', '/performance/tests', { body: definition('idem', '2s'), headers });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('E_IDEMPOTENCY_CONFLICT');
    await waitFor(base, first.body.id, isFinished);
  });

  it('filters and pages history', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await call(base, 'POST', '/performance/tests', {
        body: definition('paged', '1s', { tags: { n: String(n) } }),
      });
      ids.push(r.body.id);
      await waitFor(base, r.body.id, isFinished);
    }
    const page1 = await call(base, 'GET', '/performance/tests/history?name=paged&limit=2');
    expect(page1.body.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    const page2 = await call(
      base,
      'GET',
      `/performance/tests/history?name=paged&limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeUndefined();
    const tagged = await call(base, 'GET', '/performance/tests/history?tag=n:2');
    expect(tagged.body.items.map((t: { id: string }) => t.id)).toEqual([ids[1]]);
    const passed = await call(base, 'GET', '/performance/tests/history?status=cancelled&limit=100');
    expect(passed.body.items.every((t: { status: string }) => t.status === 'cancelled')).toBe(true);
    const future = await call(base, 'GET', '/performance/tests/history?from=2999-01-01T00:00:00Z');
    expect(future.body.items).toEqual([]);
  });

  it('compares with the previous run and fails on a regression when asked', async () => {
    slowMs = 5;
    const before = await call(base, 'POST', '/performance/tests', { body: definition('checkout-reg', '3s') });
    await waitFor(base, before.body.id, isFinished);
    slowMs = 25;
    const after = await call(base, 'POST', '/performance/tests', {
      body: definition('checkout-reg', '3s', { baseline: 'previous', regression: 'fail' }),
    });
    expect(after.body.baselineId).toBe(before.body.id);
    const done = await waitFor(base, after.body.id, isFinished);
    expect(done.status).toBe('failed');
    expect(done.summary.regressions).toBe(1);
    const results = (await call(base, 'GET', `/performance/tests/${after.body.id}/results`)).body;
    expect(results.comparison).toMatchObject({
      baselineId: before.body.id,
      verdict: 'regressed',
      regressions: 1,
    });
    expect(results.comparison.requests[0].latency).toMatchObject({
      test: 'mann-whitney-u',
      verdict: 'regressed',
    });
    expect(results.comparison.requests[0].latency.pValue).toBeLessThan(0.01);
    expect(results.thresholds).toContainEqual(
      expect.objectContaining({ metric: 'regression', ok: false, value: 1 }),
    );
    const html = await call(base, 'GET', `/performance/tests/${after.body.id}/results?format=html`);
    expect(html.text).toContain('Compared with baseline');

    const missing = await call(base, 'POST', '/performance/tests', {
      body: definition('x', '1s', { baseline: 'no-such-test' }),
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('E_BASELINE_NOT_FOUND');
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document with every route and its schemas', async () => {
    const r = await call(base, 'GET', '/performance/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    for (const route of ROUTES)
      expect(r.body.paths[route.path]?.[route.method.toLowerCase()], route.path).toBeDefined();
    expect(Object.keys(r.body.components.schemas)).toEqual(
      expect.arrayContaining(['Test', 'Error', 'TestSubmission', 'History']),
    );
    const post = r.body.paths['/performance/tests'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/TestSubmission',
    );
    // Every reference resolves inside the document.
    const text = JSON.stringify(r.body);
    for (const [, target] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(r.body.components.schemas, target).toHaveProperty(target as string);
    expect(text).not.toMatch(/"\$ref":"#\/\$defs/);
    // And it is a valid OpenAPI 3.1 document by the specification's own JSON schema.
    const validation = await new Validator().validate(r.body);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  // Found by the API fuzz test: answers and rules the document did not state.
  it('documents what the server answers before a handler, and the rules handlers check in code', async () => {
    const doc = (await call(base, 'GET', '/performance/openapi.json')).body;
    for (const route of ROUTES) {
      const responses = doc.paths[route.path][route.method.toLowerCase()].responses;
      const codes = Object.keys(responses);
      expect(codes, route.path).toEqual(expect.arrayContaining(['421', '431']));
      if (route.body) expect(codes, route.path).toContain('413');
      if (route.query) expect(codes, route.path).toContain('400');
      // A 422 carries only the codes it lists.
      const refused = responses['422']?.content['application/json'].schema.properties.error.properties.code;
      if (refused) expect(refused.enum.length, route.path).toBeLessThan(6);
    }
    expect(Object.keys(doc.components.responses)).toEqual([
      'InvalidParameters',
      'PayloadTooLarge',
      'MisdirectedRequest',
      'HeadersTooLarge',
    ]);
    const metrics = Object.fromEntries(
      doc.paths['/performance/metrics'].get.parameters.map((p: { name: string; schema: unknown }) => [
        p.name,
        p.schema,
      ]),
    );
    expect(metrics.start.anyOf).toHaveLength(6);
    expect(metrics.period).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 39_312_000,
      anyOf: [{ enum: [1, 5, 10, 30] }, { multipleOf: 60 }],
    });
    expect(metrics.stat.pattern).toBeDefined();
    const history = doc.paths['/performance/tests/history'].get.parameters;
    expect(history.find((p: { name: string }) => p.name === 'cursor').schema.pattern).toBe(
      '^[A-Za-z0-9_-]{1,2048}$',
    );
    expect(doc.components.schemas.CacheWarm.anyOf).toEqual([
      { required: ['paths'], properties: { paths: { minItems: 1 } } },
      { required: ['popular'] },
    ]);
    expect(doc.components.schemas.CacheInvalidation.anyOf).toHaveLength(4);
    const submission = doc.paths['/performance/tests'].post.requestBody.content['application/json'];
    expect(Object.keys(submission.examples)).toEqual(['smoke', 'definition']);
    const definition = doc.components.schemas.TestSubmission.anyOf[0];
    expect(definition.properties.scenarios.minProperties).toBe(1);
    expect(definition.properties.timeout.anyOf[0].pattern).toBeDefined();
  });
});

describe('restart', () => {
  it('keeps finished results and marks a test running at shutdown as interrupted, with what it measured', async () => {
    const finished = await call(base, 'POST', '/performance/tests', { body: definition('keep', '1s') });
    await waitFor(base, finished.body.id, isFinished);
    const running = await call(base, 'POST', '/performance/tests', { body: definition('cut', '60s') });
    await waitFor(base, running.body.id, (t) => t.live !== undefined);
    await api.close();
    api = await startLocalServer(config(), WORKER, silent);
    base = api.url;
    expect((await call(base, 'GET', `/performance/tests/${finished.body.id}/results`)).body.status).toBe(
      'passed',
    );
    const cut = await call(base, 'GET', `/performance/tests/${running.body.id}`);
    expect(cut.body.status).toBe('interrupted');
    expect(
      (await call(base, 'GET', `/performance/tests/${running.body.id}/results`)).body.totals.requests,
    ).toBeGreaterThan(0);
  });
});
