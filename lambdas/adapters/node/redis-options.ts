import { CacheDriverError } from './cache-driver-error';

/** Where the L3 tier lives. */
export type RedisTopology =
  /** One primary (ElastiCache cluster mode disabled, or a local redis-server). */
  | { readonly mode: 'standalone'; readonly url: string }
  /** Redis Cluster / ElastiCache cluster mode enabled (Serverless too): seed nodes, slots discovered. */
  | { readonly mode: 'cluster'; readonly nodes: readonly RedisNode[] }
  /** Independent primaries, keys spread by client-side rendezvous hashing (rendezvous-hash.ts). */
  | { readonly mode: 'sharded'; readonly urls: readonly string[] };

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisConnectionSettings {
  /** TLS, as ElastiCache in-transit encryption needs (always on for Serverless); default false. A `rediss://` URL turns it on too. */
  readonly tls?: boolean;
  /** RBAC / ACL user; default: the URL's, else `default`. */
  readonly username?: string;
  /** AUTH token or RBAC password; default: the URL's, else none. */
  readonly password?: string;
  /** Default 2,000 ms: bounds TCP + TLS setup, so an unreachable node fails instead of hanging. */
  readonly connectTimeoutMs?: number;
  /** Default 500 ms: a command with no reply by then rejects (E_CACHE_TIMEOUT); a slower L3 read is worse than a miss. */
  readonly commandTimeoutMs?: number;
  /** Default 1: reconnection attempts a command caught by a disconnect may wait through before it rejects. */
  readonly maxRetriesPerRequest?: number;
  /** Default 1,000 ms: longest pause between reconnection attempts (exponential from 50 ms, ±20 % jitter). */
  readonly reconnectMaxDelayMs?: number;
  /** Errors the clients raise between commands (connection lost, reconnect failed); default: ignored. */
  readonly onError?: (err: Error) => void;
}

export type RedisCacheDriverOptions = RedisTopology &
  RedisConnectionSettings & {
    /**
     * The namespace (required): every key, set, lock and channel lives under it, and clear() and
     * deletePattern touch nothing else. No `{` or `}`: a hash tag in the prefix would put the whole
     * namespace in one cluster slot.
     */
    readonly keyPrefix: string;
  };

export interface ResolvedRedisSettings {
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly maxRetriesPerRequest: number;
  readonly reconnectMaxDelayMs: number;
  readonly onError: (err: Error) => void;
}

/** Every problem with the options (not just the first), or the settings with defaults applied. */
export function resolveRedisOptions(o: RedisCacheDriverOptions): ResolvedRedisSettings {
  const problems: string[] = [];
  if (typeof o.keyPrefix !== 'string' || o.keyPrefix.length === 0)
    problems.push('keyPrefix must be a non-empty string (the namespace clear() is limited to)');
  else if (/[{}]/.test(o.keyPrefix)) problems.push('keyPrefix must not contain { or } (a cluster hash tag)');
  if (o.mode === 'standalone') checkUrl(o.url, 'url', problems);
  else if (o.mode === 'cluster') {
    if (!Array.isArray(o.nodes) || o.nodes.length === 0)
      problems.push('nodes must list at least one seed node');
    else
      o.nodes.forEach((n, i) => {
        if (!n.host) problems.push(`nodes[${i}].host is empty`);
        if (!isPort(n.port)) problems.push(`nodes[${i}].port must be an integer from 1 to 65535`);
      });
  } else if (o.mode === 'sharded') {
    if (!Array.isArray(o.urls) || o.urls.length === 0) problems.push('urls must list at least one node');
    else {
      for (const [i, u] of o.urls.entries()) checkUrl(u, `urls[${i}]`, problems);
      const ids = o.urls.map((u) => safeNodeId(u));
      if (new Set(ids).size !== ids.length) problems.push('urls must name distinct host:port pairs');
    }
  } else problems.push(`mode must be standalone, cluster or sharded`);
  const positive = (name: string, value: number | undefined, fallback: number, min = 1) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer ≥ ${min}`);
    return value;
  };
  const settings: ResolvedRedisSettings = {
    tls: o.tls ?? false,
    username: o.username,
    password: o.password,
    connectTimeoutMs: positive('connectTimeoutMs', o.connectTimeoutMs, 2_000),
    commandTimeoutMs: positive('commandTimeoutMs', o.commandTimeoutMs, 500),
    maxRetriesPerRequest: positive('maxRetriesPerRequest', o.maxRetriesPerRequest, 1, 0),
    reconnectMaxDelayMs: positive('reconnectMaxDelayMs', o.reconnectMaxDelayMs, 1_000),
    onError: o.onError ?? (() => undefined),
  };
  if (problems.length > 0)
    throw new CacheDriverError(
      'E_CACHE_INVALID_OPTIONS',
      `invalid Redis cache options: ${problems.join('; ')}`,
      {
        details: problems,
      },
    );
  return settings;
}

const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65_535;

function checkUrl(url: unknown, name: string, problems: string[]): void {
  try {
    const u = new URL(String(url));
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
      problems.push(`${name} must be redis:// or rediss://`);
  } catch {
    problems.push(`${name} is not a URL`);
  }
}

/** `host:port` of a node URL: its identity on the hash ring (credentials and scheme left out). */
export function nodeId(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '6379'}`;
}

function safeNodeId(url: string): string {
  try {
    return nodeId(url);
  } catch {
    return url;
  }
}
