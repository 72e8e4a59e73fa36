import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { createLocalLauncher } from '../../lambdas/adapters/local/local-launcher';
import { systemResolver } from '../../lambdas/adapters/node/dns-resolver';
import { aggregateRun } from '../../lambdas/core/run/aggregate';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { monitorStep } from '../../lambdas/core/run/monitor';
import { createTest, getResults, getTest, type PlatformDeps } from '../../lambdas/core/tests/test-service';
import { toTestResource } from '../../lambdas/entrypoints/http/resources';
import type { Clock } from '../../lambdas/ports/clock';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestLauncher } from '../../lambdas/ports/test-launcher';
import type { TestStore } from '../../lambdas/ports/test-store';
import { healthyReport, makeWindow } from '../contract/run-store.contract';
import { storeTest } from '../helpers/definitions';

// A healthy run can be silent for minutes: the Map waits for a lost worker's timeout, or the
// aggregation merges 600,000 windows. Nothing may store a time-based verdict on it meanwhile
// (issue: finished runs overwritten as interrupted). Fake clock, real file stores, the real
// local launcher as the runtime that is asked.

let dir: string;
let tests: TestStore;
let runs: RunStore;
let now = Date.parse('2026-12-07T12:00:00Z');
// Time moves only when the test moves it: a wait ends when it is called off.
const clock: Clock = {
  now: () => now,
  sleep: (_ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      else signal?.addEventListener('abort', () => resolve(), { once: true });
    }),
};
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-silent-'));
  tests = createFileTestStore(dir);
  runs = createFileRunStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const definition = {
  name: 'silent',
  baseUrl: 'http://127.0.0.1:9',
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '3s', requests: [{ path: '/' }] } },
};
const report = (worker: number) => healthyReport(worker, worker === 0 ? '0/1:1/2' : '1/2:1/1');

/** A run whose workers have written everything and reported, whose record then went quiet. */
async function quietRun(id: string) {
  const startAtMs = now;
  await storeTest(tests, runs, id, definition, 'running');
  // Its last word (live figures, a heartbeat) came now, by the fake clock.
  await tests.update(id, { updatedAt: new Date(now).toISOString() });
  await runs.putPlanItems(
    id,
    [0, 1].map((worker) => ({
      testId: id,
      segment: report(worker).segment,
      worker,
      startAtMs,
      timeoutSeconds: 900,
    })),
  );
  for (const worker of [0, 1]) {
    for (const index of [0, 1, 2]) await runs.putWindow(id, makeWindow(index, worker));
    await runs.putWorkerReport(id, report(worker));
  }
  return { startAtMs, segments: [report(0).segment, report(1).segment] };
}

function platform(launcher: TestLauncher): PlatformDeps {
  return {
    store: tests,
    runs,
    launcher,
    resolver: systemResolver,
    clock,
    newId: () => `t-${now}`,
    policy: {
      targets: { allowedTargets: ['loopback'] },
      // One at a time: the next create finds the silent test holding the slot and reconciles it.
      quotas: { maxVus: 100, maxRps: 1_000, maxDurationMs: 3_600_000, maxConcurrentTests: 1 },
    },
    capacity: DEFAULT_CAPACITY,
  };
}

describe('a healthy run that goes silent', () => {
  it('stays running for 10 silent minutes while its runtime runs it, then ends passed with its results', async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const launcher = createLocalLauncher(
      () => held,
      tests,
      () => new Date(now).toISOString(),
      () => {},
    );
    const run = await quietRun('quiet');
    await launcher.launch({ ...(await tests.get('quiet'))!, status: 'queued' });
    // Every worker reported: the monitor is done, and says the run now waits for its workers to
    // end (Fargate tasks stopping) until the run's deadline, 15 minutes on.
    const monitored = await monitorStep(
      { tests, runs, clock },
      {
        testId: 'quiet',
        startAtMs: run.startAtMs,
        plannedMs: 3_000,
        workers: 2,
        deadlineMs: now + 15 * 60_000,
      },
      60_000,
    );
    expect(monitored.state).toBe('finished');
    now += 10 * 60_000;
    // Read paths (GET /tests/{id}, history) show it running, waiting: not a lost runner.
    expect(await getTest({ store: tests, clock }, 'quiet')).toMatchObject({
      status: 'running',
      phase: 'waiting',
    });
    expect(toTestResource(await getTest({ store: tests, clock }, 'quiet')).phase).toBe('stopping');
    // Creating another test finds the slot taken and reconciles the active tests, storing what
    // it finds stale: the silent one is still run by its runtime, so it keeps its slot.
    await expect(
      createTest(platform(launcher), { body: { ...definition, name: 'next' } }),
    ).rejects.toMatchObject({
      code: 'E_TOO_MANY_TESTS',
    });
    expect((await tests.get('quiet'))?.status).toBe('running');
    const ended = await aggregateRun({ tests, runs, clock }, 'quiet', run);
    finish();
    expect(ended?.phase).toBe('aggregating');
    expect(ended?.status).toBe('passed');
    const results = await getResults({ store: tests, clock }, 'quiet');
    expect(results.status).toBe('passed');
    expect(results.totals.requests).toBe(6 * 20);
  });

  it('reads as interrupted once its wait is over and a minute has passed without a word', async () => {
    await quietRun('over');
    const deadlineMs = now + 5 * 60_000;
    await monitorStep(
      { tests, runs, clock },
      { testId: 'over', startAtMs: now, plannedMs: 3_000, workers: 2, deadlineMs },
      60_000,
    );
    now = deadlineMs + 30_000;
    expect((await getTest({ store: tests, clock }, 'over')).status).toBe('running');
    now = deadlineMs + 61_000;
    expect(await getTest({ store: tests, clock }, 'over')).toMatchObject({
      status: 'interrupted',
      error: { code: 'E_RUNNER_LOST' },
    });
  });

  it('is stored as interrupted only once the runtime says it has ended, and a late aggregate keeps that', async () => {
    const ended: TestLauncher = {
      launch: async () => {},
      cancel: async () => {},
      isRunning: async () => false,
    };
    const run = await quietRun('lost');
    now += 10 * 60_000;
    await createTest(platform(ended), { body: { ...definition, name: 'next-2' } });
    expect(await tests.get('lost')).toMatchObject({
      status: 'interrupted',
      error: { code: 'E_RUNNER_LOST' },
    });
    // An aggregate retried after that changes nothing: the stored verdict stands.
    expect((await aggregateRun({ tests, runs, clock }, 'lost', run))?.status).toBe('interrupted');
  });
});
