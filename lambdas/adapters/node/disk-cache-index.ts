import type { EntryKind } from './disk-cache-file';

/** One entry file as the disk tier's index knows it. */
export interface Entry {
  /** The file name (entryName(kind, key)). */
  readonly file: string;
  readonly kind: EntryKind;
  readonly key: string;
  /** Epoch ms, 0: never. */
  readonly expiresAt: number;
  /** The file's size: header, key and payload. */
  readonly bytes: number;
}

/**
 * What the disk tier knows without touching the disk: every entry, least recently used first (a
 * Map keeps insertion order, so touching an entry re-inserts it), and their total size.
 */
export class EntryIndex {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  get bytes(): number {
    return this.total;
  }

  get(file: string): Entry | undefined {
    return this.entries.get(file);
  }

  /** Adds or replaces an entry, as the most recently used. */
  remember(e: Entry): void {
    this.forget(e.file);
    this.entries.set(e.file, e);
    this.total += e.bytes;
  }

  forget(file: string): Entry | undefined {
    const e = this.entries.get(file);
    if (e) {
      this.entries.delete(file);
      this.total -= e.bytes;
    }
    return e;
  }

  /** Makes `e` the most recently used, unless it was replaced or removed meanwhile. */
  touch(e: Entry): void {
    if (this.entries.get(e.file) !== e) return;
    this.entries.delete(e.file);
    this.entries.set(e.file, e);
  }

  leastRecent(kind: EntryKind): Entry | undefined {
    for (const e of this.entries.values()) if (e.kind === kind) return e;
    return undefined;
  }

  values(): IterableIterator<Entry> {
    return this.entries.values();
  }

  files(): IterableIterator<string> {
    return this.entries.keys();
  }
}

/**
 * Serializes operations per file within the process: a write, a delete and an eviction of the
 * same entry never interleave, so the index and the folder agree.
 */
export class FileLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn once every earlier operation on `file` has settled. */
  run<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(file) ?? Promise.resolve()).then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(file, tail);
    void tail.then(() => {
      if (this.tails.get(file) === tail) this.tails.delete(file);
    });
    return result;
  }

  /** Settles once every operation queued so far has. */
  async settled(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}

/** Runs at most `max` functions at once; a finished one hands its slot straight to the next waiter. */
export function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Runs fn over items with at most `parallel` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  parallel: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
