import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestStatus } from '../../lambdas/model/results';
import {
  ActiveLimitError,
  type HistoryPage,
  type HistoryQuery,
  InvalidCursorError,
  type TestRecord,
  type TestStore,
} from '../../lambdas/ports/test-store';
import { at, live, makeRecord, sampleResults } from './test-store.fixtures';

/**
 * The TestStore contract (DESIGN.md §6.2): every adapter runs this suite, each test on an empty store
 * from `setup()`. Records get distinct createdAt values so "newest first" is deterministic.
 */

export interface TestStoreFixture {
  readonly store: TestStore;
  /**
   * Writes `record` straight into the backing storage, past the store (as an older version or a
   * writer that crashed half-way would have left it), and returns a store that reads that storage.
   */
  bypassPut(record: TestRecord): Promise<TestStore>;
  cleanup(): Promise<void>;
}

/** Every page of `query`, following cursors (bounded, so a cursor that never ends fails the test). */
async function allPages(store: TestStore, query: Omit<HistoryQuery, 'cursor'>): Promise<HistoryPage[]> {
  const pages: HistoryPage[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(cursor === undefined ? query : { ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 50);
  expect(cursor).toBeUndefined();
  return pages;
}

const ids = (items: readonly TestRecord[]) => items.map((r) => r.id);
const idsOf = (...n: number[]) => n.map((i) => makeRecord(i).id);

export function testStoreContract(name: string, setup: () => Promise<TestStoreFixture>): void {
  describe(`TestStore contract: ${name}`, () => {
    let fixture: TestStoreFixture;
    let store: TestStore;
    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const createAll = async (records: readonly TestRecord[]) => {
      for (const r of records) expect((await store.create(r)).created).toBe(true);
    };

    describe('create and get', () => {
      it('round-trips every field, including a nested definition and live figures', async () => {
        const record = makeRecord(1, {
          name: 'Grüße · チェックアウト 🚀 #1',
          status: 'running',
          startedAt: at(2),
          endedAt: at(3),
          tags: { team: 'payments', 'env#stage': 'pre-prod', empty: '' },
          definition: {
            name: 'Grüße 🚀',
            baseUrl: 'http://127.0.0.1:8080',
            numbers: [0, -1, 0.1, 0.30000000000000004, 1e-300, 1.7976931348623157e308, 2 ** 53 - 1, -2.5e-7],
            empty: [],
            emptyObject: {},
            nothing: null,
            flags: [true, false],
            text: '',
            scenarios: {
              buy: {
                executor: 'ramping-arrival-rate',
                stages: [
                  { duration: '10s', target: 100 },
                  { duration: '20s', target: 0 },
                ],
                requests: [{ name: 'home', method: 'GET', path: '/?q=a&b=#x', headers: {}, checks: [] }],
              },
            },
          },
          baselineId: '01JTEST0000',
          idempotencyKey: 'idem-1',
          cancelRequested: false,
          live,
          summary: {
            requests: 6_000,
            errorRate: 0.001167,
            rps: 198.35,
            p95Ms: 55.3,
            thresholdsFailed: 1,
            regressions: 0,
          },
          error: { code: 'E_WORKER_LOST', message: 'worker 2 stopped reporting — "timeout"' },
        });
        expect(await store.create(record)).toEqual({ record, created: true });
        expect(await store.get(record.id)).toEqual(record);
      });

      it('round-trips a minimal record without optional fields', async () => {
        const record = makeRecord(1);
        await store.create(record);
        const got = await store.get(record.id);
        expect(got).toEqual(record);
        for (const f of ['startedAt', 'endedAt', 'baselineId', 'idempotencyKey', 'live', 'summary', 'error'])
          expect(got).not.toHaveProperty(f);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.get('01JNOSUCHTEST')).toBeUndefined();
      });

      it('never overwrites a record with the same id', async () => {
        const first = makeRecord(1);
        await store.create(first);
        const outcome = await store.create({ ...first, name: 'impostor', status: 'running' }).then(
          (r) => r,
          () => 'rejected' as const,
        );
        if (outcome !== 'rejected') expect(outcome.created).toBe(false);
        expect(await store.get(first.id)).toEqual(first);
      });
    });

    describe('idempotency', () => {
      it('returns the first test for a reused key and stores nothing new', async () => {
        const first = makeRecord(1, { idempotencyKey: 'key-1' });
        const retry = makeRecord(2, { idempotencyKey: 'key-1', name: 'retry' });
        expect(await store.create(first)).toEqual({ record: first, created: true });
        expect(await store.create(retry)).toEqual({ record: first, created: false });
        expect(await store.get(retry.id)).toBeUndefined();
        expect(ids((await store.list({ limit: 100 })).items)).toEqual([first.id]);
      });

      it('treats a repeated identical create as the same test', async () => {
        const first = makeRecord(1, { idempotencyKey: 'key-1' });
        await store.create(first);
        expect(await store.create(first)).toEqual({ record: first, created: false });
      });

      it('keeps returning the first test after it changed', async () => {
        const first = makeRecord(1, { idempotencyKey: 'key-1' });
        await store.create(first);
        const running = await store.update(first.id, { status: 'running', updatedAt: at(5) });
        expect((await store.create(makeRecord(2, { idempotencyKey: 'key-1' }))).record).toEqual(running);
      });

      it('finds the test a key was used for, and nothing for an unused key', async () => {
        const first = makeRecord(1, { idempotencyKey: 'key-1' });
        await store.create(first);
        await store.create(makeRecord(2));
        expect(await store.findByIdempotencyKey('key-1')).toEqual(first);
        expect(await store.findByIdempotencyKey('key-2')).toBeUndefined();
        const running = await store.update(first.id, { status: 'running', updatedAt: at(5) });
        expect(await store.findByIdempotencyKey('key-1')).toEqual(running);
      });

      it('creates separate tests for different keys and for no key', async () => {
        await createAll([
          makeRecord(1, { idempotencyKey: 'key-1' }),
          makeRecord(2, { idempotencyKey: 'key-2' }),
          makeRecord(3),
          makeRecord(4),
        ]);
        expect(ids((await store.list({ limit: 100 })).items)).toEqual(idsOf(4, 3, 2, 1));
      });
    });

    describe('update', () => {
      it('applies a patch and returns the updated record', async () => {
        const record = makeRecord(1);
        await store.create(record);
        const patch = {
          status: 'running',
          updatedAt: at(2),
          startedAt: at(2),
          live,
          cancelRequested: true,
          // The platform's own stop (shutdown, Ctrl-C): the run ends interrupted, not cancelled.
          interruptRequested: true,
          // Where the run is, and until when it expects to write nothing (a wait for workers).
          phase: 'waiting',
          quietUntil: at(9),
        } as const;
        const expected = { ...record, ...patch };
        expect(await store.update(record.id, patch)).toEqual(expected);
        expect(await store.get(record.id)).toEqual(expected);
        const done = {
          status: 'failed',
          updatedAt: at(3),
          endedAt: at(3),
          summary: {
            requests: 10,
            errorRate: 0.1,
            rps: 0.5,
            p95Ms: 12.5,
            thresholdsFailed: 1,
            regressions: 2,
          },
          error: { code: 'E_X', message: 'ü' },
        } as const;
        expect(await store.update(record.id, done)).toEqual({ ...expected, ...done });
      });

      it('applies a patch when the status is one of ifStatusIn', async () => {
        await store.create(makeRecord(1));
        const updated = await store.update(makeRecord(1).id, { status: 'running' }, ['queued', 'running']);
        expect(updated?.status).toBe('running');
      });

      it('changes nothing and returns undefined when the status condition fails', async () => {
        const record = makeRecord(1, { status: 'passed' });
        await store.create(record);
        expect(
          await store.update(record.id, { status: 'running', updatedAt: at(9) }, ['queued']),
        ).toBeUndefined();
        expect(await store.get(record.id)).toEqual(record);
      });

      it('returns undefined for a missing id and creates nothing', async () => {
        expect(await store.update('01JMISSING', { status: 'running' })).toBeUndefined();
        expect(await store.update('01JMISSING', { status: 'running' }, ['queued'])).toBeUndefined();
        expect(await store.get('01JMISSING')).toBeUndefined();
        expect((await store.list({ limit: 100 })).items).toEqual([]);
        expect(await store.listByStatus(['running'])).toEqual([]);
      });
    });

    describe('list', () => {
      // Inserted out of order: ordering must come from createdAt, not insertion.
      const seeded = [
        makeRecord(3, { name: 'search', status: 'passed', tags: { team: 'search', 'a.b #c': 'x = :y' } }),
        makeRecord(1, { name: 'checkout', status: 'passed', tags: { team: 'payments', env: 'prod' } }),
        makeRecord(5, { name: 'checkout', status: 'failed', tags: { team: 'payments', env: 'staging' } }),
        makeRecord(2, { name: 'checkout', status: 'running', tags: { team: 'payments', env: 'prod' } }),
        makeRecord(4, { name: 'checkout', status: 'passed', tags: { team: 'payments', env: 'prod' } }),
      ];
      const seed = () => createAll(seeded);

      it('returns every test newest first', async () => {
        await seed();
        const page = await store.list({ limit: 100 });
        expect(page.items).toEqual([...seeded].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
        expect(ids(page.items)).toEqual(idsOf(5, 4, 3, 2, 1));
        expect(page.nextCursor).toBeUndefined();
      });

      it('orders tests created in the same instant by id, descending', async () => {
        await createAll([
          makeRecord(1, { id: '01JB' }),
          makeRecord(1, { id: '01JC' }),
          makeRecord(1, { id: '01JA' }),
        ]);
        expect(ids((await store.list({ limit: 100 })).items)).toEqual(['01JC', '01JB', '01JA']);
      });

      it('filters by name, status, tag and time range', async () => {
        await seed();
        const list = async (q: Omit<HistoryQuery, 'limit'>) =>
          ids((await store.list({ limit: 100, ...q })).items);
        expect(await list({ name: 'checkout' })).toEqual(idsOf(5, 4, 2, 1));
        expect(await list({ name: 'nope' })).toEqual([]);
        expect(await list({ status: 'passed' })).toEqual(idsOf(4, 3, 1));
        expect(await list({ tag: { key: 'env', value: 'prod' } })).toEqual(idsOf(4, 2, 1));
        expect(await list({ tag: { key: 'env', value: 'pro' } })).toEqual([]);
        expect(await list({ tag: { key: 'missing', value: 'prod' } })).toEqual([]);
        expect(await list({ tag: { key: 'a.b #c', value: 'x = :y' } })).toEqual(idsOf(3));
        expect(await list({ name: "checkout' OR 1=1 #" })).toEqual([]);
        expect(await list({ from: at(2) })).toEqual(idsOf(5, 4, 3, 2));
        expect(await list({ to: at(4) })).toEqual(idsOf(3, 2, 1));
        expect(await list({ from: at(2), to: at(4) })).toEqual(idsOf(3, 2));
        expect(await list({ from: at(4), to: at(4) })).toEqual([]);
        expect(await list({ from: at(5), to: at(1) })).toEqual([]);
      });

      it('lists a test under its new status after an update', async () => {
        await seed();
        await store.update(makeRecord(2).id, { status: 'passed' });
        await store.update(makeRecord(4).id, { status: 'failed' });
        const list = async (q: Omit<HistoryQuery, 'limit'>) =>
          ids((await store.list({ limit: 100, ...q })).items);
        expect(await list({ status: 'passed' })).toEqual(idsOf(3, 2, 1));
        expect(await list({ status: 'failed' })).toEqual(idsOf(5, 4));
        expect(await list({ status: 'running' })).toEqual([]);
        expect(await list({ name: 'checkout', status: 'passed' })).toEqual(idsOf(2, 1));
      });

      it('combines every filter', async () => {
        await seed();
        const q = {
          limit: 100,
          name: 'checkout',
          status: 'passed',
          tag: { key: 'env', value: 'prod' },
        } as const;
        expect(ids((await store.list(q)).items)).toEqual(idsOf(4, 1));
        expect(ids((await store.list({ ...q, from: at(2), to: at(5) })).items)).toEqual(idsOf(4));
        expect(ids((await store.list({ ...q, status: 'running', to: at(3) })).items)).toEqual(idsOf(2));
      });

      it('pages through every test exactly once, in order', async () => {
        await seed();
        const pages = await allPages(store, { limit: 2 });
        expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
        expect(ids(pages.flatMap((p) => p.items))).toEqual(idsOf(5, 4, 3, 2, 1));
      });

      it('pages through filtered results', async () => {
        await seed();
        for (const q of [
          { name: 'checkout' },
          { status: 'passed' as TestStatus },
          { tag: { key: 'team', value: 'payments' } },
          { name: 'checkout', tag: { key: 'env', value: 'prod' }, from: at(1), to: at(5) },
        ]) {
          const all = ids((await store.list({ limit: 100, ...q })).items);
          const paged = (await allPages(store, { limit: 1, ...q })).flatMap((p) => p.items);
          expect(ids(paged)).toEqual(all);
        }
      });

      it('resumes after the last item even when that item has changed status since', async () => {
        await seed();
        const first = await store.list({ limit: 2, status: 'passed' });
        expect(ids(first.items)).toEqual(idsOf(4, 3));
        await store.update(makeRecord(3).id, { status: 'error' });
        await store.update(makeRecord(4).id, { status: 'error' });
        const rest = await store.list({ limit: 2, status: 'passed', cursor: first.nextCursor as string });
        expect(ids(rest.items)).toEqual(idsOf(1));
        expect(rest.nextCursor).toBeUndefined();
      });

      it('keeps its position when newer tests are created between pages', async () => {
        await seed();
        const first = await store.list({ limit: 2 });
        await store.create(makeRecord(6));
        const rest = await store.list({ limit: 10, cursor: first.nextCursor as string });
        expect(ids(rest.items)).toEqual(idsOf(3, 2, 1));
      });

      it('rejects a cursor it did not issue', async () => {
        await seed();
        const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
        for (const cursor of ['not a cursor!', 'AAAA', b64('{"foo":1}'), b64('[1,2]'), b64('null'), b64('{')])
          await expect(store.list({ limit: 2, cursor }), cursor).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('results', () => {
      it('round-trips a results document and replaces it', async () => {
        const record = makeRecord(1);
        await store.create(record);
        expect(await store.getResults(record.id)).toBeUndefined();
        await store.putResults(record.id, sampleResults);
        expect(await store.getResults(record.id)).toEqual(sampleResults);
        const rerun = { ...sampleResults, status: 'passed', thresholds: [] } as const;
        await store.putResults(record.id, rerun);
        expect(await store.getResults(record.id)).toEqual(rerun);
      });

      it('returns undefined for a test that does not exist', async () => {
        expect(await store.getResults('01JNOSUCHTEST')).toBeUndefined();
      });
    });

    describe('active limit (maxActive)', () => {
      const refused = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(ActiveLimitError);

      it('admits exactly maxActive of N concurrent creates', async () => {
        const outcomes = await Promise.allSettled(
          [1, 2, 3, 4, 5].map((n) => store.create(makeRecord(n), { maxActive: 1 })),
        );
        const created = outcomes.filter((o) => o.status === 'fulfilled');
        const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(created).toHaveLength(1);
        expect(rejected).toHaveLength(4);
        for (const reason of rejected) expect(reason).toBeInstanceOf(ActiveLimitError);
        expect(await store.listByStatus(['queued', 'running'])).toHaveLength(1);
      });

      it('counts records created without a limit, and only active ones', async () => {
        await createAll([makeRecord(1, { status: 'passed' }), makeRecord(2, { status: 'running' })]);
        await refused(store.create(makeRecord(3), { maxActive: 1 }));
        expect((await store.create(makeRecord(4), { maxActive: 2 })).created).toBe(true);
        expect(await store.get(makeRecord(3).id)).toBeUndefined();
      });

      it('releases the slot when a test ends (cancel or finish), not on an active update', async () => {
        await store.create(makeRecord(1), { maxActive: 1 });
        await store.update(makeRecord(1).id, { status: 'running' }, ['queued']);
        await refused(store.create(makeRecord(2), { maxActive: 1 }));
        await store.update(makeRecord(1).id, { status: 'cancelled' }, ['queued', 'running']);
        expect((await store.create(makeRecord(3), { maxActive: 1 })).created).toBe(true);
        await store.update(makeRecord(3).id, { status: 'passed' });
        expect((await store.create(makeRecord(4), { maxActive: 1 })).created).toBe(true);
      });

      it('releases a slot once: a terminal-to-terminal update or a failed condition frees nothing', async () => {
        await createAll([makeRecord(1, { status: 'running' }), makeRecord(2, { status: 'running' })]);
        await store.update(makeRecord(1).id, { status: 'passed' }, ['running']);
        await store.update(makeRecord(1).id, { status: 'error' });
        expect(await store.update(makeRecord(1).id, { status: 'cancelled' }, ['running'])).toBeUndefined();
        expect(await store.update(makeRecord(2).id, { status: 'cancelled' }, ['queued'])).toBeUndefined();
        await refused(store.create(makeRecord(3), { maxActive: 1 }));
        expect((await store.create(makeRecord(4), { maxActive: 2 })).created).toBe(true);
      });

      it('answers an idempotent replay without a slot, even at the limit', async () => {
        const first = makeRecord(1, { idempotencyKey: 'k' });
        await store.create(first, { maxActive: 1 });
        const again = await store.create(makeRecord(2, { idempotencyKey: 'k' }), { maxActive: 1 });
        expect(again).toEqual({ record: first, created: false });
        await store.update(first.id, { status: 'passed' });
        const replay = await store.create(makeRecord(3, { idempotencyKey: 'k' }), { maxActive: 1 });
        expect(replay.created).toBe(false);
        expect((await store.create(makeRecord(4), { maxActive: 1 })).created).toBe(true);
      });

      it('repairs a count that drifted: an active record never counted, a slot never released', async () => {
        await store.create(makeRecord(1), { maxActive: 2 });
        // Record 1 ended past the store (its slot was never released); record 2 is active uncounted.
        await fixture.bypassPut(makeRecord(1, { status: 'error' }));
        const repaired = await fixture.bypassPut(makeRecord(2, { status: 'running' }));
        expect(await repaired.repairActiveCount()).toBe(1);
        await expect(repaired.create(makeRecord(3), { maxActive: 1 })).rejects.toBeInstanceOf(
          ActiveLimitError,
        );
        expect((await repaired.create(makeRecord(4), { maxActive: 2 })).created).toBe(true);
        expect(await repaired.repairActiveCount()).toBe(2);
      });
    });

    describe('listByStatus', () => {
      it('returns every record in any of the statuses', async () => {
        await createAll([
          makeRecord(1, { status: 'queued' }),
          makeRecord(2, { status: 'running' }),
          makeRecord(3, { status: 'passed' }),
          makeRecord(4, { status: 'running' }),
          makeRecord(5, { status: 'error' }),
        ]);
        const sorted = (rs: readonly TestRecord[]) => ids(rs).sort();
        expect(sorted(await store.listByStatus(['queued', 'running']))).toEqual(idsOf(1, 2, 4));
        expect(await store.listByStatus(['cancelled'])).toEqual([]);
        expect(await store.listByStatus([])).toEqual([]);
        await store.update(makeRecord(1).id, { status: 'interrupted' });
        const moved = await store.listByStatus(['running', 'interrupted']);
        expect(sorted(moved)).toEqual(idsOf(1, 2, 4));
        expect(moved.find((r) => r.id === makeRecord(1).id)).toEqual(
          makeRecord(1, { status: 'interrupted' }),
        );
      });
    });
  });
}
