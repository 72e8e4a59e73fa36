import type { RedisConnection } from './redis-connection';

/**
 * One cache's share of a Redis deployment: the connection and the key prefix, which its driver, its
 * lock and its bus all use (so the lock and the bus need the driver's keyspace, not the driver).
 *
 * Key layout under the prefix: `v:` values, `s:` sets, `l:` locks, `b:` bus channels. Values and
 * sets of the same name never collide (WRONGTYPE), and clear() can leave held locks alone.
 */
export interface RedisKeyspace {
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
}

export const valueKey = (prefix: string, key: string) => `${prefix}v:${key}`;
export const setKey = (prefix: string, set: string) => `${prefix}s:${set}`;
export const lockKey = (prefix: string, key: string) => `${prefix}l:${key}`;
export const channelKey = (prefix: string, channel: string) => `${prefix}b:${channel}`;
