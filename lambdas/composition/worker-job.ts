import { systemClock } from '../adapters/node/clock';
import { createNodeTransport } from '../adapters/node/http-transport';
import { runWorker, type WorkerOutcome } from '../core/load/engine';
import { parseSegment } from '../core/load/segment';
import { addressGuard } from '../core/tests/target-policy';
import type { WindowSnapshot } from '../model/window';
import type { WorkerJob } from '../ports/workers';

/** Runs one job's segment on this thread with node sockets and the system clock (worker thread or Lambda). */
export function runWorkerJob(
  job: WorkerJob,
  onWindow: (w: WindowSnapshot) => void,
  stop: AbortSignal,
): Promise<WorkerOutcome> {
  const { definition } = job;
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
      maxResponseBodyBytes: definition.maxResponseBodyBytes,
      ...(job.targets ? { addressCheck: addressGuard(job.targets) } : {}),
    }),
    clock: systemClock,
    onWindow,
    stop,
  });
}
