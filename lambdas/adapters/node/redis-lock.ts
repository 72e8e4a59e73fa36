import { randomBytes } from 'node:crypto';
import type { DistributedLock } from '../../ports/cache-driver';
import { evalScript, luaScript } from './redis-connection';
import { lockKey, type RedisKeyspace } from './redis-keyspace';

/** Deletes the lock only if it still holds this token: a holder whose lock expired cannot free the next one's. */
const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/**
 * `SET <prefix>l:<key> <token> NX PX <ttl>` on the node owning the key (its slot in cluster mode,
 * its ring node when sharded). A single-node lock, not Redlock: if that node fails over or dies
 * the lock can be lost, so use it where a second holder costs work (stampede protection), not
 * where it breaks correctness. The TTL bounds how long a crashed holder blocks others.
 */
export function createRedisLock(driver: RedisKeyspace): DistributedLock {
  const { connection, keyPrefix } = driver;
  return {
    acquire: (key, ttlMs) =>
      connection.run('lock.acquire', async () => {
        const full = lockKey(keyPrefix, key);
        const token = randomBytes(16).toString('base64url');
        const ttl = Math.max(1, Math.ceil(ttlMs));
        const ok = await connection.clientFor(full).set(full, token, 'PX', ttl, 'NX');
        return ok === 'OK' ? token : undefined;
      }),
    release: (key, token) =>
      connection.run('lock.release', async () => {
        const full = lockKey(keyPrefix, key);
        return (await evalScript(connection.clientFor(full), RELEASE, [full], [token])) === 1;
      }),
  };
}
