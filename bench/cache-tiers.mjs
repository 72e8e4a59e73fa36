// (e) The tiered cache against its peers, in one run, as ratios (the machine is shared and noisy):
//  a. getOrSet at L1-hit speed, one caller awaiting each call, on a Zipf key sequence that fits in
//     every cache (after a warm-up pass every call is a hit): Throughline (L1 only) vs bentocache
//     (memory driver, values kept as objects like ours, and its default serialised mode) vs
//     cache-manager 7 (its default Keyv in-memory store); lru-cache get/set is the synchronous ceiling.
//  b. getOrSet with L1 + L3 on a real redis-server: L1 holds 100 of 10,000 Zipf keys, so most calls
//     miss L1 and read L3 (filled by a warm-up pass, so the loader is rarely called); 16 concurrent
//     callers. Throughline (our Redis driver, no lock, no bus) vs bentocache (memory L1 in its default
//     serialised mode + its ioredis Redis driver, no bus). cache-manager has no Redis store installed (`@keyv/redis` is
//     absent), so it is compared in memory only (a).
//  c. Pipelined multi-get: our driver's getMany of 100 keys × rounds (keys/s; 1 and 16 getMany in
//     flight on one connection) vs `redis-benchmark -P 16 -t get` (50 clients) on the same server
//     and the same 10,000 keys of 100 bytes (requests/s).
// Each figure is the best of ROUNDS interleaved runs. The redis-server is started on a free port and
// stopped by PID at the end (also on failure or Ctrl-C). The TypeScript is bundled with esbuild.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { importBundled, round } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const L1_OPS = Number(process.env.BENCH_L1_OPS ?? 200_000);
const L1_KEYS = 1_000;
const L3_OPS = Number(process.env.BENCH_L3_OPS ?? 40_000);
const L3_KEYS = 10_000;
const L3_L1_ENTRIES = 100;
const L3_CONCURRENCY = 16;
const MGET_KEYS = 10_000;
const MGET_BATCH = 100;
const MGET_ROUNDS = Number(process.env.BENCH_MGET_ROUNDS ?? 3_000);
const VALUE_BYTES = 100;
const TTL_MS = 300_000;

const productOf = (key) => ({ id: key, name: `product ${key}`, description: 'x'.repeat(120), price: 9.99 });

/** Best (highest) ops/s over rounds, each peer run once per round, interleaved. */
async function best(peers, rounds, run) {
  const opsPerSecond = {};
  for (let r = 0; r < rounds; r++)
    for (const [name, peer] of Object.entries(peers)) {
      const { ops, seconds } = await run(peer);
      opsPerSecond[name] = Math.max(opsPerSecond[name] ?? 0, Math.round(ops / seconds));
    }
  return opsPerSecond;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

async function benchL1(m) {
  const trace = m.zipfTrace(L1_OPS, L1_KEYS, 0.9, 21);
  const values = new Map(Array.from({ length: L1_KEYS }, (_, i) => [`k${i}`, productOf(`k${i}`)]));
  let loads = 0;
  const load = (key) => {
    loads++;
    return values.get(key);
  };
  const bento = (serialize) =>
    new BentoCache({
      default: 'memory',
      stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize })) },
    });
  const tl = m.createTieredCache({ clock: m.systemClock, l1MaxEntries: 10_000, ttlMs: TTL_MS });
  const bentoObjects = bento(false);
  const bentoSerialized = bento(true);
  const cacheManager = createCache({ ttl: TTL_MS });
  const lru = new LRUCache({ max: 10_000, ttl: TTL_MS });
  const peers = {
    throughline: (key) => tl.getOrSet(key, load),
    bentocache: (key) => bentoObjects.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }),
    bentocacheSerialized: (key) => bentoSerialized.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }),
    cacheManager: (key) => cacheManager.wrap(key, () => load(key), TTL_MS),
  };
  const pass = async (getOrSet) => {
    const start = process.hrtime.bigint();
    for (const key of trace) await getOrSet(key);
    return { ops: trace.length, seconds: seconds(start) };
  };
  for (const getOrSet of Object.values(peers)) await pass(getOrSet); // fill and warm the JIT
  const loadsAfterWarmUp = loads;
  const opsPerSecond = await best(peers, ROUNDS, pass);
  const loaderCallsWhileTimed = loads - loadsAfterWarmUp;
  const lruPass = () => {
    const start = process.hrtime.bigint();
    for (const key of trace) if (lru.get(key) === undefined) lru.set(key, load(key));
    return { ops: trace.length, seconds: seconds(start) };
  };
  lruPass();
  const lruCeiling = (await best({ lru: null }, ROUNDS, lruPass)).lru;
  await Promise.all([bentoObjects.disconnect(), bentoSerialized.disconnect(), cacheManager.disconnect()]);
  await tl.close();
  const ratio = (peer) => round(opsPerSecond.throughline / opsPerSecond[peer]);
  return {
    what: `${L1_OPS} sequential getOrSet, Zipf(0.9) over ${L1_KEYS} keys, every call an L1 hit after a warm-up pass`,
    opsPerSecond: { ...opsPerSecond, lruCacheGetSetCeiling: lruCeiling },
    loaderCallsWhileTimed,
    ratio: {
      throughlineVsBentocache: ratio('bentocache'),
      throughlineVsBentocacheSerialized: ratio('bentocacheSerialized'),
      throughlineVsCacheManager: ratio('cacheManager'),
      throughlineVsLruCacheCeiling: round(opsPerSecond.throughline / lruCeiling),
    },
  };
}

async function benchL3(m, server) {
  const trace = m.zipfTrace(L3_OPS, L3_KEYS, 0.9, 22);
  let loads = 0;
  const load = (key) => {
    loads++;
    return productOf(key);
  };
  const driver = m.createRedisCacheDriver({ mode: 'standalone', url: server.url, keyPrefix: 'bench:tl:' });
  const tl = m.createTieredCache({
    clock: m.systemClock,
    ttlMs: TTL_MS,
    l1MaxEntries: L3_L1_ENTRIES,
    // The read path is measured, not the failure path: no call should time out on a busy machine.
    l3: { driver, timeoutMs: 1_000 },
  });
  const bento = new BentoCache({
    default: 'tiered',
    prefix: 'bench-bento',
    stores: {
      tiered: bentostore()
        // Its default (JSON in L1): bentocache 1.6.1 with `serialize: false` and an L2 crashes on
        // the first L2 hit (the promoted L1 copy is stored serialised, then read as an object).
        .useL1Layer(memoryDriver({ maxItems: L3_L1_ENTRIES }))
        .useL2Layer(redisDriver({ connection: { host: server.host, port: server.port } })),
    },
  });
  const peers = {
    throughline: (key) => tl.getOrSet(key, load),
    bentocache: (key) => bento.getOrSet({ key, factory: () => load(key), ttl: TTL_MS }),
  };
  const run = async (getOrSet, keys) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: L3_CONCURRENCY }, async () => {
        for (let i = next++; i < keys.length; i = next++) await getOrSet(keys[i]);
      }),
    );
    return { ops: keys.length, seconds: seconds(start) };
  };
  const everyKey = Array.from({ length: L3_KEYS }, (_, i) => `k${i}`);
  for (const getOrSet of Object.values(peers)) await run(getOrSet, everyKey); // fill L3
  const loadsAfterFill = loads;
  const statsBefore = tl.stats();
  const opsPerSecond = await best(peers, ROUNDS, (getOrSet) => run(getOrSet, trace));
  const stats = tl.stats();
  const tier = (s, label) => s.tiers.find((t) => t.tier === label);
  const delta = (label, field) => tier(stats, label)[field] - tier(statsBefore, label)[field];
  const l1Lookups = delta('L1', 'hits') + delta('L1', 'misses');
  const result = {
    what:
      `${L3_OPS} getOrSet by ${L3_CONCURRENCY} concurrent callers, Zipf(0.9) over ${L3_KEYS} keys, ` +
      `L1 of ${L3_L1_ENTRIES} entries (LRU in both), L3 = redis-server on loopback filled beforehand`,
    opsPerSecond,
    throughlineWhileTimed: {
      l1HitRatio: round(delta('L1', 'hits') / l1Lookups, 3),
      l3Hits: delta('L3', 'hits'),
      l3Misses: delta('L3', 'misses'),
      l3ErrorsTimeoutsSkipped: delta('L3', 'errors') + delta('L3', 'timeouts') + delta('L3', 'skipped'),
      l3ReadP99Ms: tier(stats, 'L3').latencyMs.p99,
    },
    loaderCallsWhileTimed: loads - loadsAfterFill,
    ratio: { throughlineVsBentocache: round(opsPerSecond.throughline / opsPerSecond.bentocache) },
  };
  await tl.close();
  await driver.disconnect();
  await bento.disconnect();
  return result;
}

function redisBenchmark(server, args) {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/redis-benchmark',
      ['-h', server.host, '-p', String(server.port), ...args],
      { timeout: 120_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`redis-benchmark: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** `"GET","324149.12",…` → 324149.12 */
const csvRps = (stdout, test) => {
  const line = stdout.split('\n').find((l) => l.startsWith(`"${test}"`));
  if (!line) throw new Error(`no ${test} line in redis-benchmark output:\n${stdout}`);
  return Number(JSON.parse(`[${line}]`)[1]);
};

async function benchMultiGet(m, server) {
  const prefix = 'bench:mget:';
  const driver = m.createRedisCacheDriver({ mode: 'standalone', url: server.url, keyPrefix: prefix });
  const keys = Array.from({ length: MGET_KEYS }, (_, i) => `key:${String(i).padStart(12, '0')}`);
  const bytes = new Uint8Array(VALUE_BYTES).fill(120);
  for (let i = 0; i < keys.length; i += 1_000)
    await Promise.all(keys.slice(i, i + 1_000).map((k) => driver.set(k, bytes)));
  const batches = Array.from({ length: MGET_KEYS / MGET_BATCH }, (_, i) =>
    keys.slice(i * MGET_BATCH, (i + 1) * MGET_BATCH),
  );
  let missing = 0;
  const run = async (inFlight) => {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let i = next++; i < MGET_ROUNDS; i = next++) {
          const values = await driver.getMany(batches[i % batches.length]);
          for (const v of values) if (v?.byteLength !== VALUE_BYTES) missing++;
        }
      }),
    );
    return { ops: MGET_ROUNDS * MGET_BATCH, seconds: seconds(start) };
  };
  // redis-benchmark's own keys (key:__rand_int__ → key:000000000000 … key:000000009999), same size.
  await redisBenchmark(server, [
    '-t',
    'set',
    '-r',
    String(MGET_KEYS),
    '-d',
    String(VALUE_BYTES),
    '-n',
    '50000',
    '-q',
  ]);
  await run(1);
  const ours = {};
  let redisBenchmarkRps = 0;
  const gets = MGET_ROUNDS * MGET_BATCH;
  for (let r = 0; r < ROUNDS; r++) {
    for (const inFlight of [1, 16]) {
      const { ops, seconds: s } = await run(inFlight);
      ours[`inFlight${inFlight}`] = Math.max(ours[`inFlight${inFlight}`] ?? 0, Math.round(ops / s));
    }
    const csv = await redisBenchmark(server, [
      '-P',
      '16',
      '-t',
      'get',
      '-r',
      String(MGET_KEYS),
      '-d',
      String(VALUE_BYTES),
      '-n',
      String(gets),
      '-q',
      '--csv',
    ]);
    redisBenchmarkRps = Math.max(redisBenchmarkRps, Math.round(csvRps(csv, 'GET')));
  }
  await driver.disconnect();
  return {
    what:
      `getMany of ${MGET_BATCH} keys (one MGET on standalone) × ${MGET_ROUNDS} rounds on one connection, vs ` +
      `redis-benchmark -P 16 -t get -n ${gets} (50 clients, pipelines of 16 GETs); ${MGET_KEYS} keys of ${VALUE_BYTES} B`,
    keysPerSecond: ours,
    redisBenchmarkGetRps: redisBenchmarkRps,
    wrongOrMissingValues: missing,
    ratio: {
      inFlight1VsRedisBenchmark: round(ours.inFlight1 / redisBenchmarkRps),
      inFlight16VsRedisBenchmark: round(ours.inFlight16 / redisBenchmarkRps),
    },
  };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-bench-tiers-'));
  let server;
  const stop = async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    const m = await importBundled(dir, [
      "export { createTieredCache } from 'lambdas/core/cache/tiers/tiered-cache.ts';",
      "export { zipfTrace } from 'lambdas/core/cache/simulator/traces.ts';",
      "export { systemClock } from 'lambdas/adapters/node/clock.ts';",
      "export { createRedisCacheDriver } from 'lambdas/adapters/node/redis-cache-driver.ts';",
      // The tests' redis-server launcher: free port, no persistence, stopped by PID (also on exit).
      "export { startRedis } from 'test/helpers/redis.ts';",
    ]);
    server = await m.startRedis();
    process.stderr.write('cache-tiers: (a) L1 hits…\n');
    const l1 = await benchL1(m);
    process.stderr.write('cache-tiers: (b) L1 + L3 on redis-server…\n');
    const l3 = await benchL3(m, server);
    process.stderr.write('cache-tiers: (c) getMany vs redis-benchmark…\n');
    const mget = await benchMultiGet(m, server);
    console.log(
      JSON.stringify(
        {
          bench: 'cache-tiers',
          rounds: ROUNDS,
          l1Hits: l1,
          l1PlusL3Redis: l3,
          pipelinedMultiGet: mget,
          notes: [
            'cache-manager is compared in memory only: @keyv/redis is not installed',
            'bentocache (a) "bentocache" keeps L1 values as objects (serialize: false), as Throughline does; ' +
              '"bentocacheSerialized" is its default (JSON in L1)',
            'redis-server, redis-benchmark and node share 2 cores: figures are only meaningful as ratios',
          ],
          machine: '2 cores, shared',
        },
        null,
        2,
      ),
    );
    if (l1.loaderCallsWhileTimed !== 0 || mget.wrongOrMissingValues !== 0) {
      console.error(
        'cache-tiers: a timed pass was not what it claims (loader calls at L1 speed, or missing values)',
      );
      process.exitCode = 1;
    }
  } finally {
    await stop();
  }
}

await main();
