import { workerData } from 'node:worker_threads';
import { type LocalWorkerShared, localSegmentWorker } from '../../composition/local';
import { runSegmentWorker } from '../../core/run/segment-worker';
import type { PlanItem } from '../../ports/run-store';

/**
 * Worker-thread entry of the local fan-out: one segment worker, the same function a Lambda or
 * Fargate worker runs; its windows and report go to the run store. Translates only. A worker that
 * cannot run exits without a report: the run names its segment as lost, as on AWS.
 */
const job = workerData as { readonly shared: LocalWorkerShared; readonly item: PlanItem };
try {
  await runSegmentWorker(localSegmentWorker(job.shared), job.item);
} catch (err) {
  process.stderr.write(
    `worker ${job.item.worker} failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
}
