import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../adapters/node/clock';
import { createDiskCacheDriver } from '../adapters/node/disk-cache-driver';
import { createRedisBus, createRedisCacheDriver, createRedisLock } from '../adapters/node/redis-cache-driver';
import { createZlibCompressor } from '../adapters/node/zlib-compressor';
import type { CacheConfig } from '../config/cache';
import { createTieredCache, type TieredCache } from '../core/cache/tiers/tiered-cache';
import type { Log } from '../ports/log';

/**
 * The platform's own cache (responses of its read paths): L1 in memory, L2 on local disk, L3 on
 * Valkey/Redis when one is configured (locally THROUGHLINE_REDIS_URL, on AWS the CacheTier's
 * cluster), with the cross-process lock and the invalidation bus on L3.
 */

const KEY_PREFIX = 'throughline:';

export interface PlatformCacheSetting {
  readonly config: CacheConfig;
  /** Folder of the L2 tier (the data folder locally, /tmp on Lambda). */
  readonly diskDir: string;
  /** Lambda: short L1 life (a frozen instance misses bus messages) and a per-instance disk. */
  readonly runtime: 'local' | 'lambda';
  readonly log: Log;
  /** ElastiCache AUTH token, read from Secrets Manager on AWS. */
  readonly password?: string;
}

export function platformCache(s: PlatformCacheSetting): TieredCache | undefined {
  if (!s.config.enabled) return undefined;
  const lambda = s.runtime === 'lambda';
  const redis = s.config.redis
    ? createRedisCacheDriver({
        ...(s.config.redis.mode === 'standalone'
          ? { mode: 'standalone' as const, url: s.config.redis.url }
          : {
              mode: 'cluster' as const,
              nodes: [{ host: s.config.redis.host, port: s.config.redis.port }],
              tls: s.config.redis.tls,
            }),
        keyPrefix: KEY_PREFIX,
        ...(s.password ? { password: s.password } : {}),
        onError: (err) => s.log.error('cache L3 connection', { error: err.message }),
      })
    : undefined;
  return createTieredCache({
    clock: systemClock,
    l1Policy: 'adaptive',
    l1MaxEntries: 5_000,
    ...(lambda ? { l1TtlMs: 5_000 } : {}),
    l2: {
      driver: createDiskCacheDriver({ dir: join(s.diskDir, 'cache'), maxBytes: s.config.diskMaxBytes }),
      ...(lambda ? { ttlMs: 30_000 } : {}),
    },
    ...(redis ? { l3: { driver: redis }, lock: createRedisLock(redis), bus: createRedisBus(redis) } : {}),
    compressor: createZlibCompressor(),
  });
}

/** Lambda: reads the AUTH token once per container (top-level await in the entry). */
export async function lambdaPlatformCache(config: CacheConfig, region: string, log: Log) {
  let password: string | undefined;
  if (config.redis && config.authSecretArn) {
    const secrets = new SecretsManagerClient({ region });
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: config.authSecretArn }));
    password = out.SecretString;
  }
  return platformCache({
    config,
    diskDir: '/tmp/throughline',
    runtime: 'lambda',
    log,
    ...(password ? { password } : {}),
  });
}
