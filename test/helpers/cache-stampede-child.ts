import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { createRedisCacheDriver, createRedisLock } from '../../lambdas/adapters/node/redis-cache-driver';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';

/**
 * One process of the cross-process stampede test (test/integration/cache-stampede.test.ts), which
 * bundles this file with esbuild and runs it with node. It connects, prints `ready`, waits for the
 * common start time (epoch ms) on stdin, then fires `callsPerKey` concurrent getOrSet for each key
 * at once and prints one JSON line: the distinct values each key got and the loader stats.
 * Every loader call INCRs `<countPrefix><key>` on the same server, outside the cache's namespace,
 * so the parent can count loads across all processes.
 */
export interface StampedeChildConfig {
  readonly url: string;
  readonly prefix: string;
  readonly countPrefix: string;
  readonly keys: readonly string[];
  readonly callsPerKey: number;
  readonly loaderMs: number;
  readonly lock: boolean;
}

export interface StampedeChildResult {
  readonly pid: number;
  /** key → the distinct `loadId`s its calls returned (one when every caller got the same load). */
  readonly loadIds: Record<string, string[]>;
  readonly calls: number;
  readonly rejected: number;
  readonly loader: { calls: number; coalescedWaits: number; lockWaits: number; peerLoads: number };
  readonly startLagMs: number;
  readonly elapsedMs: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as StampedeChildConfig;
  const counter = new Redis(config.url, { maxRetriesPerRequest: 1 });
  const driver = createRedisCacheDriver({ mode: 'standalone', url: config.url, keyPrefix: config.prefix });
  const cache = createTieredCache({
    clock: systemClock,
    // Generous: this tests the lock, not the timeout; a tier call timing out on a busy 2-core machine
    // would (correctly) load without the lock and read as a failure of what is tested.
    l3: { driver, timeoutMs: 2_000 },
    ...(config.lock ? { lock: createRedisLock(driver) } : {}),
    lockWaitMs: 10_000,
  });
  await counter.ping();
  await driver.get('warm-up');

  const loader = async (key: string) => {
    await counter.incr(`${config.countPrefix}${key}`);
    await delay(config.loaderMs);
    return { key, loadId: `${process.pid}:${randomUUID()}` };
  };

  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  const startAt = Number(await new Promise<string>((resolve) => lines.once('line', resolve)));
  lines.close();
  await delay(Math.max(0, startAt - Date.now()));

  const started = Date.now();
  const loadIds = new Map<string, Set<string>>(config.keys.map((k) => [k, new Set<string>()]));
  let rejected = 0;
  await Promise.all(
    config.keys.flatMap((key) =>
      Array.from({ length: config.callsPerKey }, async () => {
        try {
          const value = await cache.getOrSet(key, loader);
          loadIds.get(key)?.add(value.key === key ? value.loadId : `wrong key ${value.key}`);
        } catch {
          rejected++;
        }
      }),
    ),
  );
  const elapsedMs = Date.now() - started;
  const { calls, coalescedWaits, lockWaits, peerLoads } = cache.stats().loader;
  const result: StampedeChildResult = {
    pid: process.pid,
    loadIds: Object.fromEntries([...loadIds].map(([k, ids]) => [k, [...ids]])),
    calls: config.keys.length * config.callsPerKey,
    rejected,
    loader: { calls, coalescedWaits, lockWaits, peerLoads },
    startLagMs: started - startAt,
    elapsedMs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await cache.close();
  await driver.disconnect();
  counter.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
