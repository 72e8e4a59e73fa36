import { globMatcher } from '../../core/cache/invalidation/glob';
import type { CacheDriver } from '../../ports/cache-driver';
import { CacheDriverError } from './cache-driver-error';
import { DiskEntryStore } from './disk-cache-store';

export interface DiskCacheDriverOptions {
  /** This cache's folder (created if missing); it is the namespace: clear() empties only it. */
  readonly dir: string;
  /** Most bytes of entry files kept (headers included, file-system blocks not counted). */
  readonly maxBytes: number;
  /** Epoch ms; default `Date.now`. Injected so expiry is deterministic in tests. */
  readonly now?: () => number;
}

/**
 * The L2 tier on local disk (Lambda's /tmp, which survives between invocations of one environment):
 * one file per entry, LRU under `maxBytes` (disk-cache-store.ts keeps the files, the index and the
 * eviction). An entry larger than `maxBytes` is not stored (and any older value of its key is
 * deleted). Every failure of the disk rejects with a CacheDriverError.
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
  const { dir } = options;
  const now = options.now ?? Date.now;
  const store = new DiskEntryStore(dir, options.maxBytes, now);
  let closed = false;

  const ready = store.rebuild();
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

  return {
    name: 'disk',
    get: (key) =>
      guard('get', async () => {
        const e = store.entry('v', key);
        return e && (await store.readPayload(e));
      }),
    getMany: (keys) =>
      guard('getMany', async () => {
        const out: (Uint8Array | undefined)[] = new Array(keys.length).fill(undefined);
        await store.forEach(keys, async (key, i) => {
          const e = store.entry('v', key);
          out[i] = e && (await store.readPayload(e));
        });
        return out;
      }),
    set: (key, value, ttlMs) =>
      guard('set', async () => {
        // No TTL left, or too large for this tier: what was stored before must not stay behind.
        if ((ttlMs !== undefined && !(ttlMs > 0)) || !store.fits(key, value.byteLength))
          return void (await store.deleteEntries('v', [key]));
        const expiresAt = ttlMs === undefined || ttlMs === Number.POSITIVE_INFINITY ? 0 : now() + ttlMs;
        const payload = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        await store.locked('v', key, () => store.write('v', key, expiresAt, payload));
        await store.evict();
      }),
    delete: (keys) => guard('delete', () => store.deleteEntries('v', keys)),
    deletePattern: (pattern) =>
      guard('deletePattern', () => store.deleteEntries('v', store.keys('v').filter(globMatcher(pattern)))),
    addToSet: (set, members, ttlMs) =>
      guard('addToSet', async () => {
        await store.locked('s', set, async () => {
          const old = store.entry('s', set);
          const live = old && !store.expired(old) ? old : undefined;
          const before = (live && (await store.readMembers(live))) ?? [];
          const merged = new Set([...before, ...members]);
          if (merged.size === 0) return;
          const ttl = ttlMs !== undefined && ttlMs > 0 ? ttlMs : undefined;
          // Like the Redis driver: a TTL only ever extends expiry; a set without expiry keeps none.
          let expiresAt = live ? live.expiresAt : ttl === undefined ? 0 : now() + ttl;
          if (live && ttl !== undefined && expiresAt !== 0) expiresAt = Math.max(expiresAt, now() + ttl);
          if (live && merged.size === before.length && expiresAt === live.expiresAt) return store.touch(live);
          const payload = Buffer.from(JSON.stringify([...merged]), 'utf8');
          if (store.fits(set, payload.length)) return store.write('s', set, expiresAt, payload);
          // An index too large to keep: its entries could no longer be invalidated, so they go too.
          await store.discard('s', set);
          await store.deleteEntries('v', [...merged]);
        });
        await store.evict();
      }),
    setMembers: (set) =>
      guard('setMembers', async () => {
        const e = store.entry('s', set);
        return (e && (await store.readMembers(e))) ?? [];
      }),
    deleteSet: (set) => guard('deleteSet', async () => void (await store.deleteEntries('s', [set]))),
    clear: () => guard('clear', () => store.clear()),
    async disconnect() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([ready, store.settled()]);
    },
  };
}
