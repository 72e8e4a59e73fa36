import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { systemResolver } from '../../lambdas/adapters/node/dns-resolver';
import { newTestId } from '../../lambdas/adapters/node/ids';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { runPipeline } from '../../lambdas/core/run/pipeline';
import { cancelTest, createTest, type PlatformDeps } from '../../lambdas/core/tests/test-service';
import type { TestLauncher } from '../../lambdas/ports/test-launcher';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { localPipeline } from '../helpers/local-pipeline';

// The local pipeline learns of a cancel made by another process (another server handling the
// DELETE) only through the stop flag in the store, which its workers poll.

let dir: string;
let target: TestServer;
let hits = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-runner-'));
  target = await startHttp((_req, res) => {
    hits++;
    res.end('ok');
  });
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the local run pipeline (worker threads, stop flag in the store)', () => {
  it('stops within 5 s of a cancel made elsewhere and keeps what it measured', async () => {
    const pipeline = localPipeline(dir, 1);
    const store = pipeline.tests;
    const launched: string[] = [];
    // The API side: it only records the hand-off, as the async Lambda invoke does.
    const launcher: TestLauncher = {
      launch: async (t) => void launched.push(t.id),
      cancel: async () => {},
      isRunning: async (id) => launched.includes(id),
    };
    const deps: PlatformDeps = {
      store,
      runs: pipeline.runs,
      launcher,
      resolver: systemResolver,
      clock: systemClock,
      newId: newTestId,
      policy: {
        targets: { allowedTargets: ['loopback'] },
        quotas: { maxVus: 10, maxRps: 1_000, maxDurationMs: 600_000, maxConcurrentTests: 1 },
      },
      capacity: DEFAULT_CAPACITY,
    };
    const { record } = await createTest(deps, {
      body: {
        name: 'runner',
        baseUrl: target.url,
        scenarios: {
          s: {
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '5m',
            preAllocatedVUs: 2,
            requests: [{ path: '/' }],
          },
        },
      },
    });
    expect(launched).toEqual([record.id]);

    const run = runPipeline(pipeline, record.id);
    const until = Date.now() + 10_000;
    while (hits < 50 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const asked = Date.now();
    await cancelTest(deps, record.id);
    const ended = await run;
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(ended?.status).toBe('cancelled');
    const results = await store.getResults(record.id);
    expect(results?.status).toBe('cancelled');
    expect(results?.totals.requests).toBeGreaterThanOrEqual(50);
    const after = hits;
    await new Promise((r) => setTimeout(r, 500));
    expect(hits).toBe(after);
  });

  it('does not run a test that was cancelled before the runner picked it up', async () => {
    const pipeline = localPipeline(dir, 1);
    const store = pipeline.tests;
    const now = new Date().toISOString();
    await store.create({
      id: 'queued-then-cancelled',
      name: 'x',
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      tags: {},
      definition: {
        baseUrl: target.url,
        scenarios: { s: { executor: 'constant-vus', duration: '1m', requests: [{ path: '/' }] } },
      },
      cancelRequested: true,
    });
    const before = hits;
    const ended = await runPipeline(pipeline, 'queued-then-cancelled');
    expect(ended?.status).toBe('cancelled');
    expect(hits).toBe(before);
  });
});
