import type { CacheDriver } from '../../ports/cache-driver';
import { CHUNK, evalScript, luaScript, openRedisConnection } from './redis-connection';
import { type RedisKeyspace, setKey, valueKey } from './redis-keyspace';
import type { RedisCacheDriverOptions } from './redis-options';

export { createRedisBus, type RedisCacheBus } from './redis-bus';
export { createRedisLock } from './redis-lock';
export type { RedisCacheDriverOptions, RedisNode, RedisTopology } from './redis-options';

/** Escapes glob characters so the prefix matches only itself inside SCAN MATCH. */
export const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/** A Redis-backed driver, with its keyspace for its lock and bus (createRedisLock, createRedisBus). */
export type RedisCacheDriver = CacheDriver & RedisKeyspace;

/**
 * SADD, then expiry: a TTL only ever extends it (PEXPIRE when the set is new or would expire
 * sooner), and a set that exists without expiry keeps none, so adding a short-lived entry to a
 * long-lived tag never shortens the tag. One script, so no reader sees the set without its expiry.
 * ARGV[1]: TTL in ms or ''; ARGV[2..]: members.
 */
const ADD_TO_SET = luaScript(`
local before = redis.call('PTTL', KEYS[1])
if #ARGV > 1 then redis.call('SADD', KEYS[1], unpack(ARGV, 2)) end
local ttl = tonumber(ARGV[1])
if ttl and ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 and (before == -2 or (before >= 0 and before < ttl)) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1`);

/**
 * The L3 tier on ElastiCache (Valkey/Redis OSS) or any Redis: standalone, cluster, or independent
 * nodes sharded on the client (options in redis-options.ts). Every call rejects with a
 * CacheDriverError (`E_CACHE_UNAVAILABLE`, `E_CACHE_TIMEOUT`, `E_CACHE_BACKEND`, `E_CACHE_CLOSED`)
 * instead of waiting for a server that is down; the clients reconnect in the background.
 */
export function createRedisCacheDriver(options: RedisCacheDriverOptions): RedisCacheDriver {
  const connection = openRedisConnection(options);
  const { keyPrefix } = options;
  const run = connection.run;
  const v = (key: string) => valueKey(keyPrefix, key);

  /** UNLINK (frees memory off the main thread) per slot/node group; resolves with how many existed. */
  async function unlinkAll(keys: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      connection.groups(keys).map((g) => g.client.unlink(...g.indexes.map((i) => keys[i] as string))),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * SCAN MATCH on every primary (never KEYS: it blocks the server for the whole keyspace), deleting
   * each batch as it comes. Cluster: each batch's UNLINKs go through the cluster client, grouped by
   * slot; otherwise straight to the node scanned (a ring change must not send them elsewhere).
   */
  async function scanDelete(match: string): Promise<number> {
    const perNode = await Promise.all(
      (await connection.masters()).map(async (node) => {
        let deleted = 0;
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', CHUNK);
          cursor = next;
          if (keys.length === 0) continue;
          deleted +=
            connection.topology.mode === 'cluster' ? await unlinkAll(keys) : await node.unlink(...keys);
        } while (cursor !== '0');
        return deleted;
      }),
    );
    return perNode.reduce((a, b) => a + b, 0);
  }

  return {
    name: { standalone: 'redis', cluster: 'redis-cluster', sharded: 'redis-sharded' }[options.mode],
    connection,
    keyPrefix,
    get: (key) =>
      run('get', async () => {
        const full = v(key);
        return (await connection.clientFor(full).getBuffer(full)) ?? undefined;
      }),
    getMany: (keys) =>
      run('getMany', async () => {
        const full = keys.map(v);
        const out: (Uint8Array | undefined)[] = new Array(keys.length).fill(undefined);
        // All groups in flight at once: one round trip per node (auto-pipelined into one write per
        // node on standalone and sharded clients; one command per slot in cluster mode).
        await Promise.all(
          connection.groups(full).map(async (g) => {
            const values = await g.client.mgetBuffer(...g.indexes.map((i) => full[i] as string));
            g.indexes.forEach((index, j) => {
              out[index] = values[j] ?? undefined;
            });
          }),
        );
        return out;
      }),
    set: (key, value, ttlMs) =>
      run('set', async () => {
        const full = v(key);
        const client = connection.clientFor(full);
        // Already expired: what was stored before must not stay behind (PX 0 is an error).
        if (ttlMs !== undefined && !(ttlMs > 0)) return void (await client.unlink(full));
        const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (ttlMs === undefined || ttlMs === Number.POSITIVE_INFINITY) await client.set(full, bytes);
        else await client.set(full, bytes, 'PX', Math.max(1, Math.ceil(ttlMs)));
      }),
    delete: (keys) => run('delete', () => unlinkAll(keys.map(v))),
    deletePattern: (pattern) =>
      run('deletePattern', () => scanDelete(`${escapeGlob(keyPrefix)}v:${pattern}`), false),
    addToSet: (set, members, ttlMs) =>
      run('addToSet', async () => {
        const full = setKey(keyPrefix, set);
        const client = connection.clientFor(full);
        const ttl =
          ttlMs !== undefined && ttlMs > 0 && Number.isFinite(ttlMs) ? String(Math.ceil(ttlMs)) : '';
        const chunks: string[][] = [];
        for (let i = 0; i < members.length; i += CHUNK) chunks.push(members.slice(i, i + CHUNK));
        // Chunks are independent (SADD is a union, the expiry a max): all in one round trip.
        await Promise.all(
          (chunks.length ? chunks : [[]]).map((c) => evalScript(client, ADD_TO_SET, [full], [ttl, ...c])),
        );
      }),
    setMembers: (set) =>
      run('setMembers', async () => {
        const full = setKey(keyPrefix, set);
        return connection.clientFor(full).smembers(full);
      }),
    deleteSet: (set) =>
      run('deleteSet', async () => {
        const full = setKey(keyPrefix, set);
        await connection.clientFor(full).unlink(full);
      }),
    clear: () => run('clear', async () => void (await scanDelete(`${escapeGlob(keyPrefix)}[vs]:*`)), false),
    disconnect: () => connection.close(),
  };
}
