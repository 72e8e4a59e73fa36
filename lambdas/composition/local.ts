import { createThreadPool } from '../adapters/local/thread-pool';
import { systemClock } from '../adapters/node/clock';
import { createNodeTransport } from '../adapters/node/http-transport';
import { runWorker, type WorkerOutcome } from '../core/load/engine';
import { parseSegment } from '../core/load/segment';
import { parseTestDefinition } from '../core/load/validate';
import type { WindowSnapshot } from '../core/stats/window';
import type { Clock } from '../ports/clock';
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
    }),
    clock: systemClock,
    onWindow,
    stop,
  });
}
