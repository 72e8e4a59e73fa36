import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WindowSnapshot } from '../../core/stats/window';
import type { PlanItem, RunStore, WorkerReport } from '../../ports/run-store';

/**
 * Run store on the local disk: `runs/<testId>/windows/<index>-<worker>.json` and
 * `runs/<testId>/workers/<worker>.json` under the data folder, numbers padded to 6 digits so that
 * name order is (index, worker) order. Writes go to a temporary file renamed over the old one, so a
 * reader sees the previous or the new window, never half of one.
 *
 * This module also holds what both run-store adapters must share to behave the same (id and key
 * checks, the read position, ordered bounded parallelism); the S3 adapter imports it from here.
 */

const SAFE_ID = /^[\w-]{1,64}$/;
/** 6 digits: up to 11.5 days of 1-second windows, up to a million workers. */
const MAX_KEY_NUMBER = 999_999;
/** Windows arrive up to a few seconds late: an incremental read looks this many indexes back. */
export const LATE_WINDOW_INDEXES = 5;
/** Files or objects read at once. */
export const READ_PARALLELISM = 32;

const WINDOW_FILE = /^(\d{6})-(\d{6})\.json$/;
const REPORT_FILE = /^(\d{6})\.json$/;

/** A read position that this store did not issue for this test, or cannot read. */
export class InvalidPositionError extends Error {
  readonly code = 'E_INVALID_POSITION';
}

export function checkRunId(testId: string): string {
  if (!SAFE_ID.test(testId)) throw new Error(`unsafe test id ${JSON.stringify(testId)}`);
  return testId;
}

/** The zero-padded form of a window index or worker number; throws outside 0–999,999. */
export function pad6(n: number, what: 'index' | 'worker'): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_KEY_NUMBER)
    throw new RangeError(`window ${what} ${n} is not an integer from 0 to ${MAX_KEY_NUMBER}`);
  return String(n).padStart(6, '0');
}

/** Maps in input order with at most `limit` calls in flight; stops starting new calls after a failure. */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * Where an incremental read of windows stands: the highest index returned, `h`, and which workers'
 * windows were returned for each index from h-5 to h. The next read looks at indexes ≥ h-5 only and
 * skips what it already returned, so windows that arrive a few seconds late are still returned once.
 * A window written more than 5 s after later indexes were read is NOT returned by an incremental
 * read; the final aggregate reads everything without a position, so no result misses it. Nor is a
 * window rewritten after it was returned (the same key): positions know keys, not versions.
 *
 * Encoded as base64url JSON `{"v":1,"t":testId,"h":h,"w":{"<index>":"<ranges>"}}`, each index's
 * workers as sorted ranges (`"0-999"`, `"0-4,6,9-20"`). Measured at 1,000 workers: ~180
 * characters when every worker wrote all 6 indexes, ~2 KB when a random half is still missing from
 * the newest index, ~16 KB at worst (every other worker missing at all 6), where a plain list of
 * worker numbers would always take ~31 KB.
 */
export class RunPosition {
  private constructor(
    readonly testId: string,
    private highest: number,
    private readonly seen: Map<number, Set<number>>,
  ) {}

  static initial(testId: string): RunPosition {
    return new RunPosition(testId, -1, new Map());
  }

  static decode(testId: string, position: string): RunPosition {
    const invalid = (why: string) =>
      new InvalidPositionError(`the position is not one this store issued for test ${testId}: ${why}`);
    let v: { v?: unknown; t?: unknown; h?: unknown; w?: unknown };
    try {
      v = JSON.parse(Buffer.from(position, 'base64url').toString('utf8'));
    } catch {
      throw invalid('not base64url JSON');
    }
    if (typeof v !== 'object' || v === null || v.v !== 1) throw invalid('unknown format');
    if (v.t !== testId) throw invalid('issued for another test');
    const h = v.h;
    if (typeof h !== 'number' || !Number.isSafeInteger(h) || h < -1 || h > MAX_KEY_NUMBER)
      throw invalid('bad index');
    if (typeof v.w !== 'object' || v.w === null || Array.isArray(v.w)) throw invalid('bad worker sets');
    const seen = new Map<number, Set<number>>();
    for (const [key, ranges] of Object.entries(v.w)) {
      const index = Number(key);
      if (String(index) !== key || index < 0 || index > h || index < h - LATE_WINDOW_INDEXES)
        throw invalid('bad index');
      const workers = typeof ranges === 'string' ? parseRanges(ranges) : undefined;
      if (!workers) throw invalid('bad worker ranges');
      seen.set(index, workers);
    }
    return new RunPosition(testId, h, seen);
  }

  /** The lowest index a read from this position must look at. */
  get firstIndex(): number {
    return Math.max(0, this.highest - LATE_WINDOW_INDEXES);
  }

  /** Whether the window of (index, worker) is to be returned by a read from this position. */
  isNew(index: number, worker: number): boolean {
    return index >= this.firstIndex && !this.seen.get(index)?.has(worker);
  }

  /** Notes a returned window, keeping only the indexes within the late-window span. */
  record(index: number, worker: number): void {
    if (index > this.highest) {
      this.highest = index;
      for (const i of this.seen.keys()) if (i < index - LATE_WINDOW_INDEXES) this.seen.delete(i);
    }
    if (index < this.highest - LATE_WINDOW_INDEXES) return;
    let workers = this.seen.get(index);
    if (!workers) {
      workers = new Set();
      this.seen.set(index, workers);
    }
    workers.add(worker);
  }

  encode(): string {
    const w: Record<string, string> = {};
    for (const [index, workers] of [...this.seen].sort(([a], [b]) => a - b)) w[index] = formatRanges(workers);
    return Buffer.from(JSON.stringify({ v: 1, t: this.testId, h: this.highest, w })).toString('base64url');
  }
}

function formatRanges(workers: ReadonlySet<number>): string {
  const sorted = [...workers].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const from = sorted[i] as number;
    let to = from;
    while (sorted[i + 1] === to + 1) to = sorted[++i] as number;
    parts.push(from === to ? String(from) : `${from}-${to}`);
    i++;
  }
  return parts.join(',');
}

/** The workers of `"0-4,6"`, or undefined unless the ranges are ascending, disjoint and in range. */
function parseRanges(text: string): Set<number> | undefined {
  const workers = new Set<number>();
  let last = -1;
  for (const part of text.split(',')) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from <= last || to < from) return undefined;
    for (let n = from; n <= to; n++) workers.add(n);
    last = to;
  }
  return workers;
}

/** Windows read (and held) at once by eachWindow. */
const EACH_PAGE = 1_000;

export function createFileRunStore(dataDir: string): RunStore {
  const runDir = (testId: string) => join(dataDir, 'runs', checkRunId(testId));
  const madeDirs = new Set<string>();
  const atomicWrite = async (dir: string, name: string, text: string) => {
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    const file = join(dir, name);
    // Unique per write: worker threads of one process may share a folder.
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  };
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await readdir(dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
  /** The parsed file, undefined if it is gone since it was listed (a run folder being deleted). */
  const readJson = async <T>(file: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };

  return {
    async putPlanItems(testId, items) {
      await atomicWrite(join(runDir(testId), 'plan'), 'items.json', JSON.stringify(items));
    },

    planItems: (testId) => readJson<PlanItem[]>(join(runDir(testId), 'plan', 'items.json')),

    async putWindow(testId, window) {
      const name = `${pad6(window.index, 'index')}-${pad6(window.worker, 'worker')}.json`;
      await atomicWrite(join(runDir(testId), 'windows'), name, JSON.stringify(window));
    },

    async readWindows(testId, position) {
      const dir = join(runDir(testId), 'windows');
      const from =
        position === undefined ? RunPosition.initial(testId) : RunPosition.decode(testId, position);
      const due = (await list(dir)).flatMap((name) => {
        const m = WINDOW_FILE.exec(name);
        if (!m) return [];
        const key = { name, index: Number(m[1]), worker: Number(m[2]) };
        return from.isNew(key.index, key.worker) ? [key] : [];
      });
      const read = await mapInOrder(due, READ_PARALLELISM, (k) =>
        readJson<WindowSnapshot>(join(dir, k.name)),
      );
      const windows: WindowSnapshot[] = [];
      due.forEach((k, i) => {
        const w = read[i];
        if (w === undefined) return;
        windows.push(w);
        from.record(k.index, k.worker);
      });
      return { windows, position: from.encode() };
    },

    async eachWindow(testId, onWindow) {
      const dir = join(runDir(testId), 'windows');
      const names = (await list(dir)).filter((name) => WINDOW_FILE.test(name));
      let count = 0;
      for (let at = 0; at < names.length; at += EACH_PAGE) {
        const page = names.slice(at, at + EACH_PAGE);
        for (const w of await mapInOrder(page, READ_PARALLELISM, (name) =>
          readJson<WindowSnapshot>(join(dir, name)),
        ))
          if (w !== undefined) {
            onWindow(w);
            count++;
          }
      }
      return count;
    },

    async putWorkerReport(testId, report) {
      await atomicWrite(
        join(runDir(testId), 'workers'),
        `${pad6(report.worker, 'worker')}.json`,
        JSON.stringify(report),
      );
    },

    async workerReports(testId) {
      const dir = join(runDir(testId), 'workers');
      const names = (await list(dir)).filter((name) => REPORT_FILE.test(name));
      const read = await mapInOrder(names, READ_PARALLELISM, (name) =>
        readJson<WorkerReport>(join(dir, name)),
      );
      return read.filter((r) => r !== undefined).sort((a, b) => a.worker - b.worker);
    },
  };
}
