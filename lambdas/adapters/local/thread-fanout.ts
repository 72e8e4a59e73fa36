import { Worker } from 'node:worker_threads';
import type { PlanItem } from '../../ports/run-store';
import type { FanoutRun, WorkerFanout } from '../../ports/workers';

/**
 * The local fan-out: one worker thread per plan item, each running the segment worker against the
 * same data folder (its windows and report go to the file run store, its stop flag is the test
 * record). A thread that dies is simply a worker that never reports, as a lost Lambda is.
 */

/** What a worker thread receives: its item, plus what every thread of this fan-out shares. */
export interface ThreadJob<Shared> {
  readonly shared: Shared;
  readonly item: PlanItem;
}

export function createThreadFanout<Shared>(workerScript: URL | string, shared: Shared): WorkerFanout {
  return {
    start(items): FanoutRun {
      const threads = items.map((item) => {
        const thread = new Worker(workerScript, { workerData: { shared, item } satisfies ThreadJob<Shared> });
        const exited = new Promise<void>((resolve) => {
          thread.once('exit', () => resolve());
          // An uncaught error ends the thread (then 'exit'); it is a lost worker, not a crash of the run.
          thread.on('error', () => {});
        });
        return { thread, exited };
      });
      const ended = Promise.all(threads.map((t) => t.exited)).then(() => {});
      return {
        ended,
        async close(graceMs) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const grace = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          });
          await Promise.race([ended, grace]);
          clearTimeout(timer);
          await Promise.all(threads.map((t) => t.thread.terminate()));
          await ended;
        },
      };
    },
  };
}
