import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { createThreadFanout } from '../../lambdas/adapters/local/thread-fanout';
import { systemClock } from '../../lambdas/adapters/node/clock';
import type { LocalWorkerShared } from '../../lambdas/composition/local';
import type { PipelineDeps } from '../../lambdas/core/run/pipeline';
import { threadPlanner } from '../../lambdas/core/run/plan-run';
import type { FanoutRun, WorkerFanout } from '../../lambdas/ports/workers';
import { WORKER } from './processes';

/** The local pipeline on real adapters: file stores in `dataDir`, real worker threads (dist/worker.mjs). */
export function localPipeline(
  dataDir: string,
  workers: number,
  o: { readonly stopPollMs?: number; readonly fanout?: (threads: WorkerFanout) => WorkerFanout } = {},
): PipelineDeps {
  const threads = createThreadFanout<LocalWorkerShared>(WORKER, {
    dataDir,
    ...(o.stopPollMs === undefined ? {} : { stopPollMs: o.stopPollMs }),
  });
  return {
    tests: createFileTestStore(dataDir),
    runs: createFileRunStore(dataDir),
    clock: systemClock,
    planner: threadPlanner(() => workers),
    fanout: o.fanout ? o.fanout(threads) : threads,
  };
}

/**
 * A fan-out whose worker `k` is lost: never started (a failed launch), or its thread ended
 * `afterMs` after the run's common start.
 */
export function losingWorker(k: number, afterMs?: number) {
  return (threads: WorkerFanout): WorkerFanout => ({
    start(items): FanoutRun {
      const rest = threads.start(items.filter((i) => i.worker !== k));
      if (afterMs === undefined) return rest;
      const mine = items.filter((i) => i.worker === k);
      const doomed = threads.start(mine);
      const startAtMs = mine[0]?.startAtMs ?? Date.now();
      const timer = setTimeout(() => void doomed.close(0), Math.max(0, startAtMs + afterMs - Date.now()));
      return {
        ended: Promise.all([rest.ended, doomed.ended]).then(() => clearTimeout(timer)),
        close: async (graceMs) => {
          await Promise.all([rest.close(graceMs), doomed.close(graceMs)]);
        },
      };
    },
  });
}
