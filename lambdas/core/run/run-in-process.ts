import type { ValidDefinition } from '../../model/definition';
import { ThroughlineError } from '../../model/errors';
import type { LiveStatus } from '../../model/live';
import type { TestResults } from '../../model/results';
import { every } from '../timing';
import { type PipelineDeps, runPipeline } from './pipeline';

/**
 * `throughline run` on this machine: the test goes through the same pipeline as a platform run
 * (stored as queued, planned, fanned out to worker threads, monitored, aggregated), on a store of
 * its own. The progress display reads the live figures the monitor stores, the ones the API serves.
 */

export interface InProcessRun {
  /** The definition as written (kept on the record, as the API keeps it). */
  readonly input: unknown;
  readonly test: ValidDefinition;
  /** Aborting stops the run as `interrupted` (Ctrl-C); results so far are kept. */
  readonly interrupt?: AbortSignal;
  readonly onLive?: (live: LiveStatus) => void;
}

export interface InProcessDeps extends PipelineDeps {
  readonly newId: () => string;
}

/** The run ended without results (it failed before any worker ran). */
export class RunFailedError extends ThroughlineError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'RunFailedError';
  }
}

export async function runInProcess(deps: InProcessDeps, run: InProcessRun): Promise<TestResults> {
  const { tests, runs, clock } = deps;
  const at = new Date(clock.now()).toISOString();
  const id = deps.newId();
  await tests.create({
    id,
    name: run.test.definition.name,
    status: 'queued',
    createdAt: at,
    updatedAt: at,
    tags: run.test.definition.tags ?? {},
    definition: run.input,
  });
  // The CLI's own runs go wherever its user points them: no allow-list (DESIGN.md §3).
  await runs.putSpec({ testId: id, test: run.test });
  const interrupt = () => {
    void tests.update(
      id,
      { cancelRequested: true, interruptRequested: true, updatedAt: new Date(clock.now()).toISOString() },
      ['queued', 'running'],
    );
  };
  run.interrupt?.addEventListener('abort', interrupt, { once: true });
  if (run.interrupt?.aborted) interrupt();
  const stopLive = every(clock, 1_000, () => {
    tests.get(id).then(
      (r) => {
        if (r?.status === 'running' && r.live) run.onLive?.(r.live);
      },
      () => {},
    );
  });
  try {
    const ended = await runPipeline(deps, id);
    const results = await tests.getResults(id);
    if (!results)
      throw new RunFailedError(
        ended?.error?.code ?? 'E_RUN_FAILED',
        ended?.error?.message ?? `the run ended ${ended?.status ?? 'without a status'} and no results`,
      );
    return results;
  } finally {
    stopLive();
    run.interrupt?.removeEventListener('abort', interrupt);
  }
}
