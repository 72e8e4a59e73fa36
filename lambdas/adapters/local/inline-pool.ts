import type { WindowSnapshot } from '../../core/stats/window';
import type { WorkerEvents, WorkerHandle, WorkerJob, WorkerPool } from '../../ports/workers';

export type RunJob = (
  job: WorkerJob,
  onWindow: (w: WindowSnapshot) => void,
  stop: AbortSignal,
) => Promise<{ readonly startLagMs: number; readonly skippedIterations: number }>;

/**
 * Runs jobs on this thread's event loop: for a Lambda runner, whose bundle is one file and whose
 * vCPU is better spent on the load than on a second isolate. `kill` can only stop listening.
 */
export function createInlinePool(run: RunJob): WorkerPool {
  return {
    start(job: WorkerJob, events: WorkerEvents): WorkerHandle {
      const stop = new AbortController();
      let ended = false;
      const end = (outcome: () => void) => {
        if (ended) return;
        ended = true;
        outcome();
      };
      run(job, (w) => !ended && events.onWindow(w), stop.signal).then(
        (o) => end(() => events.onDone({ startLagMs: o.startLagMs, skippedIterations: o.skippedIterations })),
        (err: unknown) => end(() => events.onFailure(err instanceof Error ? err : new Error(String(err)))),
      );
      return {
        stop: () => stop.abort(),
        kill: () => {
          stop.abort();
          end(() => events.onFailure(new Error(`worker ${job.worker} was killed`)));
        },
      };
    },
  };
}
