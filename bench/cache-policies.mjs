// (d) Cache eviction policies: hit ratio of every L1 policy (the real code, bundled from
// lambdas/core/cache) on three synthetic traces, and L1 get/set throughput against lru-cache in
// the same run (ratios; the machine is shared and noisy). Acceptance of the adaptive policy: never
// more than 1 point below the best fixed policy on any trace, and above LRU on the scan-polluted one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { importBundled, round } from './lib.mjs';

const LENGTH = Number(process.env.BENCH_TRACE_LENGTH ?? 400_000);
const CAPACITY = Number(process.env.BENCH_CACHE_CAPACITY ?? 1_000);
const KEYS = CAPACITY * 20;

const dir = await mkdtemp(join(tmpdir(), 'throughline-bench-cache-'));
try {
  const m = await importBundled(dir, [
    "export { simulateAll } from 'lambdas/core/cache/simulator/simulate.ts';",
    "export { createMemoryCache } from 'lambdas/core/cache/policies/create-memory-cache.ts';",
    "export { zipfTrace, scanPollutedTrace, shiftingTrace } from 'lambdas/core/cache/simulator/traces.ts';",
  ]);

  // Hit ratios.
  const traces = {
    zipf: m.zipfTrace(LENGTH, KEYS, 0.9, 11),
    'scan-polluted': m.scanPollutedTrace(LENGTH, KEYS, { seed: 12 }),
    shifting: m.shiftingTrace(LENGTH, CAPACITY, 13),
  };
  const hitRatio = {};
  const acceptance = {};
  for (const [name, trace] of Object.entries(traces)) {
    const results = m.simulateAll(trace, CAPACITY);
    hitRatio[name] = Object.fromEntries(results.map((r) => [r.policy, r.hitRatio]));
    const best = Math.max(...results.filter((r) => r.policy !== 'adaptive').map((r) => r.hitRatio));
    const adaptive = hitRatio[name].adaptive;
    acceptance[name] = {
      adaptiveMinusBestFixedPoints: round((adaptive - best) * 100, 2),
      adaptiveMinusLruPoints: round((adaptive - hitRatio[name].lru) * 100, 2),
      withinOnePoint: adaptive >= best - 0.01,
    };
  }
  acceptance['scan-polluted'].beatsLru = hitRatio['scan-polluted'].adaptive > hitRatio['scan-polluted'].lru;

  // L1 get/set throughput vs lru-cache on the Zipf trace: get, set on miss (the read-through path).
  const ops = traces.zipf;
  const time = (cache) => {
    const start = process.hrtime.bigint();
    for (let pass = 0; pass < 3; pass++)
      for (const key of ops) if (cache.get(key) === undefined) cache.set(key, key);
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const peers = {
    'lru-cache': () => new LRUCache({ max: CAPACITY }),
    lru: () => m.createMemoryCache({ policy: 'lru', maxEntries: CAPACITY, now: Date.now }),
    adaptive: () => m.createMemoryCache({ policy: 'adaptive', maxEntries: CAPACITY, now: Date.now }),
    lfu: () => m.createMemoryCache({ policy: 'lfu', maxEntries: CAPACITY, now: Date.now }),
  };
  for (const make of Object.values(peers)) time(make());
  const seconds = {};
  for (let r = 0; r < 3; r++)
    for (const [name, make] of Object.entries(peers))
      seconds[name] = Math.min(seconds[name] ?? Infinity, time(make()));
  const opsPerSecond = Object.fromEntries(
    Object.entries(seconds).map(([k, s]) => [k, Math.round((ops.length * 3) / s)]),
  );
  const ratioToLruCache = Object.fromEntries(
    Object.entries(opsPerSecond).map(([k, v]) => [k, round(v / opsPerSecond['lru-cache'], 2)]),
  );
  console.log(
    JSON.stringify(
      {
        benchmark: 'cache-policies',
        traceLength: LENGTH,
        capacity: CAPACITY,
        keys: KEYS,
        hitRatio,
        acceptance,
        l1GetSet: { opsPerSecond, ratioToLruCache },
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
