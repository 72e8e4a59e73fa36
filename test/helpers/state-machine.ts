import { StateMachine } from 'aws-local-stepfunctions';
import { processSampler } from '../../lambdas/adapters/node/resource-sampler';
import { runWorkerJob } from '../../lambdas/composition/worker-job';
import { fargateJob } from '../../lambdas/config/fargate';
import { aggregateStep, failRun } from '../../lambdas/core/run/aggregate';
import { type CapacityConfig, DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { type MonitorEvent, monitorStep } from '../../lambdas/core/run/monitor';
import { capacityPlanner, planRun } from '../../lambdas/core/run/plan-run';
import { runSegmentWorker, type SegmentJob } from '../../lambdas/core/run/segment-worker';
import type { Clock } from '../../lambdas/ports/clock';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
import { stateMachineDefinition } from '../cdk/asl';
import { templateOf } from '../cdk/stack-fixture';

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
export function localDefinition(): Record<string, unknown> {
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

/** 50 req/s per worker, no cold start: a 100 req/s test is two workers. */
export const sfnCapacity = (
  runtime: 'lambda' | 'fargate',
  perWorker: Partial<CapacityConfig['lambda']> = {},
): CapacityConfig => ({
  ...DEFAULT_CAPACITY,
  lambda: {
    ...DEFAULT_CAPACITY.lambda,
    maxRps: 50,
    coldStartMs: 0,
    maxRunMs: runtime === 'lambda' ? 3_600_000 : 1,
    ...perWorker,
  },
  fargate: { ...DEFAULT_CAPACITY.fargate, maxRps: 50, startupMs: 0, ...perWorker },
});

export interface SfnRun {
  readonly tests: TestStore;
  readonly runs: RunStore;
  readonly clock: Clock;
  /** The ASL to execute (localDefinition()). */
  readonly definition: Record<string, unknown>;
  readonly capacity: CapacityConfig;
  /** This worker's Lambda "times out": the Map's catch makes it lost. */
  readonly lostWorker?: number;
  /** Runs while the execution goes (e.g. a cancel). */
  readonly during?: (testId: string) => Promise<void>;
  /** The first call of each of these tasks fails (a throttled store call), as a Lambda error would. */
  readonly failOnce?: readonly ('Monitor' | 'Aggregate')[];
}

/** Executes the state machine for the stored, queued test `testId`; resolves with its output and notifications. */
export async function executeStateMachine(o: SfnRun, testId: string) {
  const { tests, runs } = o;
  const deps = { tests, runs, clock: o.clock };
  const notifications: unknown[] = [];
  const failed = new Set<string>();
  const failFirst = (task: 'Monitor' | 'Aggregate') => {
    if (!o.failOnce?.includes(task) || failed.has(task)) return;
    failed.add(task);
    throw Object.assign(new Error('Rate exceeded'), { name: 'States.TaskFailed' });
  };
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
  const machine = new StateMachine(o.definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run({ testId } as never, {
    overrides: {
      taskResourceLocalHandlers: {
        Plan: async (input) => {
          const planned = await planRun(
            { ...deps, planner: capacityPlanner(o.capacity) },
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
        Monitor: async (input) => {
          failFirst('Monitor');
          return monitorStep(deps, input as unknown as MonitorEvent, 60_000) as never;
        },
        Aggregate: async (input) => {
          failFirst('Aggregate');
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
