import { Worker } from 'node:worker_threads';
import type { WorkerEvents, WorkerHandle, WorkerJob, WorkerPool } from '../../ports/workers';

/** Messages a worker thread posts to the coordinator. */
export type WorkerMessage =
  | { readonly type: 'window'; readonly window: Parameters<WorkerEvents['onWindow']>[0] }
  | { readonly type: 'done'; readonly startLagMs: number; readonly skippedIterations: number }
  | { readonly type: 'failed'; readonly message: string };

/** Runs each job in its own worker thread; a crashed thread is reported, never fatal to the run. */
export function createThreadPool(workerScript: URL | string): WorkerPool {
  return {
    start(job: WorkerJob, events: WorkerEvents): WorkerHandle {
      const thread = new Worker(workerScript, { workerData: job });
      let ended = false;
      const end = (outcome: () => void) => {
        if (ended) return;
        ended = true;
        outcome();
      };
      thread.on('message', (m: WorkerMessage) => {
        if (m.type === 'window') events.onWindow(m.window);
        else if (m.type === 'done')
          end(() => events.onDone({ startLagMs: m.startLagMs, skippedIterations: m.skippedIterations }));
        else end(() => events.onFailure(new Error(m.message)));
      });
      thread.on('error', (err) => end(() => events.onFailure(err)));
      thread.on('exit', (code) =>
        end(() =>
          events.onFailure(new Error(`worker ${job.worker} exited with code ${code} before finishing`)),
        ),
      );
      return {
        stop: () => {
          if (!ended) thread.postMessage({ type: 'stop' });
        },
        kill: () => {
          void thread.terminate();
        },
      };
    },
  };
}
