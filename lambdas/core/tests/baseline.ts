import type { TestStatus } from '../../model/results';
import type { HistoryPage, TestStore } from '../../ports/test-store';
import { PlatformError } from './errors';

/** Finished runs whose results can serve as a baseline. */
const COMPARABLE: readonly TestStatus[] = ['passed', 'failed', 'aborted', 'degraded'];

/** The id a test's `baseline` names (`"previous"`: the latest comparable run of the same name), resolved at creation. */
export async function resolveBaseline(store: TestStore, name: string, baseline: string | undefined) {
  if (baseline === undefined) return undefined;
  if (baseline === 'previous') {
    for (let cursor: string | undefined, pages = 0; pages < 10; pages++) {
      const page: HistoryPage = await store.list({ name, limit: 50, ...(cursor ? { cursor } : {}) });
      const found = page.items.find((t) => COMPARABLE.includes(t.status));
      if (found) return found.id;
      if (!page.nextCursor) return undefined;
      cursor = page.nextCursor;
    }
    return undefined;
  }
  const found = await store.get(baseline);
  if (!found) throw new PlatformError('E_BASELINE_NOT_FOUND', `baseline test ${baseline} does not exist`);
  if (!COMPARABLE.includes(found.status))
    throw new PlatformError(
      'E_BASELINE_NOT_FOUND',
      `baseline test ${baseline} has no comparable results (status ${found.status})`,
      { status: found.status },
    );
  return found.id;
}
