import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CacheDriverError } from './cache-driver-error';
import { hashTag, keySlot } from './key-slot';
import { firstAttempt, newCluster, newRedis, quit, type RedisClient, withDeadline } from './redis-clients';
import {
  nodeId,
  type RedisCacheDriverOptions,
  type RedisTopology,
  type ResolvedRedisSettings,
  resolveRedisOptions,
} from './redis-options';
import { RendezvousHash } from './rendezvous-hash';

export type { RedisClient } from './redis-clients';

/** Keys one multi-key command can carry: one slot (cluster), one node (sharded). */
export interface KeyGroup {
  readonly client: RedisClient;
  readonly indexes: readonly number[];
}

/**
 * Most keys per MGET/UNLINK and members per SADD: ElastiCache Serverless takes at most 3,999
 * arguments per command, and one huge command stalls a single-threaded server for everyone.
 */
export const CHUNK = 1_000;

/**
 * The clients of one topology, with the fail-fast settings every L3 call relies on: no offline
 * queue (a down server rejects at once instead of piling commands up), a command timeout, no replay
 * of commands whose outcome is unknown after a reconnect, and reconnection in the background so the
 * driver recovers by itself when the server is back.
 */
export interface RedisConnection {
  readonly topology: RedisTopology;
  readonly settings: ResolvedRedisSettings;
  /** The client that serves `key` (the cluster client routes by slot itself). */
  clientFor(key: string): RedisClient;
  /** Sharded: index of the node owning `key` on the ring; 0 otherwise. */
  shardOf(key: string): number;
  /** Keys (by index) grouped and chunked so each group is one MGET/UNLINK. */
  groups(keys: readonly string[]): KeyGroup[];
  /** Every primary, to SCAN each (keys live on all of them). */
  masters(): Promise<Redis[]>;
  /** A new dedicated pub/sub connection (lazy: the caller connects it and closes it). */
  openSubscriber(shard: number): RedisClient;
  /**
   * Runs one driver operation: waits for the first connection attempt to settle, maps errors to
   * CacheDriverError and, when `bounded`, rejects after commandTimeoutMs whatever ioredis is still
   * retrying (cluster redirections retry below the per-command timeout).
   */
  run<T>(operation: string, fn: () => Promise<T>, bounded?: boolean): Promise<T>;
  close(): Promise<void>;
}

export function openRedisConnection(options: RedisCacheDriverOptions): RedisConnection {
  const settings = resolveRedisOptions(options);
  const topology = options;
  let closed = false;
  const clients: RedisClient[] = [];
  const firstAttempts: Promise<void>[] = [];
  // Kept for the message of E_CACHE_UNAVAILABLE: "Stream isn't writeable" alone hides WRONGPASS.
  let lastError: Error | undefined;
  const track = <C extends RedisClient>(client: C): C => {
    client.on('error', (err: Error) => {
      lastError = err;
      settings.onError(err);
    });
    client.on('ready', () => {
      lastError = undefined;
    });
    clients.push(client);
    firstAttempts.push(firstAttempt(client, settings.connectTimeoutMs));
    return client;
  };

  let clientFor: (key: string) => RedisClient;
  let shardOf: (key: string) => number = () => 0;
  let groups: (keys: readonly string[]) => KeyGroup[];
  let masters: () => Promise<Redis[]>;
  let openSubscriber: (shard: number) => RedisClient;

  if (topology.mode === 'cluster') {
    const cluster = track(newCluster(topology.nodes, settings));
    clientFor = () => cluster;
    groups = (keys) => chunked(groupBy(keys, keySlot), () => cluster);
    masters = async () => {
      const nodes = cluster.nodes('master');
      if (nodes.length === 0) throw new Error("Cluster isn't ready: no master known");
      return nodes;
    };
    openSubscriber = () =>
      newCluster(topology.nodes, settings, { shardedSubscribers: true, lazyConnect: true });
  } else {
    const urls = topology.mode === 'sharded' ? topology.urls : [topology.url];
    const nodes = urls.map((url) => track(newRedis(url, settings)));
    const shards = new RendezvousHash(nodes.map((_, i) => ({ id: nodeId(urls[i] as string), value: i })));
    shardOf = nodes.length === 1 ? () => 0 : (key) => shards.nodeFor(hashTag(key));
    clientFor = (key) => nodes[shardOf(key)] as Redis;
    groups = (keys) => chunked(groupBy(keys, shardOf), (shard) => nodes[shard] as Redis);
    masters = async () => nodes;
    openSubscriber = (shard) => newRedis(urls[shard] as string, settings, { lazyConnect: true });
  }

  const firstAttemptsSettled = Promise.all(firstAttempts);
  return {
    topology,
    settings,
    clientFor,
    shardOf,
    groups,
    masters,
    openSubscriber,
    async run(operation, fn, bounded = true) {
      if (closed) throw new CacheDriverError('E_CACHE_CLOSED', `redis ${operation}: disconnected`);
      try {
        await firstAttemptsSettled;
        return await (bounded ? withDeadline(fn(), settings.commandTimeoutMs) : fn());
      } catch (err) {
        throw toCacheError(err, operation, lastError);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(clients.map((c) => quit(c, settings.commandTimeoutMs)));
    },
  };
}

function groupBy(keys: readonly string[], by: (key: string) => number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const g = by(key);
    const list = out.get(g);
    if (list) list.push(i);
    else out.set(g, [i]);
  });
  return out;
}

function chunked(byGroup: Map<number, number[]>, client: (group: number) => RedisClient): KeyGroup[] {
  const out: KeyGroup[] = [];
  for (const [group, indexes] of byGroup)
    for (let i = 0; i < indexes.length; i += CHUNK)
      out.push({ client: client(group), indexes: indexes.slice(i, i + CHUNK) });
  return out;
}

/** ioredis' errors by what they mean to a cache: unavailable, timed out, or refused by the server. */
export function toCacheError(err: unknown, operation: string, lastError?: Error): CacheDriverError {
  if (err instanceof CacheDriverError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  const code =
    message === 'Command timed out'
      ? 'E_CACHE_TIMEOUT'
      : name === 'ReplyError' && !/^(CLUSTERDOWN|LOADING|TRYAGAIN|MASTERDOWN)/.test(message)
        ? 'E_CACHE_BACKEND'
        : 'E_CACHE_UNAVAILABLE';
  const context =
    code === 'E_CACHE_UNAVAILABLE' && lastError ? ` (last connection error: ${lastError.message})` : '';
  return new CacheDriverError(code, `redis ${operation}: ${message}${context}`, { cause: err });
}

/** EVALSHA, falling back to EVAL once per server that has not cached the script yet. */
export async function evalScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}
