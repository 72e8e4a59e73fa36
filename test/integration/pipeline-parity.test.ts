import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { runPipeline } from '../../lambdas/core/run/pipeline';
import type { TestResults } from '../../lambdas/model/results';
import type { TestStore } from '../../lambdas/ports/test-store';
import { storeTest } from '../helpers/definitions';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { localPipeline, losingWorker } from '../helpers/local-pipeline';
import { executeStateMachine, localDefinition, sfnCapacity } from '../helpers/state-machine';

// One definition, two runtimes: the local pipeline (what `npm start` and `throughline run` use:
// worker threads, file stores) and the synthesized state machine executed by aws-local-stepfunctions
// with the same stage functions behind its tasks. Both must end with the same status and the same
// merged counts. The definitions are built so that the counts do not depend on timing: the load
// that runs is bounded by iterations (or by rate × duration), and the scenario that would run on
// is scheduled to start long after the stop.

let dir: string;
let target: TestServer;
let asl: Record<string, unknown>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-parity-'));
  target = await startHttp((req, res) => {
    res.statusCode = req.url === '/fail' ? 500 : 200;
    setTimeout(() => res.end('ok'), 2);
  });
  asl = localDefinition();
});
afterAll(async () => {
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

/** 40 iterations shared by 4 VUs, then (30 s later, never reached before the stop) an open-ended scenario. */
const boundedThenIdle = (path: string, thresholds: Record<string, unknown>) => ({
  baseUrl: target.url,
  scenarios: {
    burst: {
      executor: 'shared-iterations',
      vus: 4,
      iterations: 40,
      maxDuration: '20s',
      requests: [{ name: 'burst', path }],
    },
    later: {
      executor: 'constant-vus',
      vus: 2,
      duration: '60s',
      startTime: '30s',
      requests: [{ name: 'later', path: '/' }],
    },
  },
  thresholds,
});

const arrivals = (perSecond: number) => ({
  baseUrl: target.url,
  scenarios: {
    s: {
      executor: 'constant-arrival-rate',
      rate: perSecond,
      duration: '2s',
      preAllocatedVUs: 20,
      gracefulStop: '1s',
      requests: [{ name: 'home', path: '/' }],
    },
  },
  thresholds: { http_req_failed: ['rate<0.01'] },
});

interface Case {
  readonly definition: Record<string, unknown>;
  readonly workers: number;
  /** Per-worker VUs the AWS planner assumes, so that it plans `workers` as the local run is given. */
  readonly vusPerWorker?: number;
  readonly lostWorker?: number;
  /** Cancel once this many requests show in the live figures. */
  readonly cancelAfter?: number;
}

let seq = 0;
async function store(tests: TestStore, runs: ReturnType<typeof createFileRunStore>, c: Case, prefix: string) {
  const id = `${prefix}-${++seq}`;
  await storeTest(tests, runs, id, c.definition);
  return id;
}

const cancelling = (tests: TestStore, id: string, after: number) => async () => {
  const until = Date.now() + 20_000;
  while (Date.now() < until && ((await tests.get(id))?.live?.requests ?? 0) < after)
    await new Promise((r) => setTimeout(r, 100));
  await tests.update(id, { cancelRequested: true }, ['running']);
};

async function local(c: Case) {
  const deps = localPipeline(join(dir, 'local'), c.workers, {
    stopPollMs: 250,
    ...(c.lostWorker === undefined ? {} : { fanout: losingWorker(c.lostWorker) }),
  });
  const id = await store(deps.tests, deps.runs, c, 'local');
  const run = runPipeline({ ...deps, monitorIntervalMs: 250 }, id);
  if (c.cancelAfter !== undefined) await cancelling(deps.tests, id, c.cancelAfter)();
  const ended = await run;
  return { status: ended?.status, results: await deps.tests.getResults(id) };
}

async function stateMachine(c: Case) {
  const tests = createFileTestStore(join(dir, 'sfn'));
  const runs = createFileRunStore(join(dir, 'sfn'));
  const id = await store(tests, runs, c, 'sfn');
  const { output, results } = await executeStateMachine(
    {
      tests,
      runs,
      clock: systemClock,
      definition: asl,
      // Sized so the planner picks the same number of workers as the local run is given.
      capacity: sfnCapacity('lambda', { maxRps: 50, maxVus: c.vusPerWorker ?? 1_000 }),
      ...(c.lostWorker === undefined ? {} : { lostWorker: c.lostWorker }),
      ...(c.cancelAfter === undefined ? {} : { during: cancelling(tests, id, c.cancelAfter) }),
    },
    id,
  );
  return { status: output.status, results };
}

/** The figures that must agree: everything counted, nothing timed. */
const counts = (r: TestResults | undefined) => ({
  status: r?.status,
  requests: r?.totals.requests,
  errors: r?.totals.errors,
  iterations: r?.totals.iterations,
  dropped: r?.totals.droppedIterations,
  byRequest: r?.byRequest.map((q) => [q.scenario, q.name, q.requests, q.errors]),
  workers: { planned: r?.workers.planned, completed: r?.workers.completed, failed: r?.workers.failed },
  lost: r?.workers.failures.map((f) => f.segment),
  aborted: r?.abortedBy?.map((t) => t.expression),
});

async function bothAgree(c: Case) {
  const a = await local(c);
  const b = await stateMachine(c);
  expect(counts(a.results).workers.planned).toBe(c.workers);
  expect(a.status).toBe(b.status);
  expect(counts(a.results)).toEqual(counts(b.results));
  return counts(a.results);
}

describe('the local pipeline and the emulated state machine agree', () => {
  it('on a run that passes', async () => {
    const c = await bothAgree({ definition: arrivals(100), workers: 2 });
    expect(c).toMatchObject({
      status: 'passed',
      requests: 200,
      errors: 0,
      workers: { planned: 2, completed: 2 },
    });
  });

  it('on a cancelled run', async () => {
    const c = await bothAgree({
      definition: boundedThenIdle('/', {}),
      workers: 2,
      vusPerWorker: 3,
      cancelAfter: 40,
    });
    expect(c).toMatchObject({ status: 'cancelled', requests: 40, workers: { planned: 2, completed: 2 } });
  });

  it('on a run aborted by an abortOnFail threshold', async () => {
    const c = await bothAgree({
      definition: boundedThenIdle('/fail', {
        http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }],
      }),
      workers: 2,
      vusPerWorker: 3,
    });
    expect(c).toMatchObject({ status: 'aborted', requests: 40, errors: 40, aborted: ['rate<0.5'] });
  });

  it('on a run that lost a worker', async () => {
    const c = await bothAgree({ definition: arrivals(150), workers: 3, lostWorker: 1 });
    expect(c).toMatchObject({
      status: 'degraded',
      requests: 200,
      workers: { planned: 3, completed: 2, failed: 1 },
      lost: ['1/3:2/3'],
    });
  });
});
