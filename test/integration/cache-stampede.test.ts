import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { createRedisCacheDriver, createRedisLock } from '../../lambdas/adapters/node/redis-cache-driver';
import { createTieredCache } from '../../lambdas/core/cache/tiers/tiered-cache';
import type { StampedeChildConfig, StampedeChildResult } from '../helpers/cache-stampede-child';
import { killPid, ROOT } from '../helpers/processes';
import { type RedisServer, startRedis } from '../helpers/redis';

/**
 * Stampede protection across real processes sharing one redis-server as L3: with the distributed
 * lock, a key is loaded once however many processes miss it at the same moment. The children are
 * test/helpers/cache-stampede-child.ts bundled with esbuild (no TypeScript loader is installed);
 * they start together at a common timestamp sent once all of them are connected.
 */

let server: RedisServer | undefined;
let counter: Redis | undefined;
let dir: string | undefined;
let childScript = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-stampede-'));
  childScript = join(dir, 'cache-stampede-child.mjs');
  const [redis] = await Promise.all([
    startRedis(),
    build({
      entryPoints: [join(ROOT, 'test/helpers/cache-stampede-child.ts')],
      outfile: childScript,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      // ioredis is CommonJS: its require() calls need a require in the ESM bundle.
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    }),
  ]);
  server = redis;
  counter = new Redis(redis.url);
});
afterAll(async () => {
  counter?.disconnect();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null) killPid(child.pid as number);
  children.clear();
});

interface Child {
  readonly ready: Promise<void>;
  readonly result: Promise<StampedeChildResult>;
  start(at: number): void;
}

function spawnChild(config: StampedeChildConfig, timeoutMs: number): Child {
  const child = spawn(process.execPath, [childScript, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d;
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const result = new Promise<StampedeChildResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      killPid(child.pid as number);
      reject(new Error(`stampede child ${child.pid} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`child exited with ${code}\n${stderr}`));
      else resolve(JSON.parse(last) as StampedeChildResult);
    });
  });
  // A child that dies before it is ready must fail the test, not hang it.
  const readyOrDead = Promise.race([ready, result.then(() => Promise.reject(new Error('exited early')))]);
  readyOrDead.catch(() => undefined);
  return { ready: readyOrDead, result, start: (at) => child.stdin?.end(`${at}\n`) };
}

/** Long enough that every process misses while the first load runs (they start within ms of each other). */
const LOADER_MS = 500;

/** Runs `processes` children against the same keys, started together; returns their results and load counts. */
async function stampede(processes: number, lock: boolean) {
  const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `product:${k}`);
  const config: StampedeChildConfig = {
    url: (server as RedisServer).url,
    prefix: `stampede:${randomUUID()}:`,
    countPrefix: `loads:${randomUUID()}:`,
    keys,
    callsPerKey: 25,
    loaderMs: LOADER_MS,
    lock,
  };
  const spawned = Array.from({ length: processes }, () => spawnChild(config, 30_000));
  await Promise.all(spawned.map((c) => c.ready));
  const startAt = Date.now() + 200;
  for (const c of spawned) c.start(startAt);
  const results = await Promise.all(spawned.map((c) => c.result));
  const redis = counter as Redis;
  const loads = Object.fromEntries(
    await Promise.all(
      keys.map(async (k) => [k, Number(await redis.get(`${config.countPrefix}${k}`))] as const),
    ),
  );
  return { keys, results, loads };
}

describe('stampede protection across processes (one redis-server as L3)', () => {
  it('4 processes × 25 concurrent calls for each of 5 keys, all at once: each key is loaded exactly once', async () => {
    const { keys, results, loads } = await stampede(4, true);
    expect(loads).toEqual(Object.fromEntries(keys.map((k) => [k, 1])));
    for (const r of results) {
      expect(r.rejected).toBe(0);
      // The processes really overlapped: each started before the first load could have finished.
      expect(r.startLagMs).toBeLessThan(LOADER_MS);
    }
    // Every caller in every process got the value of that one load.
    for (const key of keys) {
      const ids = new Set(results.flatMap((r) => r.loadIds[key] ?? []));
      expect([...ids], key).toHaveLength(1);
    }
    const total = (f: keyof StampedeChildResult['loader']) => results.reduce((n, r) => n + r.loader[f], 0);
    expect(total('calls')).toBe(keys.length);
    // Three processes per key waited on the lock and took the holder's value from L3.
    expect(total('lockWaits') + total('peerLoads')).toBeGreaterThanOrEqual(keys.length * 3);
    expect(total('coalescedWaits')).toBe(4 * keys.length * 24);
  });

  it('control: without the lock the same run loads a key more than once (what the lock prevents)', async () => {
    const { keys, results, loads } = await stampede(4, false);
    const total = Object.values(loads).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(keys.length);
    // Still at most once per process and key: in-process coalescing holds without the lock.
    for (const key of keys) expect(loads[key]).toBeLessThanOrEqual(4);
    expect(results.every((r) => r.rejected === 0)).toBe(true);
  });
});

describe('stampede protection in one process', () => {
  it('200 concurrent getOrSet of one key: one loader call, one L3 read, every caller gets its value', async () => {
    const s = server as RedisServer;
    const prefix = `one:${randomUUID()}:`;
    const driver = createRedisCacheDriver({ mode: 'standalone', url: s.url, keyPrefix: prefix });
    const cache = createTieredCache({
      clock: systemClock,
      l3: { driver, timeoutMs: 2_000 },
      lock: createRedisLock(driver),
    });
    try {
      let calls = 0;
      const loader = async (key: string) => {
        calls++;
        await delay(100);
        return { key, load: calls };
      };
      const started = Date.now();
      const values = await Promise.all(Array.from({ length: 200 }, () => cache.getOrSet('hot', loader)));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(calls).toBe(1);
      expect(values).toEqual(Array(200).fill({ key: 'hot', load: 1 }));
      expect(cache.stats().loader).toMatchObject({ calls: 1, coalescedWaits: 199, lockWaits: 0 });
      const l3 = cache.stats().tiers.find((t) => t.tier === 'L3');
      expect(l3).toMatchObject({ misses: 1, sets: 1, errors: 0, timeouts: 0 });
      // The value is in L3 for the next process, and the lock was released.
      await cache.idle();
      const redis = counter as Redis;
      expect(await redis.exists(`${prefix}v:hot`)).toBe(1);
      expect(await redis.exists(`${prefix}l:hot`)).toBe(0);
    } finally {
      await cache.close();
      await driver.disconnect();
    }
  });
});
