import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestId } from '../../lambdas/adapters/node/ids';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { runInProcess } from '../../lambdas/core/run/run-in-process';
import type { WorkerFanout } from '../../lambdas/ports/workers';
import { localPipeline, losingWorker } from '../helpers/local-pipeline';
import { startTargetProcess, type Target } from '../helpers/processes';

// The local run pipeline (what `throughline run` calls), real worker threads and the real transport
// against a real target process.

let target: Target;
beforeAll(async () => {
  // 20 ms per /api/ response; the whole server stalls 1 s in every 3 s.
  target = await startTargetProcess(['--delay', '20ms', '--stall-every', '3s', '--stall-for', '1s']);
});
afterAll(() => target.stop());

async function run(
  input: Record<string, unknown>,
  workers = 1,
  fanout?: (threads: WorkerFanout) => WorkerFanout,
) {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-engine-'));
  try {
    const deps = localPipeline(dir, workers, fanout ? { fanout } : {});
    return await runInProcess({ ...deps, newId: newTestId }, { input, test: parseTestDefinition(input) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('engine end to end', () => {
  it('measures an open-model test from the intended send time, so a stall shows in the high percentiles', async () => {
    const r = await run(
      {
        baseUrl: target.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 100,
            duration: '6s',
            preAllocatedVUs: 20,
            maxVUs: 300,
            requests: [{ path: '/api/products' }],
          },
        },
      },
      2,
    );
    // A third of arrivals land in a stall and wait out its rest: uniform over (20, 1020] ms.
    // True p50 = 20 ms, p90 = 20 + (0.9 - 2/3) * 3 * 1000 = 720 ms, p99 = 990 ms.
    expect(r.totals.requests).toBe(600);
    expect(r.totals.droppedIterations).toBe(0);
    expect(r.latencyMs.p50).toBeGreaterThan(19);
    expect(r.latencyMs.p50).toBeLessThan(60);
    expect(r.latencyMs.p90).toBeGreaterThan(600);
    expect(r.latencyMs.p90).toBeLessThan(850);
    expect(r.latencyMs.p99).toBeGreaterThan(900);
    expect(r.latencyMs.p99).toBeLessThan(1_150);
  });

  it('counts dropped iterations when the VU pool is exhausted', async () => {
    const r = await run({
      baseUrl: target.url,
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: 50,
          duration: '3s',
          preAllocatedVUs: 2,
          maxVUs: 5,
          gracefulStop: '2s',
          requests: [{ path: '/api/products' }],
        },
      },
    });
    // During a stall only 5 VUs can wait; the other arrivals are dropped and counted, not lost.
    expect(r.totals.droppedIterations).toBeGreaterThan(10);
    expect(r.totals.iterations + r.totals.droppedIterations + r.totals.interruptedIterations).toBe(150);
  });

  it('keeps the windows of a worker that dies and reports the run as degraded, naming it', async () => {
    const r = await run(
      {
        baseUrl: target.url,
        scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '5s', requests: [{ path: '/' }] } },
      },
      2,
      losingWorker(1, 3_000),
    );
    expect(r.status).toBe('degraded');
    expect(r.workers).toMatchObject({ planned: 2, completed: 1, failed: 1 });
    expect(r.workers.failures[0]).toMatchObject({ worker: 1, segment: '1/2:1/1' });
    expect(r.workers.failures[0]?.error).toMatch(/never reported/);
    // The dead worker's first seconds are in the results: windows 0–1 came from both workers.
    expect(r.timeseries.find((w) => w.t === 1)?.workers).toBe(2);
    expect(r.timeseries.find((w) => w.t === 4)?.workers).toBe(1);
  });

  it('ramps VUs along the stages and ends within gracefulStop', async () => {
    const started = Date.now();
    const r = await run(
      {
        baseUrl: target.url,
        scenarios: {
          s: {
            executor: 'ramping-vus',
            startVUs: 0,
            stages: [
              { duration: '2s', target: 6 },
              { duration: '2s', target: 6 },
            ],
            gracefulStop: '1s',
            requests: [{ path: '/' }],
          },
        },
      },
      3,
    );
    expect(r.status).toBe('passed');
    expect(Math.max(...r.timeseries.map((w) => w.vus))).toBeLessThanOrEqual(6);
    expect(r.timeseries.find((w) => w.t === 3)?.vus).toBeGreaterThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('survives requests that cannot be built, and never strands arrivals on a worker without VUs', async () => {
    const r = await run(
      {
        baseUrl: target.url,
        scenarios: {
          open: {
            executor: 'constant-arrival-rate',
            rate: 10,
            duration: '2s',
            preAllocatedVUs: 1,
            requests: [{ name: 'broken', url: '${nowhere}' }],
          },
          closed: {
            executor: 'per-vu-iterations',
            vus: 2,
            iterations: 3,
            requests: [
              { name: 'fine', path: '/' },
              { name: 'broken too', url: '${nowhere}/x' },
            ],
          },
        },
      },
      4,
    );
    // 4 workers share 1 pre-allocated VU: each owner of arrivals still gets one, so none is dropped.
    expect(r.totals.droppedIterations).toBe(0);
    expect(r.status).toBe('passed');
    const by = (name: string) => r.byRequest.find((q) => q.name === name);
    // A worker that starts over 100 ms late (a loaded machine) skips the arrivals it missed and
    // counts them: every one of the 20 is either sent (and fails) or counted as skipped.
    const skipped = r.workers.skippedIterations ?? 0;
    const broken = by('broken');
    expect((broken?.requests ?? 0) + skipped).toBe(20);
    expect(broken).toMatchObject({ errors: broken?.requests, errorsByKind: { other: broken?.requests } });
    expect(by('fine')?.requests).toBe(6);
    expect(by('broken too')).toMatchObject({ requests: 6, errorsByKind: { other: 6 } });
    expect(r.totals.iterations + skipped).toBe(26);
  });
});
