import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { RedisNode, ResolvedRedisSettings } from './redis-options';

/** ioredis clients with the fail-fast settings every L3 call relies on (see RedisConnection). */

export type RedisClient = Redis | Cluster;

function commonOptions(s: ResolvedRedisSettings): RedisOptions {
  const retry = (times: number) =>
    Math.round(Math.min(s.reconnectMaxDelayMs, 50 * 2 ** Math.min(times, 10)) * (0.8 + Math.random() * 0.4));
  return {
    connectTimeout: s.connectTimeoutMs,
    commandTimeout: s.commandTimeoutMs,
    maxRetriesPerRequest: s.maxRetriesPerRequest,
    enableOfflineQueue: false,
    // A write whose reply was lost may or may not have happened; replaying it later could put back a
    // value that was deleted since. Better to reject and let the caller decide.
    autoResendUnfulfilledCommands: false,
    // Commands issued in one tick leave in one write: many concurrent requests share packets.
    enableAutoPipelining: true,
    retryStrategy: retry,
    ...(s.tls ? { tls: {} } : {}),
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.password === undefined ? {} : { password: s.password }),
  };
}

export function newRedis(url: string, s: ResolvedRedisSettings, extra: RedisOptions = {}): Redis {
  return new Redis(url, { ...commonOptions(s), ...extra });
}

export function newCluster(
  nodes: readonly RedisNode[],
  s: ResolvedRedisSettings,
  extra: ClusterOptions = {},
): Cluster {
  // Cluster-level settings replace these three: ioredis takes them from the Cluster options.
  const {
    retryStrategy,
    enableAutoPipelining: _pipelining,
    enableOfflineQueue: _queue,
    ...redisOptions
  } = commonOptions(s);
  const retry = retryStrategy as (times: number) => number;
  return new Cluster(
    nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      enableOfflineQueue: false,
      // Not in cluster mode: ioredis follows a MOVED reply inside an auto-pipeline only when every
      // command in it got the same one, so after a failover or reshard each key would fail on its
      // own. Per-slot commands sent in the same tick are still in flight together.
      enableAutoPipelining: false,
      clusterRetryStrategy: retry,
      // A node that restarts at the same address is reconnected, not dropped from the pool until
      // the next slot refresh.
      clusterNodeRetryStrategy: retry,
      // Picks up failovers and resharding even when no MOVED reply announces them (ioredis 5 has
      // no periodic refresh unless asked).
      slotsRefreshInterval: 5_000,
      slotsRefreshTimeout: s.connectTimeoutMs,
      // ElastiCache TLS certificates name the configuration endpoint, not the node IPs the cluster
      // reports: keep the host names as given so TLS verification passes (ioredis README).
      ...(s.tls
        ? { dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address) }
        : {}),
      redisOptions,
      ...extra,
    },
  );
}

/** Resolves on the client's first ready, error or close, or after timeoutMs: never rejects. */
export function firstAttempt(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const e of ['ready', 'error', 'close', 'end']) client.off(e, done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    for (const e of ['ready', 'error', 'close', 'end']) client.once(e, done);
  });
}

export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  // One promise and one timer, no race: it wraps every command.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Command timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export async function quit(client: RedisClient, timeoutMs: number): Promise<void> {
  try {
    if (client.status === 'ready') await withDeadline(client.quit(), timeoutMs);
  } catch {
    // closing anyway
  } finally {
    client.disconnect();
  }
}
