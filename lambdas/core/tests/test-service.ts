import { hasCode } from '../../model/errors';
import type { TestResults } from '../../model/results';
import type { TargetPolicy } from '../../model/target-policy';
import type { Clock } from '../../ports/clock';
import type { HostResolver } from '../../ports/host-resolver';
import type { RunStore } from '../../ports/run-store';
import type { TestLauncher } from '../../ports/test-launcher';
import type { HistoryPage, HistoryQuery, TestRecord, TestStore } from '../../ports/test-store';
import { parseTestDefinition } from '../load/validate';
import type { CapacityConfig } from '../run/capacity';
import { planTest, type TestPlan } from '../run/planner';
import { ACTIVE_STATUSES, failedRun, interruptedRun } from '../run/verdict';
import { resolveBaseline } from './baseline';
import { PlatformError } from './errors';
import { assertWithinQuotas, type Quotas } from './quotas';
import { definitionFromSubmission } from './submission';
import { assertTargetsAllowed } from './target-policy';

/** The test use cases behind the API: create, read, list, cancel, results. */

export interface PlatformPolicy {
  readonly targets: TargetPolicy;
  readonly quotas: Quotas;
}

export interface PlatformDeps {
  readonly store: TestStore;
  /** Where the validated test goes at submission: every later stage reads it from there. */
  readonly runs: Pick<RunStore, 'putSpec'>;
  readonly launcher: TestLauncher;
  readonly resolver: HostResolver;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly policy: PlatformPolicy;
  /** Planner inputs for dry runs (and, on AWS, the real plan). */
  readonly capacity: CapacityConfig;
}

const iso = (clock: Clock) => new Date(clock.now()).toISOString();
/** Key order does not matter when checking an idempotent replay. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );

export interface CreateTestInput {
  readonly body: unknown;
  readonly idempotencyKey?: string;
}

/**
 * Validates a submission (schema, quotas, target allow-list after DNS), stores it as `queued`
 * and hands it to the launcher. A repeated Idempotency-Key returns the first test unchanged.
 */
function replay(record: TestRecord, raw: unknown, key: string | undefined) {
  if (canonical(record.definition) !== canonical(raw))
    throw new PlatformError(
      'E_IDEMPOTENCY_CONFLICT',
      `Idempotency-Key ${JSON.stringify(key)} was used for test ${record.id} with a different definition`,
      { testId: record.id },
    );
  return { record, created: false } as const;
}

/**
 * `POST /tests?dryRun=true`: every check a real submission gets (schema, quotas, allow-list after
 * DNS), then the distributed plan and its cost, without storing or running anything.
 */
export async function planSubmission(deps: PlatformDeps, body: unknown): Promise<TestPlan> {
  const { definition } = parseTestDefinition(definitionFromSubmission(body));
  assertWithinQuotas(deps.policy.quotas, definition);
  await assertTargetsAllowed(deps.policy.targets, deps.resolver, definition);
  return planTest(definition, deps.capacity, deps.clock.now());
}

export async function createTest(
  deps: PlatformDeps,
  input: CreateTestInput,
): Promise<{ readonly record: TestRecord; readonly created: boolean }> {
  const raw = definitionFromSubmission(input.body);
  const key = input.idempotencyKey;
  // A retry is answered before any check that could have changed since (quotas, running tests).
  const earlier = key === undefined ? undefined : await deps.store.findByIdempotencyKey(key);
  if (earlier) return replay(earlier, raw, key);
  const valid = parseTestDefinition(raw);
  const { definition } = valid;
  assertWithinQuotas(deps.policy.quotas, definition);
  await assertTargetsAllowed(deps.policy.targets, deps.resolver, definition);
  const baselineId = await resolveBaseline(deps.store, definition.name, definition.baseline);
  const limit = deps.policy.quotas.maxConcurrentTests;
  const now = iso(deps.clock);
  const submitted: TestRecord = {
    id: deps.newId(),
    name: definition.name,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    tags: definition.tags ?? {},
    definition: raw,
    ...(baselineId ? { baselineId } : {}),
    ...(key ? { idempotencyKey: key } : {}),
  };
  const { record, created } = await admit(deps, submitted, limit);
  if (!created) return replay(record, raw, key);
  try {
    await deps.runs.putSpec({ testId: record.id, test: valid, targets: deps.policy.targets });
    await deps.launcher.launch(record);
  } catch (err) {
    const message = `could not start the test: ${(err as Error).message}`;
    const failed = await deps.store.update(
      record.id,
      failedRun('E_LAUNCH_FAILED', message, iso(deps.clock)),
      ['queued'],
    );
    return { record: failed ?? record, created };
  }
  return { record, created };
}

/**
 * The store enforces maxConcurrentTests across every instance (`create` with `maxActive` takes a
 * slot atomically). When it refuses, the active tests are listed and reconciled (a silent one is
 * marked interrupted, which releases its slot), the store's count is repaired from them
 * (`repairActiveCount`: a slot a record changed past the store never released, or an active test
 * that never took one) and the create is tried once more.
 */
async function admit(deps: PlatformDeps, record: TestRecord, limit: number) {
  try {
    return await deps.store.create(record, { maxActive: limit });
  } catch (err) {
    if (!hasCode(err, 'E_ACTIVE_LIMIT')) throw err;
  }
  await activeTests(deps);
  await deps.store.repairActiveCount();
  try {
    return await deps.store.create(record, { maxActive: limit });
  } catch (err) {
    if (!hasCode(err, 'E_ACTIVE_LIMIT')) throw err;
    const active = await activeTests(deps);
    throw new PlatformError(
      'E_TOO_MANY_TESTS',
      `${active.length} tests are queued or running; this deployment runs at most ${limit} at once`,
      { active: active.map((t) => t.id), limit },
    );
  }
}

/** The queued and running tests, silent ones stored as interrupted (which frees their slots). */
async function activeTests(deps: Pick<PlatformDeps, 'store' | 'clock'>): Promise<TestRecord[]> {
  const listed = await deps.store.listByStatus(ACTIVE_STATUSES);
  const reconciled = await Promise.all(listed.map((t) => reconcile(deps, t, true)));
  return reconciled.filter((t) => ACTIVE_STATUSES.includes(t.status));
}

/** A running test writes its live figures every second; this long without one, its runner is gone. */
export const STALE_RUNNING_MS = 60_000;
/** A queued test no runner picked up in this long never will (the async hand-off gave up). */
export const STALE_QUEUED_MS = 10 * 60_000;

/**
 * Never "stuck in running": a test whose runner died (crash, timeout, lost hand-off) reads as
 * `interrupted` once it has gone silent. Read paths only show it so (their functions may only
 * read); creating a test stores it, as does cancelling one — but only once the launcher says the
 * runtime no longer runs it (a healthy run can be silent: its Map waiting on lost workers).
 */
async function reconcile(
  deps: Pick<PlatformDeps, 'store' | 'clock'> & Partial<Pick<PlatformDeps, 'launcher'>>,
  record: TestRecord,
  persist: boolean,
): Promise<TestRecord> {
  if (!ACTIVE_STATUSES.includes(record.status)) return record;
  // A run that said it would be quiet until some instant (waiting for its workers' timeout) is
  // silent only from then on.
  const lastWord = Math.max(Date.parse(record.updatedAt), Date.parse(record.quietUntil ?? '') || 0);
  const silentMs = deps.clock.now() - lastWord;
  const limit = record.status === 'running' ? STALE_RUNNING_MS : STALE_QUEUED_MS;
  if (!(silentMs > limit)) return record;
  const message =
    record.status === 'running'
      ? `no word from the test's runner for ${Math.round(silentMs / 1000)} s; it stopped without finishing`
      : `no runner picked the test up within ${Math.round(limit / 60_000)} min`;
  const patch = interruptedRun('E_RUNNER_LOST', message, iso(deps.clock));
  if (!persist) return { ...record, ...patch };
  // Silence is not a verdict while the runtime still runs the test (a Map waiting for lost
  // workers, a long aggregation): only a runtime that says it has ended lets it be stored.
  const running = await (deps.launcher?.isRunning(record.id) ?? Promise.resolve(undefined)).catch(
    () => undefined,
  );
  if (running !== false) return record;
  const marked = await deps.store.update(record.id, patch, [record.status]);
  return marked ?? (await deps.store.get(record.id)) ?? record;
}

async function findTest(
  deps: Pick<PlatformDeps, 'store' | 'clock'> & Partial<Pick<PlatformDeps, 'launcher'>>,
  id: string,
  persist: boolean,
): Promise<TestRecord> {
  const record = await deps.store.get(id);
  if (!record) throw new PlatformError('E_TEST_NOT_FOUND', `no test with id ${id}`);
  return reconcile(deps, record, persist);
}

export function getTest(deps: Pick<PlatformDeps, 'store' | 'clock'>, id: string): Promise<TestRecord> {
  return findTest(deps, id, false);
}

export async function listTests(
  deps: Pick<PlatformDeps, 'store' | 'clock'>,
  query: HistoryQuery,
): Promise<HistoryPage> {
  const page = await deps.store.list(query);
  return { ...page, items: await Promise.all(page.items.map((t) => reconcile(deps, t, false))) };
}

/**
 * Cancels a queued or running test: sets the stop flag (workers poll it) and tells the launcher.
 * Cancelling a cancelled test is a no-op; a finished one cannot be cancelled.
 */
export async function cancelTest(
  deps: Pick<PlatformDeps, 'store' | 'launcher' | 'clock'>,
  id: string,
): Promise<TestRecord> {
  const record = await findTest(deps, id, true);
  if (record.status === 'cancelled' || (record.cancelRequested && ACTIVE_STATUSES.includes(record.status)))
    return record;
  const flagged = await deps.store.update(
    id,
    { cancelRequested: true, updatedAt: iso(deps.clock) },
    ACTIVE_STATUSES,
  );
  if (!flagged) {
    const now = await getTest(deps, id);
    throw new PlatformError('E_NOT_CANCELLABLE', `test ${id} already ended (status ${now.status})`, {
      status: now.status,
    });
  }
  await deps.launcher.cancel(id);
  return flagged;
}

/** The results document of a finished test. */
export async function getResults(
  deps: Pick<PlatformDeps, 'store' | 'clock'>,
  id: string,
): Promise<TestResults> {
  const record = await getTest(deps, id);
  if (ACTIVE_STATUSES.includes(record.status))
    throw new PlatformError('E_RESULTS_NOT_READY', `test ${id} is still ${record.status}`, {
      status: record.status,
    });
  const results = await deps.store.getResults(id);
  if (!results)
    throw new PlatformError('E_NO_RESULTS', `test ${id} ended without results (status ${record.status})`, {
      status: record.status,
      ...(record.error ? { error: record.error } : {}),
    });
  return results;
}
