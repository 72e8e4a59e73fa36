import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from '../adapters/local/data-dir-lock';
import { createFileRunStore } from '../adapters/local/file-run-store';
import { createFileScalingJournal } from '../adapters/local/file-scaling-journal';
import { createFileTestStore } from '../adapters/local/file-test-store';
import type { LocalFileOptions } from '../adapters/local/json-file';
import { createLocalLauncher } from '../adapters/local/local-launcher';
import { createLocalWorkerScaling, LOCAL_WORKERS } from '../adapters/local/local-worker-scaling';
import { createLogNotifier } from '../adapters/local/log-notifier';
import { startProcessMetrics } from '../adapters/local/process-metrics';
import { createThreadFanout } from '../adapters/local/thread-fanout';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import { threadSampler } from '../adapters/node/resource-sampler';
import type { LocalConfig } from '../config/local';
import { createLocalAlarms } from '../core/observability/local-alarms';
import { createMetricsReader } from '../core/observability/metrics';
import { DEFAULT_CAPACITY } from '../core/run/capacity';
import { recoverInterrupted } from '../core/run/finish';
import { type PipelineDeps, runPipeline } from '../core/run/pipeline';
import { threadPlanner } from '../core/run/plan-run';
import { type InProcessRun, runInProcess } from '../core/run/run-in-process';
import type { SegmentWorkerDeps } from '../core/run/segment-worker';
import type { ScalingDeps } from '../core/scaling/scaling';
import type { PlatformDeps } from '../core/tests/test-service';
import type { TestResults } from '../model/results';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import { runWorkerJob } from './worker-job';

/**
 * Local mode wiring, the only place its adapters are picked: the run pipeline with file stores
 * in a data folder, worker threads as the fan-out, node sockets and the system clock.
 */

export const localClock: Clock = systemClock;

/** One server per data folder (the file store keeps an index in memory): resolves with the release. */
export const lockLocalDataDir = (dataDir: string): Promise<() => Promise<void>> => lockDataDir(dataDir);

/** What every worker thread of a local run shares: the data folder its stores live in. */
export interface LocalWorkerShared {
  readonly dataDir: string;
  /** How often workers read the stop flag (default 1 s). */
  readonly stopPollMs?: number;
}

/** The segment worker's ports inside a worker thread (entrypoints/local/worker-thread.ts). */
export function localSegmentWorker(shared: LocalWorkerShared): SegmentWorkerDeps {
  return {
    tests: createFileTestStore(shared.dataDir),
    runs: createFileRunStore(shared.dataDir),
    clock: systemClock,
    resources: threadSampler,
    runJob: runWorkerJob,
    ...(shared.stopPollMs === undefined ? {} : { stopPollMs: shared.stopPollMs }),
  };
}

/** Damaged data files are quarantined by the stores; the server's log says which and where. */
const logCorrupt = (log: Log): LocalFileOptions => ({
  onCorrupt: ({ file, movedTo, error }) =>
    log.error('a damaged data file was moved to quarantine', { file, movedTo, error }),
});

function pipelineDeps(
  dataDir: string,
  workerScript: URL | string,
  workers: () => number,
  files: LocalFileOptions = {},
): PipelineDeps {
  return {
    tests: createFileTestStore(dataDir, files),
    runs: createFileRunStore(dataDir, files),
    clock: systemClock,
    planner: threadPlanner(workers),
    fanout: createThreadFanout<LocalWorkerShared>(workerScript, { dataDir }),
  };
}

/**
 * The whole local platform (`npm start`): the API's use cases over the data folder, and a
 * launcher that runs each test through the pipeline. `workers` is read as each test is planned:
 * the scaling API can change it between tests.
 */
export function localPlatform(
  config: LocalConfig,
  workerScript: URL | string,
  log: Log,
  workers: () => number = () => config.workers,
) {
  const deps = pipelineDeps(config.dataDir, workerScript, workers, logCorrupt(log));
  const launcher = createLocalLauncher(
    (id) => runPipeline(deps, id),
    deps.tests,
    () => new Date(systemClock.now()).toISOString(),
    (id, err) => log.error('test run failed', { id, error: err instanceof Error ? err.stack : String(err) }),
  );
  const platform: PlatformDeps = {
    store: deps.tests,
    runs: deps.runs,
    launcher,
    resolver: systemResolver,
    clock: systemClock,
    newId: newTestId,
    policy: config.policy,
    capacity: DEFAULT_CAPACITY,
  };
  return { platform, launcher, recover: () => recoverInterrupted(deps.tests, systemClock) };
}

/**
 * `throughline run`: one test through the pipeline on a data folder of its own (a temporary
 * one, removed afterwards), over `workers` threads.
 */
export async function runLocally(
  workerScript: URL | string,
  workers: number,
  run: InProcessRun,
): Promise<TestResults> {
  const dataDir = await mkdtemp(join(tmpdir(), 'throughline-run-'));
  try {
    return await runInProcess(
      { ...pipelineDeps(dataDir, workerScript, () => workers), newId: newTestId },
      run,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Local metrics (this process and machine, sampled each second), alarms over them, and the worker
 * pool as the scalable target. `stop` ends the sampling.
 */
export async function localOperations(config: LocalConfig, log: Log) {
  const sampled = startProcessMetrics();
  const workerScaling = await createLocalWorkerScaling({
    dataDir: config.dataDir,
    initialCapacity: config.workers,
    now: () => systemClock.now(),
    newId: newTestId,
    ...logCorrupt(log),
  });
  const scaling: ScalingDeps = {
    backend: workerScaling,
    journal: createFileScalingJournal(config.dataDir),
    targets: [LOCAL_WORKERS],
    clock: systemClock,
    newId: newTestId,
    // Local mode has no topic: a manual change is announced in the server's log.
    notifier: createLogNotifier(log),
    log,
  };
  return {
    metrics: createMetricsReader({ provider: sampled.provider, clock: systemClock, cacheTtlMs: 0 }),
    alarms: createLocalAlarms(sampled.provider, systemClock),
    scaling,
    workers: () => workerScaling.capacity(),
    stop: () => sampled.stop(),
  };
}
