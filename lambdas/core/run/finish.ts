import type { LiveStatus } from '../../model/live';
import type { TestResults } from '../../model/results';
import type { TargetPolicy } from '../../model/target-policy';
import type { Clock } from '../../ports/clock';
import type { TestRecord, TestStore } from '../../ports/test-store';
import type { WorkerPool } from '../../ports/workers';
import { parseTestDefinition } from '../load/validate';
import { compareResults } from '../tests/compare';
import { ACTIVE_STATUSES } from '../tests/test-service';
import { runTest } from './live';

/** Running a stored test to its end: the work behind a launcher (worker threads, a Lambda runner). */

export interface ExecuteDeps {
  readonly store: TestStore;
  readonly clock: Clock;
  readonly pool: WorkerPool;
  /** Workers (segments) the test is split over. */
  readonly workers: number;
  /** Checked again by workers on every connection (DNS rebinding). */
  readonly targets: TargetPolicy;
  /** How often the stop flag in the store is read (default 1 s). */
  readonly cancelPollMs?: number;
}

const iso = (clock: Clock) => new Date(clock.now()).toISOString();
/** Abort reason meaning "the platform is going down": the test ends `interrupted`, not `cancelled`. */
export const INTERRUPT = 'shutdown';

/**
 * Runs the test `id` if it is still queued: marks it running, keeps its live figures in the store,
 * stops when `stop` aborts or the stored cancel flag is set, then finishes it. Never throws: a run
 * that fails ends as `error` with the reason.
 */
export async function executeTest(
  deps: ExecuteDeps,
  id: string,
  stop?: AbortSignal,
): Promise<TestRecord | undefined> {
  const { store, clock } = deps;
  const queued = await store.get(id);
  if (queued?.status !== 'queued') return queued;
  if (queued.cancelRequested || stop?.aborted)
    return store.update(id, { status: 'cancelled', updatedAt: iso(clock), endedAt: iso(clock) }, ['queued']);
  const record = await store.update(id, { status: 'running', startedAt: iso(clock), updatedAt: iso(clock) }, [
    'queued',
  ]);
  if (!record) return store.get(id);

  const cancel = new AbortController();
  const onStop = () => cancel.abort();
  stop?.addEventListener('abort', onStop, { once: true });
  if (stop?.aborted) cancel.abort(); // aborted while the record was being marked running
  const poll = setInterval(() => {
    store.get(id).then(
      (now) => {
        if (now?.cancelRequested) cancel.abort();
      },
      () => {},
    );
  }, deps.cancelPollMs ?? 1_000);
  let writing = false;
  const saveLive = (live: LiveStatus) => {
    if (writing) return; // the store is slower than a second: skip, the next figures supersede
    writing = true;
    store
      .update(id, { live, updatedAt: iso(clock) }, ['running'])
      .catch(() => {})
      .finally(() => {
        writing = false;
      });
  };
  try {
    const test = parseTestDefinition(record.definition);
    const results = await runTest({
      input: record.definition,
      test,
      workers: deps.workers,
      pool: deps.pool,
      clock,
      stop: cancel.signal,
      stopStatus: 'cancelled',
      targets: deps.targets,
      onProgress: saveLive,
    });
    // A stop that is not a user's cancel (the server shutting down) leaves the test interrupted.
    const interrupted = results.status === 'cancelled' && stop?.aborted && stop.reason === INTERRUPT;
    return await finishTest(
      store,
      clock,
      record,
      interrupted ? { ...results, status: 'interrupted' } : results,
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return store.update(
      id,
      {
        status: 'error',
        updatedAt: iso(clock),
        endedAt: iso(clock),
        error: { code: 'E_RUN_FAILED', message },
      },
      ['running'],
    );
  } finally {
    clearInterval(poll);
    stop?.removeEventListener('abort', onStop);
  }
}

/**
 * Compares with the baseline (a `regression: fail` test fails on a regression, shown as a
 * "regression" threshold), stores the results, then the final status and headline figures.
 */
export async function finishTest(
  store: TestStore,
  clock: Clock,
  record: TestRecord,
  measured: TestResults,
): Promise<TestRecord | undefined> {
  let results = measured;
  // A comparison that cannot be made (baseline unreadable) must not cost the run its results.
  try {
    const baseline = record.baselineId ? await store.getResults(record.baselineId) : undefined;
    if (record.baselineId && baseline) {
      const comparison = compareResults(record.baselineId, baseline, measured);
      const { definition } = parseTestDefinition(record.definition);
      results = { ...results, comparison };
      if (definition.regression === 'fail') {
        const ok = comparison.regressions === 0;
        results = {
          ...results,
          thresholds: [
            ...results.thresholds,
            {
              metric: 'regression',
              expression: 'regression: fail',
              ok,
              value: comparison.regressions,
              abortOnFail: false,
            },
          ],
          status: !ok && results.status === 'passed' ? 'failed' : results.status,
        };
      }
    } else if (record.baselineId)
      results = { ...results, comparisonError: `baseline ${record.baselineId} has no results` };
  } catch (err) {
    results = {
      ...measured,
      comparisonError: `comparison with ${record.baselineId} failed: ${(err as Error).message}`,
    };
  }
  await store.putResults(record.id, results);
  return store.update(
    record.id,
    {
      status: results.status,
      updatedAt: iso(clock),
      endedAt: results.endedAt,
      summary: {
        requests: results.totals.requests,
        errorRate: results.totals.errorRate,
        rps: results.totals.rps,
        p95Ms: results.latencyMs.p95,
        thresholdsFailed: results.thresholds.filter((t) => !t.ok).length,
        regressions: results.comparison?.regressions ?? 0,
      },
    },
    ACTIVE_STATUSES,
  );
}

/** After a crash or restart: every test left queued or running is marked `interrupted`. */
export async function recoverInterrupted(store: TestStore, clock: Clock): Promise<readonly string[]> {
  const stranded = await store.listByStatus(ACTIVE_STATUSES);
  const marked: string[] = [];
  for (const t of stranded) {
    const done = await store.update(
      t.id,
      {
        status: 'interrupted',
        updatedAt: iso(clock),
        endedAt: iso(clock),
        error: {
          code: 'E_INTERRUPTED',
          message: 'the platform stopped while this test was queued or running',
        },
      },
      ACTIVE_STATUSES,
    );
    if (done) marked.push(t.id);
  }
  return marked;
}
