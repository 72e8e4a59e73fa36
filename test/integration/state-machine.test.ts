import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { processSampler } from '../../lambdas/adapters/node/resource-sampler';
import { runWorkerJob } from '../../lambdas/composition/worker-job';
import { fargateJob } from '../../lambdas/config/fargate';
import { aggregateStep, failRun } from '../../lambdas/core/run/aggregate';
import { type CapacityConfig, DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { type MonitorEvent, monitorStep } from '../../lambdas/core/run/monitor';
import { capacityPlanner, planRun } from '../../lambdas/core/run/plan-run';
import { runSegmentWorker, type SegmentJob } from '../../lambdas/core/run/segment-worker';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
import { stateMachineDefinition } from '../cdk/asl';
import { templateOf } from '../cdk/stack-fixture';
import { arrivalRate, putSpecIfValid } from '../helpers/definitions';
import { startHttp, type TestServer } from '../helpers/http-servers';

// Our synthesized state machine (the ASL `cdk synth` produces) executed by aws-local-stepfunctions,
// with the real plan / worker / monitor / aggregate code behind the task states, on local stores.
// Test-only changes to the ASL, because the emulator lacks these features:
// - it ignores ItemReader: both Maps read `$.items`, which the Plan task adds to its output;
// - it reads TimeoutSecondsPath from the task's Parameters, not its input: removed from FargateWorker;
// - it cannot run ECS `.sync`: FargateWorker is replaced by a stand-in that runs the same worker code.

const withResolvers = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22); Node 20 lacks it.
(Promise as unknown as { withResolvers?: unknown }).withResolvers ??= withResolvers;

type State = Record<string, unknown>;
function localDefinition(): Record<string, unknown> {
  const asl = stateMachineDefinition(templateOf()) as { States: Record<string, State> };
  const visit = (states: Record<string, State>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Map') {
        delete s.ItemReader;
        s.ItemsPath = '$.items';
        visit((s.ItemProcessor as { States: Record<string, State> }).States);
      }
      if (s.Type === 'Parallel')
        for (const b of s.Branches as { States: Record<string, State> }[]) visit(b.States);
      if (name === 'FargateWorker') delete s.TimeoutSecondsPath;
    }
  };
  visit(asl.States);
  return asl;
}

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

/** 50 req/s per worker, no cold start: a 100 req/s test is two workers. */
const capacity = (runtime: 'lambda' | 'fargate'): CapacityConfig => ({
  ...DEFAULT_CAPACITY,
  lambda: {
    ...DEFAULT_CAPACITY.lambda,
    maxRps: 50,
    coldStartMs: 0,
    maxRunMs: runtime === 'lambda' ? 3_600_000 : 1,
  },
  fargate: { ...DEFAULT_CAPACITY.fargate, maxRps: 50, startupMs: 0 },
});

interface Scenario {
  readonly runtime?: 'lambda' | 'fargate';
  readonly lostWorker?: number;
  readonly during?: (testId: string) => Promise<void>;
}

let seq = 0;
async function execute(testDefinition: Record<string, unknown>, o: Scenario = {}) {
  const testId = `sfn-${++seq}`;
  const now = new Date().toISOString();
  await tests.create({
    id: testId,
    name: testId,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    tags: {},
    definition: testDefinition,
  });
  await putSpecIfValid(runs, testId, testDefinition);
  const deps = { tests, runs, clock: systemClock };
  const notifications: unknown[] = [];
  const worker = async (item: SegmentJob) => {
    if (item.worker === o.lostWorker)
      throw Object.assign(new Error('Lambda timed out'), { name: 'States.Timeout' });
    return runSegmentWorker(
      {
        ...deps,
        resources: processSampler,
        runJob: runWorkerJob,
        stopPollMs: 250,
      },
      item,
    );
  };
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run({ testId } as never, {
    overrides: {
      taskResourceLocalHandlers: {
        Plan: async (input) => {
          const planned = await planRun(
            { ...deps, planner: capacityPlanner(capacity(o.runtime ?? 'lambda')) },
            (input as { testId: string }).testId,
          );
          const items = (await runs.planItems(testId)) ?? [];
          return {
            ...planned,
            itemsBucket: 'local',
            itemsKey: `runs/${testId}/plan/items.json`,
            items,
          } as never;
        },
        LambdaWorker: (item) => worker(item as unknown as SegmentJob) as never,
        // Stand-in for ecs:runTask.sync: reads the container overrides the state built, as the
        // container's entry point does (fargateJob), and runs the same worker code.
        FargateWorker: async (params) => {
          const overrides =
            (
              params as {
                Overrides: { ContainerOverrides: { Environment: { Name: string; Value: string }[] }[] };
              }
            ).Overrides.ContainerOverrides[0]?.Environment ?? [];
          await worker(fargateJob(Object.fromEntries(overrides.map((e) => [e.Name, e.Value]))));
          return { StopCode: 'EssentialContainerExited', Containers: [{ ExitCode: 0 }] } as never;
        },
        Monitor: (input) => monitorStep(deps, input as unknown as MonitorEvent, 60_000) as never,
        Aggregate: async (input) => {
          const {
            results: _r,
            name: _n,
            ...out
          } = await aggregateStep(deps, (input as { testId: string }).testId);
          return out as never;
        },
        Notify: (input) => {
          notifications.push(input);
          return { MessageId: 'local' } as never;
        },
        FailRun: (input) => {
          const { testId: id, error } = input as {
            testId: string;
            error?: { Error?: string; Cause?: string };
          };
          return failRun(deps, id, error) as never;
        },
      },
    },
  });
  if (o.during) await o.during(testId);
  const output = (await execution.result) as { status: string; message: string };
  return { testId, output, notifications, results: await tests.getResults(testId) };
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
