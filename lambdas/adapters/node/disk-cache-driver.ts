import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { globMatcher } from '../../core/cache/invalidation/glob';
import type { CacheDriver } from '../../ports/cache-driver';
import { CacheDriverError } from './cache-driver-error';
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
import {
  type Entry,
  EntryIndex,
  forEachLimited as eachLimited,
  FileLocks,
  limiter,
} from './disk-cache-index';

export interface DiskCacheDriverOptions {
  /** This cache's folder (created if missing); it is the namespace: clear() empties only it. */
  readonly dir: string;
  /** Most bytes of entry files kept (headers included, file-system blocks not counted). */
  readonly maxBytes: number;
  /** Epoch ms; default `Date.now`. Injected so expiry is deterministic in tests. */
  readonly now?: () => number;
}

/**
 * Files open at once across all calls (Lambda allows 1,024 descriptors per environment, shared with
 * sockets), and per bulk call (getMany, rebuild, deletes) so one call cannot take every slot.
 */
const OPEN_FILES = 64;
const PARALLEL_FILES = 32;

/**
 * The L2 tier on local disk (Lambda's /tmp, which survives between invocations of one environment).
 *
 * One process owns a folder: the in-memory index (rebuilt from the folder's headers at start, in
 * file modification order) is the authority on what exists, its order is recency, and operations on
 * one file are serialized in-process. Writes go to a temporary file renamed over the entry, so a
 * reader sees the old or the new entry, never half of one. Past `maxBytes` the least recently used
 * values go first; sets (tag and dependency indexes) go only when no value is left, and a set that
 * goes takes its members' values with it: an entry must not outlive the index that can invalidate
 * it. An entry larger than `maxBytes` is not stored (and any older value of its key is deleted).
 * Expired entries are removed when touched. Files that are truncated, foreign or corrupt are
 * removed, never served; files not named like ours are never touched.
 */
export function createDiskCacheDriver(options: DiskCacheDriverOptions): CacheDriver {
  const problems = [
    ...(typeof options.dir === 'string' && options.dir.length > 0 ? [] : ['dir must be a non-empty path']),
    ...(Number.isSafeInteger(options.maxBytes) && options.maxBytes > 0
      ? []
      : ['maxBytes must be a positive integer']),
  ];
  if (problems.length > 0) {
    const message = `invalid disk cache options: ${problems.join('; ')}`;
    throw new CacheDriverError('E_CACHE_INVALID_OPTIONS', message, { details: problems });
  }
  const { dir, maxBytes } = options;
  const now = options.now ?? Date.now;
  const index = new EntryIndex();
  const locks = new FileLocks();
  const io = limiter(OPEN_FILES);
  let tempFiles = 0;
  let closed = false;
  let evicting: Promise<void> | undefined;

  const path = (file: string) => join(dir, file);
  const expired = (e: Entry) => e.expiresAt !== 0 && e.expiresAt <= now();
  const unlinkQuietly = (file: string) => unlink(path(file)).catch(() => undefined);
  const forEachLimited = <T>(items: readonly T[], fn: (item: T, i: number) => Promise<unknown>) =>
    eachLimited(items, PARALLEL_FILES, fn);

  async function rebuild(): Promise<void> {
    await mkdir(dir, { recursive: true });
    const found: (Entry & { mtimeMs: number })[] = [];
    await forEachLimited(await readdir(dir), async (name) => {
      // A temporary file left by a crash mid-write.
      if (TEMP_NAME.test(name)) return void (await unlinkQuietly(name));
      if (!ENTRY_NAME.test(name)) return;
      const read = await io(() => readEntryFile(dir, name));
      if (read && !expired(read)) found.push(read);
      else await unlinkQuietly(name);
    });
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { mtimeMs: _, ...entry } of found) index.remember(entry);
    await evict();
  }

  const ready = rebuild();
  ready.catch(() => undefined);

  async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new CacheDriverError('E_CACHE_CLOSED', `disk cache ${operation}: disconnected`);
    try {
      await ready;
      return await fn();
    } catch (err) {
      if (err instanceof CacheDriverError) throw err;
      throw new CacheDriverError('E_CACHE_BACKEND', `disk cache ${operation} failed in ${dir}`, {
        cause: err,
      });
    }
  }

  /** The payload of a live entry; a missing, foreign or corrupt file is dropped and reads as absent. */
  async function readPayload(e: Entry): Promise<Buffer | undefined> {
    if (expired(e)) return void (await remove(e));
    index.touch(e);
    let data: Buffer;
    try {
      data = await io(() => readFile(path(e.file)));
    } catch {
      return void (await remove(e));
    }
    const h = decodeHeader(data, data.length);
    if (!h || h.kind !== e.kind || h.key !== e.key) return void (await remove(e));
    // A concurrent set may have replaced the file since the index was read: its header decides.
    if (h.expiresAt !== 0 && h.expiresAt <= now()) return undefined;
    return data.subarray(h.payloadOffset);
  }

  /** Removes this entry unless it was replaced meanwhile. */
  function remove(e: Entry): Promise<void> {
    return locks.run(e.file, async () => {
      if (index.get(e.file) !== e) return;
      index.forget(e.file);
      await unlinkQuietly(e.file);
    });
  }

  async function write(kind: EntryKind, key: string, expiresAt: number, payload: Buffer): Promise<void> {
    const file = entryName(kind, key);
    const header = encodeHeader({ kind, key, expiresAt, payloadBytes: payload.length });
    const temp = `${file}.${process.pid}.${++tempFiles}.tmp`;
    try {
      await io(() => writeFile(path(temp), [header, payload], { flag: 'wx' }));
      await rename(path(temp), path(file));
    } catch (err) {
      await unlinkQuietly(temp);
      throw err;
    }
    index.remember({ file, kind, key, expiresAt, bytes: header.length + payload.length });
  }

  const fits = (key: string, payloadBytes: number) =>
    payloadBytes <= MAX_PAYLOAD_BYTES && HEADER_BYTES + Buffer.byteLength(key) + payloadBytes <= maxBytes;

  async function deleteEntries(kind: EntryKind, keys: readonly string[]): Promise<number> {
    let existed = 0;
    await forEachLimited(keys, (key) => {
      const file = entryName(kind, key);
      return locks.run(file, async () => {
        const e = index.forget(file);
        if (!e) return;
        if (!expired(e)) existed++;
        await unlinkQuietly(file);
      });
    });
    return existed;
  }

  async function readMembers(e: Entry): Promise<string[] | undefined> {
    const payload = await readPayload(e);
    if (!payload) return undefined;
    try {
      const members: unknown = JSON.parse(payload.toString('utf8'));
      if (Array.isArray(members) && members.every((m) => typeof m === 'string')) return members;
    } catch {
      // corrupt: dropped below
    }
    await remove(e);
    return undefined;
  }

  /** Drops a set (already under its lock) and the values it indexes. */
  async function dropSet(e: Entry): Promise<void> {
    let members: string[] = [];
    try {
      const data = await io(() => readFile(path(e.file)));
      const h = decodeHeader(data, data.length);
      const parsed: unknown = h?.kind === 's' && JSON.parse(data.subarray(h.payloadOffset).toString('utf8'));
      if (Array.isArray(parsed)) members = parsed.filter((m): m is string => typeof m === 'string');
    } catch {
      // unreadable: nothing more to drop
    }
    if (index.get(e.file) === e) index.forget(e.file);
    await unlinkQuietly(e.file);
    await deleteEntries('v', members);
  }

  function evict(): Promise<void> {
    if (index.bytes <= maxBytes) return Promise.resolve();
    evicting ??= (async () => {
      try {
        while (index.bytes > maxBytes) {
          const victim = index.leastRecent('v') ?? index.leastRecent('s');
          if (!victim) break;
          await locks.run(victim.file, async () => {
            if (index.get(victim.file) !== victim) return;
            if (victim.kind === 's') return dropSet(victim);
            index.forget(victim.file);
            await unlinkQuietly(victim.file);
          });
        }
      } finally {
        evicting = undefined;
      }
    })();
    return evicting;
  }

  return {
    name: 'disk',
    get: (key) =>
      guard('get', async () => {
        const e = index.get(entryName('v', key));
        return e && (await readPayload(e));
      }),
    getMany: (keys) =>
      guard('getMany', async () => {
        const out: (Uint8Array | undefined)[] = new Array(keys.length).fill(undefined);
        await forEachLimited(keys, async (key, i) => {
          const e = index.get(entryName('v', key));
          out[i] = e && (await readPayload(e));
        });
        return out;
      }),
    set: (key, value, ttlMs) =>
      guard('set', async () => {
        // No TTL left, or too large for this tier: what was stored before must not stay behind.
        if ((ttlMs !== undefined && !(ttlMs > 0)) || !fits(key, value.byteLength))
          return void (await deleteEntries('v', [key]));
        const expiresAt = ttlMs === undefined || ttlMs === Number.POSITIVE_INFINITY ? 0 : now() + ttlMs;
        const payload = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        await locks.run(entryName('v', key), () => write('v', key, expiresAt, payload));
        await evict();
      }),
    delete: (keys) => guard('delete', () => deleteEntries('v', keys)),
    deletePattern: (pattern) =>
      guard('deletePattern', () => {
        const matches = globMatcher(pattern);
        const keys = [...index.values()].filter((e) => e.kind === 'v' && matches(e.key)).map((e) => e.key);
        return deleteEntries('v', keys);
      }),
    addToSet: (set, members, ttlMs) =>
      guard('addToSet', async () => {
        const file = entryName('s', set);
        await locks.run(file, async () => {
          const old = index.get(file);
          const live = old && !expired(old) ? old : undefined;
          const before = (live && (await readMembers(live))) ?? [];
          const merged = new Set([...before, ...members]);
          if (merged.size === 0) return;
          const ttl = ttlMs !== undefined && ttlMs > 0 ? ttlMs : undefined;
          // Like the Redis driver: a TTL only ever extends expiry; a set without expiry keeps none.
          let expiresAt = live ? live.expiresAt : ttl === undefined ? 0 : now() + ttl;
          if (live && ttl !== undefined && expiresAt !== 0) expiresAt = Math.max(expiresAt, now() + ttl);
          if (live && merged.size === before.length && expiresAt === live.expiresAt) return index.touch(live);
          const payload = Buffer.from(JSON.stringify([...merged]), 'utf8');
          if (fits(set, payload.length)) return write('s', set, expiresAt, payload);
          // An index too large to keep: its entries could no longer be invalidated, so they go too.
          index.forget(file);
          await unlinkQuietly(file);
          await deleteEntries('v', [...merged]);
        });
        await evict();
      }),
    setMembers: (set) =>
      guard('setMembers', async () => {
        const e = index.get(entryName('s', set));
        return (e && (await readMembers(e))) ?? [];
      }),
    deleteSet: (set) => guard('deleteSet', async () => void (await deleteEntries('s', [set]))),
    clear: () =>
      guard('clear', async () => {
        // Files on disk and entries in the index (a file may have vanished under us).
        const names = (await readdir(dir)).filter((n) => ENTRY_NAME.test(n));
        const files = new Set([...names, ...index.files()]);
        await forEachLimited([...files], (file) =>
          locks.run(file, async () => {
            index.forget(file);
            await unlinkQuietly(file);
          }),
        );
      }),
    async disconnect() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([ready, evicting, locks.settled()]);
    },
  };
}
