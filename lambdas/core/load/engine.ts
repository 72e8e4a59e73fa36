import type { TestDefinition } from '../../model/definition';
import type { WindowSnapshot } from '../../model/window';
import type { Clock } from '../../ports/clock';
import type { HttpTransport } from '../../ports/http';
import { WindowRecorder } from '../stats/recorder';
import { scheduleFor } from './executors';
import { compileScenario } from './iteration';
import { runClosed } from './run-closed';
import { runOpen } from './run-open';
import type { ExecutionSegment } from './segment';

export interface WorkerRun {
  readonly definition: TestDefinition;
  readonly segment: ExecutionSegment;
  readonly worker: number;
  /** The common start instant (epoch ms) of every worker; workers wait for it. */
  readonly startAtMs: number;
  readonly transport: HttpTransport;
  readonly clock: Clock;
  /** Receives each closed 1-second window. */
  readonly onWindow: (window: WindowSnapshot) => void;
  /** Aborting stops every scenario at once; results so far are still emitted. */
  readonly stop: AbortSignal;
}

export interface WorkerOutcome {
  /** ms this worker started after the common start (0 when on time). */
  readonly startLagMs: number;
  /** Open-model arrivals planned before a late start, skipped rather than fired in a burst. */
  readonly skippedIterations: number;
}

/**
 * A worker up to this late fires its overdue arrivals at once (a scheduling hiccup). Later than
 * that it skips the part it missed: a burst of overdue requests would be charged to the target as
 * latency (they count from their planned instants) and would hit it harder than the test says.
 */
export const LATE_START_TOLERANCE_MS = 100;

/** VU ids are unique per worker and scenario: worker-major blocks, so ids never collide across workers. */
const VU_ID_BLOCK = 1_000_000;

/** Runs one worker's segment of a test: every scenario at its startTime, windows emitted each second. */
export async function runWorker(run: WorkerRun): Promise<WorkerOutcome> {
  const { definition, segment, clock, stop } = run;
  const recorder = new WindowRecorder(run.startAtMs, run.worker, run.onWindow);
  await clock.sleep(run.startAtMs - clock.now(), stop);
  const startLagMs = Math.max(0, clock.now() - run.startAtMs);
  const skipBeforeMs = startLagMs > LATE_START_TOLERANCE_MS ? clock.now() : Number.NEGATIVE_INFINITY;
  let skippedIterations = 0;

  const finished = new AbortController();
  const flushing = (async () => {
    while (!finished.signal.aborted) {
      const now = clock.now();
      const next = run.startAtMs + (Math.floor((now - run.startAtMs) / 1_000) + 1) * 1_000;
      await clock.sleep(next - now + 1, finished.signal);
      recorder.flush(clock.now());
    }
  })();

  const scenarios = Object.entries(definition.scenarios).map(async ([name, config], s) => {
    const ctx = compileScenario(
      name,
      config,
      { baseUrl: definition.baseUrl, timeoutMs: definition.timeout },
      { clock, recorder, transport: run.transport },
    );
    const startMs = run.startAtMs + config.startTime;
    await clock.sleep(startMs - clock.now(), stop);
    if (stop.aborted) return;
    const schedule = scheduleFor(config, segment);
    const idBase = run.worker * VU_ID_BLOCK * 16 + s * VU_ID_BLOCK + 1;
    if (schedule.model === 'open')
      skippedIterations += await runOpen(schedule, ctx, startMs, idBase, stop, skipBeforeMs);
    else await runClosed(schedule, ctx, startMs, idBase, stop);
  });
  try {
    await Promise.all(scenarios);
  } finally {
    finished.abort();
    await flushing;
    recorder.flush(clock.now(), true);
  }
  return { startLagMs, skippedIterations };
}
