import { ThroughlineError } from '../model/errors';
import type { WindowSnapshot } from '../model/window';

/**
 * What both run-store adapters (files, S3) share so that they behave the same: id and key checks,
 * the incremental read position, ordered reads with bounded parallelism, and the two read loops.
 */

const SAFE_ID = /^[\w-]{1,64}$/;
/** 6 digits: up to 11.5 days of 1-second windows, up to a million workers. */
const MAX_KEY_NUMBER = 999_999;
/** Windows arrive up to a few seconds late: an incremental read looks this many indexes back. */
export const LATE_WINDOW_INDEXES = 5;
/** Files or objects read at once. */
export const READ_PARALLELISM = 32;

/** A read position that this store did not issue for this test, or cannot read. */
export class InvalidPositionError extends ThroughlineError {
  constructor(message: string) {
    super('E_INVALID_POSITION', message);
    this.name = 'InvalidPositionError';
  }
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

/** An entry a store can read a window from, with the (index, worker) its name says. */
export interface WindowEntry {
  readonly index: number;
  readonly worker: number;
}

/** Reads the entries `from` has not returned yet, in order, and records them in `from`. */
export async function readNewWindows<E extends WindowEntry>(
  entries: readonly E[],
  from: RunPosition,
  read: (entry: E) => Promise<WindowSnapshot | undefined>,
  parallelism: number,
): Promise<WindowSnapshot[]> {
  const due = entries.filter((e) => from.isNew(e.index, e.worker));
  const got = await mapInOrder(due, parallelism, read);
  const windows: WindowSnapshot[] = [];
  due.forEach((e, i) => {
    const w = got[i];
    if (w === undefined) return; // gone since it was listed
    windows.push(w);
    from.record(e.index, e.worker);
  });
  return windows;
}

/** Reads one page of entries in order and hands each window over; returns how many there were. */
export async function emitWindows<E>(
  entries: readonly E[],
  read: (entry: E) => Promise<WindowSnapshot | undefined>,
  parallelism: number,
  onWindow: (window: WindowSnapshot) => void,
): Promise<number> {
  let count = 0;
  for (const w of await mapInOrder(entries, parallelism, read))
    if (w !== undefined) {
      onWindow(w);
      count++;
    }
  return count;
}
