import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
import { arrivalRate, storeTest } from '../helpers/definitions';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { executeStateMachine, localDefinition, sfnCapacity } from '../helpers/state-machine';

// Our synthesized state machine executed locally (test/helpers/state-machine.ts says how and what
// the emulator needs changed), with the real plan / worker / monitor / aggregate code behind its tasks.

let dir: string;
let target: TestServer;
let delayMs = 2;
let tests: TestStore;
let runs: RunStore;
let definition: Record<string, unknown>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-sfn-'));
  tests = createFileTestStore(dir);
  runs = createFileRunStore(dir);
  target = await startHttp((_req, res) => {
    setTimeout(() => res.end('ok'), delayMs);
  });
  definition = localDefinition();
});
afterAll(async () => {
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Scenario {
  readonly runtime?: 'lambda' | 'fargate';
  readonly lostWorker?: number;
  readonly during?: (testId: string) => Promise<void>;
  readonly failOnce?: readonly ('Monitor' | 'Aggregate')[];
}

let seq = 0;
async function execute(testDefinition: Record<string, unknown>, o: Scenario = {}) {
  const testId = `sfn-${++seq}`;
  await storeTest(tests, runs, testId, testDefinition);
  return executeStateMachine(
    {
      tests,
      runs,
      clock: systemClock,
      definition,
      capacity: sfnCapacity(o.runtime ?? 'lambda'),
      ...(o.lostWorker === undefined ? {} : { lostWorker: o.lostWorker }),
      ...(o.during ? { during: o.during } : {}),
      ...(o.failOnce ? { failOnce: o.failOnce } : {}),
    },
    testId,
  );
}

const rate = (perSecond: number, duration: string, extra: Record<string, unknown> = {}) =>
  arrivalRate(target.url, perSecond, duration, extra);

describe('the synthesized state machine, executed locally', () => {
  it('plans, fans out to Lambda workers, aggregates and notifies', async () => {
    const { output, notifications, results } = await execute(rate(100, '2s'));
    expect(output.status).toBe('passed');
    expect(results?.workers).toMatchObject({ planned: 2, completed: 2, failed: 0 });
    expect((results?.totals.requests ?? 0) + (results?.totals.droppedIterations ?? 0)).toBe(200);
    expect(notifications).toHaveLength(1);
    expect(JSON.stringify(notifications[0])).toContain('passed');
  });

  it('retries a failed Monitor and Aggregate call instead of failing the run', async () => {
    const { output, results } = await execute(rate(100, '2s'), { failOnce: ['Monitor', 'Aggregate'] });
    expect(output.status).toBe('passed');
    expect(results?.workers).toMatchObject({ planned: 2, completed: 2, failed: 0 });
  });

  it('takes the Fargate branch for runs longer than a Lambda takes', async () => {
    const { output, results } = await execute(rate(100, '2s'), { runtime: 'fargate' });
    expect(output.status).toBe('passed');
    expect(results?.workers.completed).toBe(2);
  });

  it('a lost worker yields a degraded result naming its segment, not a failed or hung run', async () => {
    const { output, results } = await execute(rate(150, '2s'), { lostWorker: 1 });
    expect(output.status).toBe('degraded');
    expect(results?.workers.failures).toEqual([expect.objectContaining({ worker: 1, segment: '1/3:2/3' })]);
  });

  it('aborts every worker when an abortOnFail threshold fails across them', async () => {
    delayMs = 30;
    const started = Date.now();
    const { output, results } = await execute(
      rate(100, '60s', { thresholds: { http_req_duration: [{ threshold: 'p(95)<5', abortOnFail: true }] } }),
    );
    delayMs = 2;
    expect(output.status).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(results?.abortedBy?.[0]?.metric).toBe('http_req_duration');
  });

  it('a cancel stops the workers within 5 s and the run still stores what was measured', async () => {
    let asked = 0;
    const { output, results } = await execute(rate(100, '60s'), {
      during: async (testId) => {
        const until = Date.now() + 15_000;
        while (Date.now() < until && !((await tests.get(testId))?.live?.requests ?? 0))
          await new Promise((r) => setTimeout(r, 200));
        asked = Date.now();
        await tests.update(testId, { cancelRequested: true }, ['running']);
      },
    });
    expect(Date.now() - asked).toBeLessThan(8_000);
    expect(output.status).toBe('cancelled');
    expect(results?.totals.requests).toBeGreaterThan(0);
  });

  it('marks the test error when planning fails', async () => {
    const { output, testId } = await execute({ scenarios: 'not a definition' }).catch(async (err: Error) => {
      const id = `sfn-${seq}`;
      return { output: { status: 'thrown', message: err.message }, testId: id };
    });
    expect(output.status).toBe('thrown');
    expect((await tests.get(testId))?.status).toBe('error');
  });
});
