import type { ValidDefinition } from '../../model/definition';
import type { TestResults } from '../../model/results';
import type { Clock } from '../../ports/clock';
import type { TestRecord, TestStore } from '../../ports/test-store';
import { compareResults } from '../tests/compare';
import { ACTIVE_STATUSES, interruptedRun, withRegressionVerdict } from './verdict';

const iso = (clock: Clock) => new Date(clock.now()).toISOString();

/**
 * Compares with the baseline (a `regression: fail` test fails on a regression, shown as a
 * "regression" threshold), stores the results, then the final status and headline figures.
 */
export async function finishTest(
  store: TestStore,
  clock: Clock,
  record: TestRecord,
  test: ValidDefinition,
  measured: TestResults,
): Promise<TestRecord | undefined> {
  let results = measured;
  // A comparison that cannot be made (baseline unreadable) must not cost the run its results.
  try {
    const baseline = record.baselineId ? await store.getResults(record.baselineId) : undefined;
    if (record.baselineId && baseline) {
      const comparison = compareResults(record.baselineId, baseline, measured);
      results = { ...results, comparison };
      if (test.definition.regression === 'fail') {
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
          status: withRegressionVerdict(results.status, ok),
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
      interruptedRun(
        'E_INTERRUPTED',
        'the platform stopped while this test was queued or running',
        iso(clock),
      ),
      ACTIVE_STATUSES,
    );
    if (done) marked.push(t.id);
  }
  return marked;
}
