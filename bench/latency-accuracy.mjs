// (b) Latency accuracy against a target with known injected delays: every /api/ response takes
// DELAY ms, and the whole server stalls for STALL ms every PERIOD ms. A user arriving at a
// uniformly random instant waits DELAY ms (80 % of the time) or the rest of the stall plus DELAY
// (uniform over (DELAY, DELAY + STALL]), so the true percentiles are known in closed form. Each
// tool offers the same 200 requests/s; we compare what each reports with the truth.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cpuOf, ROOT, round, startTarget } from './lib.mjs';

const DELAY = 20;
const STALL = 1_000;
const PERIOD = 5_000;
const RATE = 200;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30); // a whole number of stall periods

/** True latency at percentile p for arrivals uniform in time. */
function truth(p) {
  const stalled = STALL / PERIOD;
  const q = p / 100;
  if (q <= 1 - stalled) return DELAY;
  return DELAY + ((q - (1 - stalled)) / stalled) * STALL;
}

const target = await startTarget([
  '--delay',
  `${DELAY}ms`,
  '--stall-every',
  `${PERIOD}ms`,
  '--stall-for',
  `${STALL}ms`,
]);
const url = `${target.url}/api/products`;
const dir = await mkdtemp(join(tmpdir(), 'tl-accuracy-'));
const reported = {};
try {
  const def = join(dir, 'test.json');
  const out = join(dir, 'out.json');
  await writeFile(
    def,
    JSON.stringify({
      name: 'accuracy',
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: RATE,
          timeUnit: '1s',
          duration: `${SECONDS}s`,
          preAllocatedVUs: 50,
          maxVUs: 600,
          requests: [{ url }],
        },
      },
    }),
  );
  await cpuOf(`node ${CLI} run ${def} --quiet --out ${out}`);
  const tl = JSON.parse(await readFile(out, 'utf8'));
  reported.throughline = {
    p50: tl.latencyMs.p50,
    p90: tl.latencyMs.p90,
    p95: tl.latencyMs.p95,
    p99: tl.latencyMs.p99,
    requests: tl.totals.requests,
  };

  // autocannon: 50 connections capped at the same overall rate (a closed loop with a rate limit).
  const ac = await cpuOf(
    `node ${ROOT}node_modules/autocannon/autocannon.js -c 50 --overallRate ${RATE} -d ${SECONDS} --json ${url} 2>/dev/null`,
  );
  const a = JSON.parse(ac.stdout).latency;
  reported.autocannon = {
    p50: a.p50,
    p90: a.p90,
    p95: a.p97_5,
    p99: a.p99,
    requests: JSON.parse(ac.stdout).requests.total,
    note: 'p95 column is autocannon p97.5',
  };

  // wrk: no rate option, so 4 connections × (1 / 20 ms) ≈ the same 200 requests/s.
  const wrk = await cpuOf(`wrk -t1 -c4 -d${SECONDS}s --latency ${url}`);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(wrk.stdout);
    if (!m) return null;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  reported.wrk = {
    p50: pct(50),
    p90: pct(90),
    p95: null,
    p99: pct(99),
    requests: Number(/(\d+) requests in/.exec(wrk.stdout)?.[1] ?? 0),
    note: 'wrk prints no p95',
  };
} finally {
  target.stop();
}

const expected = { p50: truth(50), p90: truth(90), p95: truth(95), p99: truth(99) };
const error = Object.fromEntries(
  Object.entries(reported).map(([tool, r]) => [
    tool,
    Object.fromEntries(
      ['p90', 'p95', 'p99'].filter((p) => r[p] !== null).map((p) => [p, round(r[p] / expected[p], 3)]),
    ),
  ]),
);
console.log(
  JSON.stringify(
    {
      bench: 'latency-accuracy',
      delayMs: DELAY,
      stallMs: STALL,
      periodMs: PERIOD,
      rate: RATE,
      seconds: SECONDS,
      trueMs: expected,
      reportedMs: reported,
      reportedOverTrue: error,
    },
    null,
    2,
  ),
);
