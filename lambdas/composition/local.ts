import { createBackgroundLauncher } from '../adapters/local/background-launcher';
import { createFileScalingJournal } from '../adapters/local/file-scaling-journal';
import { createFileTestStore } from '../adapters/local/file-test-store';
import { createLocalWorkerScaling, LOCAL_WORKERS } from '../adapters/local/local-worker-scaling';
import { startProcessMetrics } from '../adapters/local/process-metrics';
import { createThreadPool } from '../adapters/local/thread-pool';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import type { LocalConfig } from '../config/local';
import { createLocalAlarms } from '../core/observability/local-alarms';
import { createMetricsReader } from '../core/observability/metrics';
import { DEFAULT_CAPACITY } from '../core/platform/capacity';
import { executeTest, recoverInterrupted } from '../core/platform/execute-test';
import type { PlatformDeps } from '../core/platform/tests';
import type { ScalingDeps } from '../core/scaling/scaling';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WorkerPool } from '../ports/workers';

export { runWorkerJob as runLocalJob } from './worker-job';

/** Local mode wiring: node sockets, the system clock, worker threads. The only place adapters are picked. */

export const localClock: Clock = systemClock;

export function localWorkerPool(workerScript: URL | string): WorkerPool {
  return createThreadPool(workerScript);
}

/**
 * The whole local platform (`npm start`): file store, in-process launcher over worker threads.
 * `workers` is read as each test starts: the scaling API can change it between tests.
 */
export function localPlatform(
  config: LocalConfig,
  workerScript: URL | string,
  log: Log,
  workers: () => number = () => config.workers,
) {
  const store = createFileTestStore(config.dataDir);
  const pool = localWorkerPool(workerScript);
  const execute = (id: string, stop: AbortSignal) =>
    executeTest(
      { store, clock: systemClock, pool, workers: workers(), targets: config.policy.targets },
      id,
      stop,
    );
  const launcher = createBackgroundLauncher(execute, (id, err) =>
    log.error('test run failed', { id, error: err instanceof Error ? err.stack : String(err) }),
  );
  const platform: PlatformDeps = {
    store,
    launcher,
    resolver: systemResolver,
    clock: systemClock,
    newId: newTestId,
    policy: config.policy,
    capacity: DEFAULT_CAPACITY,
  };
  return { platform, launcher, recover: () => recoverInterrupted(store, systemClock) };
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
  });
  const scaling: ScalingDeps = {
    backend: workerScaling,
    journal: createFileScalingJournal(config.dataDir),
    targets: [LOCAL_WORKERS],
    clock: systemClock,
    newId: newTestId,
    // Local mode has no topic: a manual change is announced in the server's log.
    notifier: {
      publish: async (subject, message) => log.info(subject, { message }),
    },
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
