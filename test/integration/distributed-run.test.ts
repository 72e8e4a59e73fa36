import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { processSampler } from '../../lambdas/adapters/node/resource-sampler';
import { runWorkerJob } from '../../lambdas/composition/worker-job';
import { nthOfSegments } from '../../lambdas/core/load/segment';
import { aggregateRun, aggregateStep } from '../../lambdas/core/run/aggregate';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { monitorRun } from '../../lambdas/core/run/monitor';
import { capacityPlanner, planRun } from '../../lambdas/core/run/plan-run';
import { runSegmentWorker, type SegmentWorkerDeps } from '../../lambdas/core/run/segment-worker';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
import { arrivalRate, storeTest } from '../helpers/definitions';
import { startHttp, type TestServer } from '../helpers/http-servers';

// The distributed run's own code (segment workers, monitor, aggregate) with the local adapters:
// the same use cases the Lambda and Fargate workers call, here on one machine against loopback.

let dir: string;
let target: TestServer;
let delayMs = 2;
let tests: TestStore;
let runs: RunStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-dist-'));
  tests = createFileTestStore(dir);
  runs = createFileRunStore(dir);
  target = await startHttp((_req, res) => {
    setTimeout(() => res.end('ok'), delayMs);
  });
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const workerDeps = (): SegmentWorkerDeps => ({
  tests,
  runs,
  clock: systemClock,
  resources: processSampler,
  runJob: runWorkerJob,
  stopPollMs: 250,
});

let seq = 0;
async function startRun(definition: Record<string, unknown>, workers: number) {
  const id = `dist-${++seq}`;
  await storeTest(tests, runs, id, definition, 'running');
  const startAtMs = Date.now() + 500;
  const segments = Array.from({ length: workers }, (_, k) => nthOfSegments(k, workers).toString());
  return { id, startAtMs, segments };
}

const rate = (perSecond: number, duration: string, extra: Record<string, unknown> = {}) =>
  arrivalRate(target.url, perSecond, duration, extra);

describe('distributed run on local adapters', () => {
  it('plans a queued test, then three workers with a common start merge exactly into one result', async () => {
    const id = `dist-${++seq}`;
    // 150/s is 3 workers when one is planned at 50/s.
    await storeTest(tests, runs, id, rate(150, '3s'));
    const capacity = {
      ...DEFAULT_CAPACITY,
      lambda: { ...DEFAULT_CAPACITY.lambda, maxRps: 50, coldStartMs: 0 },
    };
    const planned = await planRun(
      { tests, runs, clock: systemClock, planner: capacityPlanner(capacity) },
      id,
    );
    expect(planned).toMatchObject({ skip: false, runtime: 'lambda', workers: 3 });
    expect((await tests.get(id))?.status).toBe('running');
    const items = (await runs.planItems(id)) ?? [];
    expect(items.map((i) => i.segment)).toEqual(['0/1:1/3', '1/3:2/3', '2/3:1/1']);
    const run = { id, startAtMs: planned.startAtMs as number, segments: items.map((i) => i.segment) };
    const monitor = monitorRun(
      { tests, runs, clock: systemClock },
      run.id,
      { startAtMs: run.startAtMs, plannedMs: 3_000, workers: 3 },
      Date.now() + 30_000,
      250,
    );
    const reports = await Promise.all(
      run.segments.map((segment, worker) =>
        runSegmentWorker(workerDeps(), { testId: run.id, segment, worker, startAtMs: run.startAtMs }),
      ),
    );
    expect(await monitor).toBe('finished');
    expect(reports.map((r) => r.outcome)).toEqual(['completed', 'completed', 'completed']);
    expect(reports.every((r) => r.startLagMs < 100 && r.windows >= 3)).toBe(true);
    const live = (await tests.get(run.id))?.live;
    expect(live?.requests).toBeGreaterThan(0);

    const done = await aggregateRun({ tests, runs, clock: systemClock }, run.id, run);
    expect(done?.status).toBe('passed');
    const results = await tests.getResults(run.id);
    // 150/s for 3 s, split over three segments that tile the whole: every arrival exactly once.
    // Every arrival exactly once: sent, or dropped when all of a worker's VUs were busy (three
    // workers share one event loop with the target here).
    expect((results?.totals.requests ?? 0) + (results?.totals.droppedIterations ?? 0)).toBe(450);
    expect(results?.totals.requests).toBeGreaterThan(400);
    expect(results?.workers).toMatchObject({ planned: 3, completed: 3, failed: 0, skippedIterations: 0 });
    // Every second of the planned 3 s has all three workers; a worker that ends a little later may
    // add a final window of its own.
    const plannedSeconds = results?.timeseries.filter((p) => p.t < 3) ?? [];
    expect(plannedSeconds.map((p) => p.workers)).toEqual([3, 3, 3]);
  });

  it('a lost worker leaves a degraded result that names its segment, never a hang', async () => {
    const run = await startRun(rate(90, '2s'), 3);
    await Promise.all(
      run.segments
        .slice(0, 2)
        .map((segment, worker) =>
          runSegmentWorker(workerDeps(), { testId: run.id, segment, worker, startAtMs: run.startAtMs }),
        ),
    );
    await aggregateRun({ tests, runs, clock: systemClock }, run.id, run);
    const results = await tests.getResults(run.id);
    expect(results?.status).toBe('degraded');
    expect(results?.workers.failures).toEqual([
      { worker: 2, segment: run.segments[2], error: expect.stringContaining('never reported') },
    ]);
    expect((results?.totals.requests ?? 0) + (results?.totals.droppedIterations ?? 0)).toBe(120);
  });

  it('flags a saturated worker in the results and in the notification', async () => {
    const run = await startRun(rate(40, '1s'), 2);
    const reports = await Promise.all(
      run.segments.map((segment, worker) =>
        runSegmentWorker(workerDeps(), { testId: run.id, segment, worker, startAtMs: run.startAtMs }),
      ),
    );
    expect(reports[0]?.resources.rssMbMax).toBeGreaterThan(10);
    // Both workers share this process (and its CPU figures): set what each reports. Worker 1
    // reports what a busy generator would: a near-full CPU and a laggy event loop.
    const [calm, busy] = reports as [(typeof reports)[number], (typeof reports)[number]];
    const report = (r: typeof calm, cpuPercentMax: number, eventLoopDelayP99Ms: number) =>
      runs.putWorkerReport(run.id, {
        ...r,
        resources: { ...r.resources, cpuPercentMax, eventLoopDelayP99Ms },
      });
    await report(calm, 30, 5);
    await report(busy, 97, 80);
    await runs.putPlanItems(
      run.id,
      run.segments.map((segment, worker) => ({
        testId: run.id,
        segment,
        worker,
        startAtMs: run.startAtMs,
        timeoutSeconds: 60,
      })),
    );
    const out = await aggregateStep({ tests, runs, clock: systemClock }, run.id);
    expect(out.status).toBe('passed');
    expect(out.results?.warnings).toEqual([expect.stringContaining('1 of 2 workers were saturated')]);
    expect(out.results?.warnings?.[0]).toContain('worker 1 (CPU 97 %, event-loop delay p99 80 ms)');
    expect(out.message).toContain(`Throughline test "${run.id}" (${run.id}): passed`);
    expect(out.message).toContain('workers: 2/2 completed');
    expect(out.message).toContain('saturated');
  });

  it('aborts every worker when an abortOnFail threshold fails on the merged data', async () => {
    delayMs = 30;
    const run = await startRun(
      rate(60, '30s', { thresholds: { http_req_duration: [{ threshold: 'p(95)<5', abortOnFail: true }] } }),
      2,
    );
    const asked = Date.now();
    const monitor = monitorRun(
      { tests, runs, clock: systemClock },
      run.id,
      { startAtMs: run.startAtMs, plannedMs: 30_000, workers: 2 },
      Date.now() + 60_000,
      250,
    );
    await Promise.all(
      run.segments.map((segment, worker) =>
        runSegmentWorker(workerDeps(), { testId: run.id, segment, worker, startAtMs: run.startAtMs }),
      ),
    );
    await monitor;
    delayMs = 2;
    expect(Date.now() - asked).toBeLessThan(10_000);
    await aggregateRun({ tests, runs, clock: systemClock }, run.id, run);
    const results = await tests.getResults(run.id);
    expect(results?.status).toBe('aborted');
    expect(results?.abortedBy?.[0]).toMatchObject({ metric: 'http_req_duration', ok: false });
  });

  it('stops within 5 s of a cancel, keeps what was measured; a late worker skips what it missed', async () => {
    const run = await startRun(rate(100, '60s'), 2);
    const first = runSegmentWorker(workerDeps(), {
      testId: run.id,
      segment: run.segments[0] as string,
      worker: 0,
      startAtMs: run.startAtMs,
    });
    await new Promise((r) => setTimeout(r, 2_000));
    // Worker 1 comes up 1.5 s after the common start.
    const late = runSegmentWorker(workerDeps(), {
      testId: run.id,
      segment: run.segments[1] as string,
      worker: 1,
      startAtMs: run.startAtMs,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const asked = Date.now();
    await tests.update(run.id, { cancelRequested: true }, ['running']);
    const reports = await Promise.all([first, late]);
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(reports[1]?.startLagMs).toBeGreaterThan(1_000);
    expect(reports[1]?.skippedIterations).toBeGreaterThan(50);
    await aggregateRun({ tests, runs, clock: systemClock }, run.id, run);
    const results = await tests.getResults(run.id);
    expect(results?.status).toBe('cancelled');
    expect(results?.workers.skippedIterations).toBe(reports[1]?.skippedIterations);
    expect(results?.totals.requests).toBeGreaterThan(100);
  });
});
