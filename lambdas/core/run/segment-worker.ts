import type { WindowSnapshot } from '../../model/window';
import type { Clock } from '../../ports/clock';
import type { ResourceSampler } from '../../ports/resources';
import type { RunStore, WorkerReport } from '../../ports/run-store';
import type { TestStore } from '../../ports/test-store';
import type { WorkerJob } from '../../ports/workers';
import type { WorkerOutcome } from '../load/engine';
import { every } from '../timing';

/**
 * One worker of a distributed run (a Lambda invocation or a Fargate task): waits for the common
 * start, runs its segment, writes each 1-second window to the run store as it closes, stops within
 * a second of the stop flag (cancel, or a threshold abort decided by the monitor), and ends with
 * a report of how it went, including its resource use so results can flag a saturated worker.
 */

export interface SegmentJob {
  readonly testId: string;
  readonly segment: string;
  readonly worker: number;
  readonly startAtMs: number;
}

export interface SegmentWorkerDeps {
  /** Only read: the stop flag. */
  readonly tests: Pick<TestStore, 'get'>;
  readonly runs: Pick<RunStore, 'spec' | 'putWindow' | 'putWorkerReport'>;
  readonly clock: Clock;
  readonly resources: ResourceSampler;
  /** Runs one segment with the node adapters (composition's runWorkerJob). */
  readonly runJob: (
    job: WorkerJob,
    onWindow: (w: WindowSnapshot) => void,
    stop: AbortSignal,
  ) => Promise<WorkerOutcome>;
  /** How often the stop flag is read (default 1 s). */
  readonly stopPollMs?: number;
}

const WRITE_ATTEMPTS = 3;

export async function runSegmentWorker(deps: SegmentWorkerDeps, job: SegmentJob): Promise<WorkerReport> {
  const { tests, runs, clock } = deps;
  const [record, spec] = await Promise.all([tests.get(job.testId), runs.spec(job.testId)]);
  if (!record) throw new Error(`test ${job.testId} does not exist`);
  if (!spec) throw new Error(`test ${job.testId} has no validated spec in the run store`);
  const stop = new AbortController();
  const shouldStop = (r: typeof record | undefined) =>
    !r || r.cancelRequested === true || r.status !== 'running';
  if (shouldStop(record)) stop.abort();
  const stopPolling = every(clock, deps.stopPollMs ?? 1_000, () => {
    tests.get(job.testId).then(
      (now) => {
        if (shouldStop(now)) stop.abort();
      },
      () => {},
    );
  });

  // Windows are written one at a time, in order; a failed write is retried, then reported.
  let writes: Promise<void> = Promise.resolve();
  let written = 0;
  let writeError: string | undefined;
  const onWindow = (w: WindowSnapshot) => {
    writes = writes.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await runs.putWindow(job.testId, w);
          written++;
          return;
        } catch (err) {
          if (attempt >= WRITE_ATTEMPTS) {
            writeError ??= `window ${w.index} not stored: ${(err as Error).message}`;
            return;
          }
          await clock.sleep(100 * 2 ** attempt);
        }
      }
    });
  };

  const stopSampling = deps.resources.start();
  let outcome: WorkerOutcome | undefined;
  let error: string | undefined;
  try {
    outcome = await deps.runJob(
      {
        definition: spec.test.definition,
        segment: job.segment,
        worker: job.worker,
        startAtMs: job.startAtMs,
        ...(spec.targets ? { targets: spec.targets } : {}),
      },
      onWindow,
      stop.signal,
    );
  } catch (err) {
    error = (err as Error).message;
  } finally {
    stopPolling();
  }
  const resources = stopSampling();
  await writes;
  error ??= writeError;
  const report: WorkerReport = {
    worker: job.worker,
    segment: job.segment,
    outcome: error ? 'failed' : 'completed',
    startLagMs: Math.round(outcome?.startLagMs ?? 0),
    skippedIterations: outcome?.skippedIterations ?? 0,
    windows: written,
    resources,
    ...(error ? { error } : {}),
  };
  await runs.putWorkerReport(job.testId, report);
  return report;
}
