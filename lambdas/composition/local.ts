import { createBackgroundLauncher } from '../adapters/local/background-launcher';
import { createFileTestStore } from '../adapters/local/file-test-store';
import { createThreadPool } from '../adapters/local/thread-pool';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { newTestId } from '../adapters/node/ids';
import type { LocalConfig } from '../config/env';
import { DEFAULT_CAPACITY } from '../core/platform/capacity';
import { executeTest, recoverInterrupted } from '../core/platform/execute-test';
import type { PlatformDeps } from '../core/platform/tests';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WorkerPool } from '../ports/workers';

export { runWorkerJob as runLocalJob } from './worker-job';

/** Local mode wiring: node sockets, the system clock, worker threads. The only place adapters are picked. */

export const localClock: Clock = systemClock;

export function localWorkerPool(workerScript: URL | string): WorkerPool {
  return createThreadPool(workerScript);
}

/** The whole local platform (`npm start`): file store, in-process launcher over worker threads. */
export function localPlatform(config: LocalConfig, workerScript: URL | string, log: Log) {
  const store = createFileTestStore(config.dataDir);
  const pool = localWorkerPool(workerScript);
  const execute = (id: string, stop: AbortSignal) =>
    executeTest(
      { store, clock: systemClock, pool, workers: config.workers, targets: config.policy.targets },
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
