import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../../lambdas/config/local';
import {
  alarmsSchema,
  metricsAnswerSchema,
  metricsSummarySchema,
  scalingChangeSchema,
  scalingHistorySchema,
  scalingStatusSchema,
} from '../../lambdas/entrypoints/http/ops-schemas';
import { type LocalServer, startLocalServer } from '../../lambdas/entrypoints/local/server';
import { call, isFinished, waitFor } from '../helpers/api-client';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { WORKER } from '../helpers/processes';

// Local mode's metrics, alarms and scaling endpoints over real HTTP: the figures are the running
// process's own, and the scalable target is the real worker pool tests are split over.

const silent = { info: () => {}, error: () => {} };
let dir: string;
let api: LocalServer;
let target: TestServer;

const config = (): LocalConfig => ({
  port: 0,
  dataDir: dir,
  workers: 1,
  demoTargetPort: 0,
  policy: {
    targets: { allowedTargets: ['loopback'] },
    quotas: { maxVus: 100, maxRps: 2_000, maxDurationMs: 60_000, maxConcurrentTests: 2 },
  },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-ops-'));
  target = await startHttp((_req, res) => res.end('ok'));
  api = await startLocalServer(config(), WORKER, silent);
});
afterAll(async () => {
  await api?.close();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Polls until the sampler has at least `n` samples in the window (bounded). */
async function cpuWithPoints(n: number, query = '?start=-5m&period=1') {
  for (let i = 0; i < 40; i++) {
    const r = await call(api.url, 'GET', `/performance/metrics/cpu${query}`);
    const series = r.body?.series?.find((s: { metric: string }) => s.metric === 'ProcessCpu');
    if (r.status !== 200 || (series?.points.length ?? 0) >= n) return r;
    await delay(250);
  }
  throw new Error('the local sampler produced no points in 10 s');
}

describe('GET /performance/metrics', () => {
  it('/cpu returns real figures of the running process, with source and period', async () => {
    // Burn CPU in this (the server's) process so the figure cannot be a constant.
    const until = Date.now() + 300;
    while (Date.now() < until) Math.sqrt(Math.random());
    const r = await cpuWithPoints(2);
    expect(r.status).toBe(200);
    const body = metricsAnswerSchema.parse(r.body);
    expect(body).toMatchObject({ source: 'local', group: 'cpu', periodSeconds: 1, stat: 'Average' });
    const cpu = body.series.find((s) => s.metric === 'ProcessCpu');
    expect(cpu?.resource).toEqual({ kind: 'process', name: `pid ${process.pid}`, owner: 'platform' });
    expect(cpu?.unit).toBe('Percent');
    const values = cpu?.points.map((p) => p.value) ?? [];
    expect(Math.max(...values)).toBeGreaterThan(0);
    for (const p of cpu?.points ?? []) {
      expect(Date.parse(p.timestamp)).toBeGreaterThanOrEqual(Date.parse(body.start));
      expect(Date.parse(p.timestamp)).toBeLessThan(Date.parse(body.end));
    }
    expect(body.series.map((s) => s.metric)).toEqual(
      expect.arrayContaining(['EventLoopDelayP99', 'HostCpu', 'LoadAverage1m']),
    );
  });

  it('applies the statistic asked for, and keeps counts summed', async () => {
    await cpuWithPoints(2);
    const max = metricsAnswerSchema.parse(
      (await call(api.url, 'GET', '/performance/metrics/memory?start=-5m&period=60&stat=Maximum')).body,
    );
    const min = metricsAnswerSchema.parse(
      (await call(api.url, 'GET', '/performance/metrics/memory?start=-5m&period=60&stat=Minimum')).body,
    );
    const last = (b: typeof max, m: string) =>
      b.series.find((s) => s.metric === m)?.points.at(-1)?.value ?? Number.NaN;
    expect(max.stat).toBe('Maximum');
    expect(last(max, 'Rss')).toBeGreaterThanOrEqual(last(min, 'Rss'));
    expect(last(max, 'Rss')).toBeGreaterThan(10);
    expect(max.series.find((s) => s.metric === 'GcCount')?.stat).toBe('Sum');
  });

  it('network and database say what they cover', async () => {
    const net = metricsAnswerSchema.parse((await call(api.url, 'GET', '/performance/metrics/network')).body);
    expect(net.series.map((s) => s.metric)).toEqual(
      expect.arrayContaining(['RxBytes', 'TxBytes', 'LoRxBytes']),
    );
    const db = metricsAnswerSchema.parse((await call(api.url, 'GET', '/performance/metrics/database')).body);
    expect(db.series).toEqual([]);
    expect(db.warnings.join(' ')).toMatch(/no database/);
  });

  it('the summary reduces every group to latest values', async () => {
    await cpuWithPoints(1);
    const r = await call(api.url, 'GET', '/performance/metrics?start=-2m&period=5');
    expect(r.status).toBe(200);
    const body = metricsSummarySchema.parse(r.body);
    expect(body.source).toBe('local');
    const rss = body.groups.memory.find((s) => s.metric === 'Rss');
    expect(rss?.latest).toBeGreaterThan(10);
    expect(rss?.points).toBeGreaterThan(0);
  });

  it('refuses bad windows listing every problem, and unknown groups', async () => {
    const bad = await call(api.url, 'GET', '/performance/metrics/cpu?start=yesterday&period=7&stat=median');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('E_INVALID_REQUEST');
    expect(bad.body.error.details.problems).toHaveLength(3);
    // Well-formed values whose window this source cannot answer: 422, not "malformed".
    const tooMany = await call(api.url, 'GET', '/performance/metrics/cpu?start=-48h&period=1');
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.code).toBe('E_INVALID_WINDOW');
    expect(tooMany.body.error.details.problems[0]).toMatch(/more than 1440 points/);
    const reversed = await call(api.url, 'GET', '/performance/metrics/cpu?start=-1m&end=-2m');
    expect(reversed.status).toBe(422);
    expect(reversed.body.error.details.problems).toContain('start must be before end');
    // Older than CloudWatch keeps: refused, not answered with a year the answer's schema has no room for.
    const ancient = await call(api.url, 'GET', '/performance/metrics?end=-70783502h');
    expect(ancient.status).toBe(422);
    expect(ancient.body.error.details.problems).toEqual([
      'start is more than 455 days ago: CloudWatch keeps nothing older',
    ]);
    for (const q of ['start=-5m&period=7', 'period=120.5', 'period=3600000000', 'stat=median', 'end=1e12'])
      expect((await call(api.url, 'GET', `/performance/metrics/cpu?${q}`)).status, q).toBe(400);
    for (const q of ['start=now&end=now', 'start=1700000000000'])
      expect((await call(api.url, 'GET', `/performance/metrics/cpu?${q}`)).status, q).toBe(422);
    expect((await call(api.url, 'GET', '/performance/metrics/disk')).status).toBe(404);
    expect((await call(api.url, 'GET', '/performance/metrics/cpu?colour=red')).status).toBe(400);
  });
});

describe('GET /performance/alarms', () => {
  it('lists the local rules with their states, alarms first', async () => {
    await cpuWithPoints(1);
    const r = await call(api.url, 'GET', '/performance/alarms');
    expect(r.status).toBe(200);
    const body = alarmsSchema.parse(r.body);
    expect(body.source).toBe('local');
    expect(body.alarms.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'local-host-cpu-high',
        'local-event-loop-delay-high',
        'local-process-memory-high',
      ]),
    );
    const memory = body.alarms.find((a) => a.name === 'local-process-memory-high');
    // The state follows the figure it reports (this process is the server: its RSS is the figure).
    const rss = Number(/was ([\d.]+) MB/.exec(memory?.reason ?? '')?.[1]);
    expect(rss).toBeGreaterThan(10);
    expect(memory?.state).toBe(rss > 512 ? 'ALARM' : 'OK');
    const total = body.counts.OK + body.counts.ALARM + body.counts.INSUFFICIENT_DATA;
    expect(total).toBe(body.alarms.length);
    const ok = alarmsSchema.parse((await call(api.url, 'GET', '/performance/alarms?state=OK')).body);
    expect(ok.alarms.every((a) => a.state === 'OK')).toBe(true);
  });
});

describe('scaling the local worker pool', () => {
  const test = (name: string) => ({
    name,
    baseUrl: target.url,
    scenarios: {
      main: {
        executor: 'constant-arrival-rate',
        rate: 40,
        duration: '1s',
        preAllocatedVUs: 4,
        requests: [{ name: 'root', method: 'GET', path: '/' }],
      },
    },
  });

  async function workersOfARun(name: string): Promise<number> {
    const created = await call(api.url, 'POST', '/performance/tests', { body: test(name) });
    expect(created.status).toBe(202);
    await waitFor(api.url, created.body.id, isFinished);
    const results = await call(api.url, 'GET', `/performance/tests/${created.body.id}/results`);
    return results.body.workers.planned;
  }

  it('status shows the pool; config then manual change it, visible in status, history and the next run', async () => {
    const status = scalingStatusSchema.parse(
      (await call(api.url, 'GET', '/performance/scaling/status')).body,
    );
    expect(status.source).toBe('local');
    expect(status.targets).toEqual([
      expect.objectContaining({
        id: 'local-workers',
        current: 1,
        desired: 1,
        min: 1,
        max: 64,
        suspended: false,
      }),
    ]);
    expect(await workersOfARun('before')).toBe(1);

    const configured = await call(api.url, 'PUT', '/performance/scaling/config', {
      body: { target: 'local-workers', min: 2, max: 6, reason: 'two cores at least' },
    });
    expect(configured.status).toBe(200);
    const change = scalingChangeSchema.parse(configured.body);
    expect(change.target).toMatchObject({ current: 2, min: 2, max: 6 });
    expect(change.recorded).toMatchObject({
      action: 'config',
      actor: 'local',
      before: { min: 1, max: 64, current: 1 },
    });

    const manual = await call(api.url, 'POST', '/performance/scaling/manual', {
      body: { target: 'local-workers', capacity: 3, reason: 'peak test at noon' },
    });
    expect(manual.status).toBe(200);
    expect(scalingChangeSchema.parse(manual.body).target).toMatchObject({
      current: 3,
      min: 3,
      max: 3,
      suspended: true,
    });

    const after = scalingStatusSchema.parse((await call(api.url, 'GET', '/performance/scaling/status')).body);
    expect(after.targets[0]).toMatchObject({ current: 3, desired: 3 });
    expect(await workersOfARun('after')).toBe(3);

    const history = scalingHistorySchema.parse(
      (await call(api.url, 'GET', '/performance/scaling/history')).body,
    );
    const kinds = history.items.map((i) => `${i.source}:${(i as { capacity?: number }).capacity ?? ''}`);
    expect(kinds).toEqual(['autoscaling:', 'manual:3', 'autoscaling:', 'config:']);
    expect(history.items[1]).toMatchObject({
      reason: 'peak test at noon',
      actor: 'local',
      before: { current: 2 },
    });
    expect(history.items[0]).toMatchObject({ status: 'Successful', cause: 'a manual capacity of 3 was set' });
    expect(history.items[2]).toMatchObject({ cause: 'the minimum capacity was set to 2' });
    const limited = scalingHistorySchema.parse(
      (await call(api.url, 'GET', '/performance/scaling/history?limit=1&target=local-workers')).body,
    );
    expect(limited.items).toHaveLength(1);
  });

  it('keeps what was set across a restart of the server', async () => {
    await api.close();
    api = await startLocalServer(config(), WORKER, silent);
    const status = scalingStatusSchema.parse(
      (await call(api.url, 'GET', '/performance/scaling/status')).body,
    );
    expect(status.targets[0]).toMatchObject({ current: 3, min: 3, max: 3, suspended: true });
    const history = scalingHistorySchema.parse(
      (await call(api.url, 'GET', '/performance/scaling/history')).body,
    );
    expect(history.items).toHaveLength(4);
  });

  it('a configuration ends the hold and brings back the side of the range it leaves out', async () => {
    const r = await call(api.url, 'PUT', '/performance/scaling/config', {
      body: { target: 'local-workers', max: 8 },
    });
    expect(r.status).toBe(200);
    expect(scalingChangeSchema.parse(r.body).target).toMatchObject({
      current: 3,
      min: 2,
      max: 8,
      suspended: false,
    });
  });

  it('refuses what the target cannot do, listing every problem', async () => {
    const r = await call(api.url, 'PUT', '/performance/scaling/config', {
      body: { target: 'local-workers', min: 0, max: 100, targetValue: 50, schedules: [] },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems).toEqual([
      expect.stringMatching(/^min\b/),
      expect.stringMatching(/^max\b/),
      expect.stringMatching(/no target-tracking policy/),
      expect.stringMatching(/no scheduler/),
    ]);
    const noReason = await call(api.url, 'POST', '/performance/scaling/manual', {
      body: { target: 'local-workers', capacity: 2, reason: ' ' },
    });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.error.details)).toMatch(/say why/);
    const outside = await call(api.url, 'POST', '/performance/scaling/manual', {
      body: { target: 'local-workers', capacity: 65, reason: 'more' },
    });
    expect(outside.status).toBe(400);
    const unknown = await call(api.url, 'POST', '/performance/scaling/manual', {
      body: { target: 'api-get-test', capacity: 2, reason: 'x' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'E_SCALING_TARGET_NOT_FOUND',
      details: { targets: ['local-workers'] },
    });
    expect((await call(api.url, 'POST', '/performance/scaling/manual', { raw: 'capacity=2' })).status).toBe(
      400,
    );
    expect((await call(api.url, 'GET', '/performance/scaling/history?from=last-week')).status).toBe(400);
    for (const from of [
      'now',
      '-72h',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00+01:00',
      '2026-01-01',
      '1700000000000',
    ])
      expect(
        (await call(api.url, 'GET', `/performance/scaling/history?from=${encodeURIComponent(from)}`)).status,
        from,
      ).toBe(200);
  });
});
