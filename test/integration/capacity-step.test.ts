import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityBlock } from '../../lambdas/model/capacity';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { runCli } from '../helpers/processes';

// A stepped test against a target whose service time follows the USL it is meant to find: each
// request takes BASE_MS × (1 + σ(N−1) + κN(N−1)) with N the requests in flight when it arrives, so a
// closed-model plateau of N VUs delivers X(N) = N / that. The run's capacity block must find the
// planted peak. Real CLI, real HTTP on loopback, bounded (about 35 s).

const BASE_MS = 4;
const SIGMA = 0.05;
const KAPPA = 0.002;
const PLANTED_N_MAX = Math.sqrt((1 - SIGMA) / KAPPA); // 21.8
const LEVELS = [2, 4, 8, 16, 24, 32];

let target: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'throughline-capacity-step-'));
beforeAll(async () => {
  let inFlight = 0;
  target = await startHttp((_req, res) => {
    inFlight++;
    const n = inFlight;
    setTimeout(
      () => {
        inFlight--;
        res.end('ok');
      },
      BASE_MS * (1 + SIGMA * (n - 1) + KAPPA * n * (n - 1)),
    );
  });
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('capacity of a stepped run', () => {
  it('finds the planted peak: plateaus, a USL fit with N_max near it, and the max sustainable throughput', async () => {
    const definition = {
      name: 'usl-target',
      baseUrl: target.url,
      scenarios: {
        step: {
          executor: 'ramping-vus',
          startVUs: 1,
          gracefulRampDown: '0s',
          stages: LEVELS.flatMap((n) => [
            { duration: '300ms', target: n },
            { duration: '5s', target: n },
          ]),
          requests: [{ path: '/' }],
        },
      },
      // Service time is 5.9 ms at N = 8 and 18 ms at N = 32: held at low N, failed at the top.
      thresholds: { http_req_duration: ['p(95)<15'], http_req_failed: ['rate<0.01'] },
    };
    const file = join(dir, 'step.json');
    writeFileSync(file, JSON.stringify(definition));
    const out = join(dir, 'results.json');
    const html = join(dir, 'report.html');
    const run = await runCli(['run', file, '--out', out, '--html', html, '--quiet'], { timeoutMs: 90_000 });
    expect([0, 99]).toContain(run.code);
    const stored = JSON.parse(readFileSync(out, 'utf8')) as { capacity?: CapacityBlock };
    const capacity = stored.capacity;
    if (capacity?.model !== 'vus') throw new Error(`no stepped capacity: ${JSON.stringify(capacity)}`);
    expect(capacity.plateaus.map((p) => p.offered)).toEqual(LEVELS);
    for (const p of capacity.plateaus) {
      expect(p.seconds).toBeGreaterThanOrEqual(3);
      // Little's law on a closed model with no think time: about N requests in flight.
      expect(p.concurrency / p.offered).toBeGreaterThan(0.8);
      expect(p.concurrency / p.offered).toBeLessThan(1.1);
    }
    if (!capacity.fit.fitted) throw new Error(capacity.fit.reason);
    const seen = JSON.stringify({
      plateaus: capacity.plateaus,
      nMax: capacity.fit.nMax,
      sigma: capacity.fit.sigma,
      kappa: capacity.fit.kappa,
    });
    console.log(seen);
    expect(capacity.fit.nMax).toBeGreaterThan(PLANTED_N_MAX * 0.7);
    expect(capacity.fit.nMax).toBeLessThan(PLANTED_N_MAX * 1.4);
    expect(capacity.maxSustainableRps).toBeGreaterThan(0);
    const sustained = capacity.plateaus.filter((p) => p.sustained);
    expect(capacity.maxSustainableRps).toBe(Math.max(...sustained.map((p) => p.achievedRps)));
    const byLevel = new Map(capacity.plateaus.map((p) => [p.offered, p]));
    for (const n of [2, 4, 8]) expect(byLevel.get(n)?.sustained).toBe(true);
    expect(byLevel.get(32)?.failed).toEqual(['http_req_duration: p(95)<15']);

    // The report shows it: the fitted curve, a marker per plateau, a row per plateau.
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section data-capacity>');
    expect(page).toMatch(/data-chart="capacity"[\s\S]*data-series="usl"/);
    const markers = /<g class="markers" data-series="measured">(.*?)<\/g>/.exec(page)?.[1] ?? '';
    expect(markers.match(/<circle /g)).toHaveLength(LEVELS.length);
    expect(page.match(/<tr data-plateau>/g)).toHaveLength(LEVELS.length);

    const printed = await runCli(['capacity', out]);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(capacity);
  });

  it('says why a test that is not stepped has no capacity block', async () => {
    const out = join(dir, 'flat.json');
    writeFileSync(out, JSON.stringify({ name: 'flat', timeseries: [] }));
    const printed = await runCli(['capacity', out]);
    expect(printed.code).toBe(1);
    expect(JSON.parse(printed.stdout)).toMatchObject({
      model: 'none',
      reason: expect.stringContaining('not stepped'),
    });
  });
});
