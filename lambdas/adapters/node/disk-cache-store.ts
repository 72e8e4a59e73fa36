import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeHeader,
  ENTRY_NAME,
  type EntryKind,
  encodeHeader,
  entryName,
  HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  readEntryFile,
  TEMP_NAME,
} from './disk-cache-file';
import { type Entry, EntryIndex, FileLocks, forEachLimited, limiter } from './disk-cache-index';

/**
 * Files open at once across all calls (Lambda allows 1,024 descriptors per environment, shared with
 * sockets), and per bulk call (getMany, rebuild, deletes) so one call cannot take every slot.
 */
const OPEN_FILES = 64;
const PARALLEL_FILES = 32;

/**
 * The entry files of one cache folder, owned by one process. The in-memory index (rebuilt from the
 * folder's headers at start, in file modification order) is the authority on what exists, its
 * order is recency, and operations on one file are serialized in-process. Writes go to a temporary
 * file renamed over the entry, so a reader sees the old or the new entry, never half of one. Past
 * `maxBytes` the least recently used values go first; sets (tag and dependency indexes) go only
 * when no value is left, and a set that goes takes its members' values with it: an entry must not
 * outlive the index that can invalidate it. Expired entries are removed when touched. Files that
 * are truncated, foreign or corrupt are removed, never served; files not named like ours are never
 * touched.
 */
export class DiskEntryStore {
  private readonly index = new EntryIndex();
  private readonly locks = new FileLocks();
  private readonly io = limiter(OPEN_FILES);
  private tempFiles = 0;
  private evicting: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}

  entry(kind: EntryKind, key: string): Entry | undefined {
    return this.index.get(entryName(kind, key));
  }

  /** Keys of every indexed entry of this kind, expired ones included, least recently used first. */
  keys(kind: EntryKind): string[] {
    return [...this.index.values()].filter((e) => e.kind === kind).map((e) => e.key);
  }

  expired(e: Entry): boolean {
    return e.expiresAt !== 0 && e.expiresAt <= this.now();
  }

  /** Whether an entry of this key and payload size can be stored at all. */
  fits(key: string, payloadBytes: number): boolean {
    return (
      payloadBytes <= MAX_PAYLOAD_BYTES &&
      HEADER_BYTES + Buffer.byteLength(key) + payloadBytes <= this.maxBytes
    );
  }

  touch(e: Entry): void {
    this.index.touch(e);
  }

  /** Runs fn once every earlier operation on this entry's file has settled. */
  locked<T>(kind: EntryKind, key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(entryName(kind, key), fn);
  }

  /** Runs fn over items, PARALLEL_FILES at a time. */
  forEach<T>(items: readonly T[], fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
    return forEachLimited(items, PARALLEL_FILES, fn);
  }

  async rebuild(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const found: (Entry & { mtimeMs: number })[] = [];
    await this.forEach(await readdir(this.dir), async (name) => {
      // A temporary file left by a crash mid-write.
      if (TEMP_NAME.test(name)) return void (await this.unlinkQuietly(name));
      if (!ENTRY_NAME.test(name)) return;
      const read = await this.io(() => readEntryFile(this.dir, name));
      if (read && !this.expired(read)) found.push(read);
      else await this.unlinkQuietly(name);
    });
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { mtimeMs: _, ...entry } of found) this.index.remember(entry);
    await this.evict();
  }

  /** The payload of a live entry; a missing, foreign or corrupt file is dropped and reads as absent. */
  async readPayload(e: Entry): Promise<Buffer | undefined> {
    if (this.expired(e)) return void (await this.remove(e));
    this.index.touch(e);
    let data: Buffer;
    try {
      data = await this.io(() => readFile(this.path(e.file)));
    } catch {
      return void (await this.remove(e));
    }
    const h = decodeHeader(data, data.length);
    if (!h || h.kind !== e.kind || h.key !== e.key) return void (await this.remove(e));
    // A concurrent set may have replaced the file since the index was read: its header decides.
    if (h.expiresAt !== 0 && h.expiresAt <= this.now()) return undefined;
    return data.subarray(h.payloadOffset);
  }

  async readMembers(e: Entry): Promise<string[] | undefined> {
    const payload = await this.readPayload(e);
    if (!payload) return undefined;
    try {
      const members: unknown = JSON.parse(payload.toString('utf8'));
      if (Array.isArray(members) && members.every((m) => typeof m === 'string')) return members;
    } catch {
      // corrupt: dropped below
    }
    await this.remove(e);
    return undefined;
  }

  /** Writes the entry's file (the caller holds its lock). */
  async write(kind: EntryKind, key: string, expiresAt: number, payload: Buffer): Promise<void> {
    const file = entryName(kind, key);
    const header = encodeHeader({ kind, key, expiresAt, payloadBytes: payload.length });
    const temp = `${file}.${process.pid}.${++this.tempFiles}.tmp`;
    try {
      await this.io(() => writeFile(this.path(temp), [header, payload], { flag: 'wx' }));
      await rename(this.path(temp), this.path(file));
    } catch (err) {
      await this.unlinkQuietly(temp);
      throw err;
    }
    this.index.remember({ file, kind, key, expiresAt, bytes: header.length + payload.length });
  }

  /** Forgets and deletes the entry's file (the caller holds its lock). */
  async discard(kind: EntryKind, key: string): Promise<void> {
    const file = entryName(kind, key);
    this.index.forget(file);
    await this.unlinkQuietly(file);
  }

  /** Deletes entries, each under its lock; resolves with how many were live. */
  async deleteEntries(kind: EntryKind, keys: readonly string[]): Promise<number> {
    let existed = 0;
    await this.forEach(keys, (key) => {
      const file = entryName(kind, key);
      return this.locks.run(file, async () => {
        const e = this.index.forget(file);
        if (!e) return;
        if (!this.expired(e)) existed++;
        await this.unlinkQuietly(file);
      });
    });
    return existed;
  }

  /** Brings the folder back under maxBytes; concurrent callers share one pass. */
  evict(): Promise<void> {
    if (this.index.bytes <= this.maxBytes) return Promise.resolve();
    this.evicting ??= (async () => {
      try {
        while (this.index.bytes > this.maxBytes) {
          const victim = this.index.leastRecent('v') ?? this.index.leastRecent('s');
          if (!victim) break;
          await this.locks.run(victim.file, async () => {
            if (this.index.get(victim.file) !== victim) return;
            if (victim.kind === 's') return this.dropSet(victim);
            this.index.forget(victim.file);
            await this.unlinkQuietly(victim.file);
          });
        }
      } finally {
        this.evicting = undefined;
      }
    })();
    return this.evicting;
  }

  async clear(): Promise<void> {
    // Files on disk and entries in the index (a file may have vanished under us).
    const names = (await readdir(this.dir)).filter((n) => ENTRY_NAME.test(n));
    const files = new Set([...names, ...this.index.files()]);
    await this.forEach([...files], (file) =>
      this.locks.run(file, async () => {
        this.index.forget(file);
        await this.unlinkQuietly(file);
      }),
    );
  }

  /** Settles once the running eviction and every file operation queued so far have. */
  async settled(): Promise<void> {
    await Promise.allSettled([this.evicting, this.locks.settled()]);
  }

  /** Removes this entry unless it was replaced meanwhile. */
  private remove(e: Entry): Promise<void> {
    return this.locks.run(e.file, async () => {
      if (this.index.get(e.file) !== e) return;
      this.index.forget(e.file);
      await this.unlinkQuietly(e.file);
    });
  }

  /** Drops a set (already under its lock) and the values it indexes. */
  private async dropSet(e: Entry): Promise<void> {
    let members: string[] = [];
    try {
      const data = await this.io(() => readFile(this.path(e.file)));
      const h = decodeHeader(data, data.length);
      const parsed: unknown = h?.kind === 's' && JSON.parse(data.subarray(h.payloadOffset).toString('utf8'));
      if (Array.isArray(parsed)) members = parsed.filter((m): m is string => typeof m === 'string');
    } catch {
      // unreadable: nothing more to drop
    }
    if (this.index.get(e.file) === e) this.index.forget(e.file);
    await this.unlinkQuietly(e.file);
    await this.deleteEntries('v', members);
  }

  private path(file: string): string {
    return join(this.dir, file);
  }

  private unlinkQuietly(file: string): Promise<void> {
    return unlink(this.path(file)).catch(() => undefined);
  }
}
