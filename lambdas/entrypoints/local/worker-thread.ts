import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../../adapters/local/thread-pool';
import { runLocalJob } from '../../composition/local';
import type { WorkerJob } from '../../ports/workers';

/** Worker-thread entry: runs one segment and posts windows back; translates only. */
const port = parentPort;
if (!port) throw new Error('worker-thread must run as a worker thread');
const post = (m: WorkerMessage) => port.postMessage(m);
const stop = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'stop') stop.abort();
});
runLocalJob(workerData as WorkerJob, (window) => post({ type: 'window', window }), stop.signal).then(
  (outcome) => {
    post({ type: 'done', startLagMs: outcome.startLagMs, skippedIterations: outcome.skippedIterations });
    port.close();
  },
  (err: unknown) => {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    port.close();
  },
);
