import { createBackgroundLauncher } from '../adapters/local/background-launcher';
import { createFileTestStore } from '../adapters/local/file-test-store';
import { createThreadPool } from '../adapters/local/thread-pool';
import { systemClock } from '../adapters/node/clock';
import { systemResolver } from '../adapters/node/dns-resolver';
import { createNodeTransport } from '../adapters/node/http-transport';
import { newTestId } from '../adapters/node/ids';
import type { LocalConfig } from '../config/env';
import { runWorker, type WorkerOutcome } from '../core/load/engine';
import { parseSegment } from '../core/load/segment';
import { parseTestDefinition } from '../core/load/validate';
import { executeTest, recoverInterrupted } from '../core/platform/execute-test';
import { addressGuard } from '../core/platform/target-policy';
import type { PlatformDeps } from '../core/platform/tests';
import type { WindowSnapshot } from '../core/stats/window';
import type { Clock } from '../ports/clock';
import type { Log } from '../ports/log';
import type { WorkerJob, WorkerPool } from '../ports/workers';

/** Local mode wiring: node sockets, the system clock, worker threads. The only place adapters are picked. */

export const localClock: Clock = systemClock;

export function localWorkerPool(workerScript: URL | string): WorkerPool {
  return createThreadPool(workerScript);
}

/** Runs one job's segment in this thread with the local adapters. */
export function runLocalJob(
  job: WorkerJob,
  onWindow: (w: WindowSnapshot) => void,
  stop: AbortSignal,
): Promise<WorkerOutcome> {
  const { definition } = parseTestDefinition(job.definition);
  const segment = parseSegment(job.segment);
  if (!segment) throw new Error(`invalid execution segment ${JSON.stringify(job.segment)}`);
  return runWorker({
    definition,
    segment,
    worker: job.worker,
    startAtMs: job.startAtMs,
    transport: createNodeTransport({
      connectTimeoutMs: definition.connectTimeout,
      insecureSkipTLSVerify: definition.insecureSkipTLSVerify,
      ...(job.targets ? { addressCheck: addressGuard(job.targets) } : {}),
    }),
    clock: systemClock,
    onWindow,
    stop,
  });
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
  };
  return { platform, launcher, recover: () => recoverInterrupted(store, systemClock) };
}
