import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestResults, TestStatus } from '../../model/results';
import {
  ActiveLimitError,
  type HistoryPage,
  type HistoryQuery,
  InvalidCursorError,
  type TestPatch,
  type TestRecord,
  type TestStore,
} from '../../ports/test-store';
import {
  ensureDir,
  type LocalFileOptions,
  readJsonOrQuarantine,
  serialQueue,
  writeFileAtomic,
} from './json-file';

/**
 * Test store on the local disk (`npm start`): `tests/<id>.json`, `results/<id>.json`,
 * `idempotency/<sha256>.json` under the data folder, written atomically and durably, private to
 * the user (./json-file.ts). A file that cannot be parsed is quarantined and the rest served.
 * One process owns a folder (the local server takes a lock); records are indexed in memory.
 * The active count of `create(…, { maxActive })` is the index's queued and running records, counted
 * inside the serialized create: an update to an ended status releases the slot as it lands in the
 * index, and `repairActiveCount` has nothing to correct (a record written past the store is read
 * when a store next opens the folder).
 */

const SAFE_ID = /^[\w-]{1,64}$/;
const isActive = (r: TestRecord) => r.status === 'queued' || r.status === 'running';
const activeCount = (all: ReadonlyMap<string, TestRecord>) => [...all.values()].filter(isActive).length;
const newestFirst = (a: TestRecord, b: TestRecord) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

function encodeCursor(r: TestRecord): string {
  return Buffer.from(JSON.stringify({ c: r.createdAt, i: r.id })).toString('base64url');
}
function decodeCursor(cursor: string): { c: string; i: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof v.c === 'string' && typeof v.i === 'string') return { c: v.c, i: v.i };
  } catch {}
  throw new InvalidCursorError('the cursor is not one this server issued');
}

export function createFileTestStore(dataDir: string, options: LocalFileOptions = {}): TestStore {
  const dirs = {
    tests: join(dataDir, 'tests'),
    results: join(dataDir, 'results'),
    idem: join(dataDir, 'idempotency'),
  };
  let index: Map<string, TestRecord> | undefined;
  /** Serializes read-modify-write per process. */
  const serial = serialQueue();
  const atomicWrite = writeFileAtomic;
  const readJson = <T>(file: string) => readJsonOrQuarantine<T>(dataDir, file, options);
  const load = async (): Promise<Map<string, TestRecord>> => {
    if (index) return index;
    await Promise.all(Object.values(dirs).map(ensureDir));
    const loaded = new Map<string, TestRecord>();
    for (const f of await readdir(dirs.tests)) {
      if (!f.endsWith('.json')) continue;
      const r = await readJson<TestRecord>(join(dirs.tests, f));
      if (r) loaded.set(r.id, r);
    }
    index = loaded;
    return loaded;
  };
  const save = async (r: TestRecord) => {
    await atomicWrite(join(dirs.tests, `${r.id}.json`), JSON.stringify(r));
    (await load()).set(r.id, r);
  };
  const idemFile = (key: string) => join(dirs.idem, `${createHash('sha256').update(key).digest('hex')}.json`);

  return {
    create: (record, options) =>
      serial(async () => {
        if (!SAFE_ID.test(record.id)) throw new Error(`unsafe test id ${JSON.stringify(record.id)}`);
        const all = await load();
        if (record.idempotencyKey !== undefined) {
          const prior = await readJson<{ testId: string }>(idemFile(record.idempotencyKey));
          const existing = prior && all.get(prior.testId);
          if (existing) return { record: existing, created: false };
        }
        if (all.has(record.id)) throw new Error(`a test with id ${record.id} already exists`);
        const limit = options?.maxActive;
        if (limit !== undefined && isActive(record) && activeCount(all) >= limit)
          throw new ActiveLimitError(limit);
        await save(record);
        if (record.idempotencyKey !== undefined)
          await atomicWrite(idemFile(record.idempotencyKey), JSON.stringify({ testId: record.id }));
        return { record, created: true };
      }),

    // From the file, not the index: worker threads read the stop flag the server's process writes.
    get: async (id) => (SAFE_ID.test(id) ? readJson<TestRecord>(join(dirs.tests, `${id}.json`)) : undefined),

    findByIdempotencyKey: async (key) => {
      const prior = await readJson<{ testId: string }>(idemFile(key));
      return prior ? (await load()).get(prior.testId) : undefined;
    },

    update: (id: string, patch: TestPatch, ifStatusIn?: readonly TestStatus[]) =>
      serial(async () => {
        const current = SAFE_ID.test(id) ? (await load()).get(id) : undefined;
        if (!current || (ifStatusIn && !ifStatusIn.includes(current.status))) return undefined;
        const updated: TestRecord = { ...current, ...patch };
        await save(updated);
        return updated;
      }),

    list: async (q: HistoryQuery): Promise<HistoryPage> => {
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const matches = [...(await load()).values()]
        .filter(
          (r) =>
            (q.name === undefined || r.name === q.name) &&
            (q.status === undefined || r.status === q.status) &&
            (q.tag === undefined || r.tags[q.tag.key] === q.tag.value) &&
            (q.from === undefined || r.createdAt >= q.from) &&
            (q.to === undefined || r.createdAt < q.to) &&
            (after === undefined || r.createdAt < after.c || (r.createdAt === after.c && r.id < after.i)),
        )
        .sort(newestFirst);
      const items = matches.slice(0, q.limit);
      const last = items[items.length - 1];
      return matches.length > q.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
    },

    putResults: async (id: string, results: TestResults) => {
      if (!SAFE_ID.test(id)) throw new Error(`unsafe test id ${JSON.stringify(id)}`);
      await load();
      await atomicWrite(join(dirs.results, `${id}.json`), JSON.stringify(results));
    },

    getResults: async (id) => {
      if (!SAFE_ID.test(id)) return undefined;
      await load();
      return readJson<TestResults>(join(dirs.results, `${id}.json`));
    },

    listByStatus: async (statuses) => [...(await load()).values()].filter((r) => statuses.includes(r.status)),

    repairActiveCount: async () => activeCount(await load()),
  };
}
