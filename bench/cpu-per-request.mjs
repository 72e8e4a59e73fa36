// (a) Generator CPU per request: Throughline, autocannon and wrk against the same loopback target,
// same connection count and duration, in one run. The figure of merit is CPU µs per completed
// request of the generator process (user + sys, all its threads), and the ratios between tools.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cpuOf, ROOT, round, startTarget } from './lib.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const target = await startTarget();
const dir = await mkdtemp(join(tmpdir(), 'tl-bench-'));
const url = `${target.url}/`;
const tools = {
  throughline: async () => {
    const def = join(dir, 'test.json');
    const out = join(dir, 'out.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      def,
      JSON.stringify({
        name: 'cpu',
        scenarios: {
          s: {
            executor: 'constant-vus',
            vus: CONNECTIONS,
            duration: `${SECONDS}s`,
            gracefulStop: '1s',
            requests: [{ url }],
          },
        },
      }),
    );
    const r = await cpuOf(`node ${CLI} run ${def} --quiet --out ${out}`);
    return { ...r, requests: JSON.parse(await readFile(out, 'utf8')).totals.requests };
  },
  autocannon: async () => {
    const r = await cpuOf(
      `node ${ROOT}node_modules/autocannon/autocannon.js -c ${CONNECTIONS} -d ${SECONDS} --json ${url} 2>/dev/null`,
    );
    return { ...r, requests: JSON.parse(r.stdout).requests.total };
  },
  wrk: async () => {
    const r = await cpuOf(`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s ${url}`);
    return { ...r, requests: Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0) };
  },
};

const samples = {};
try {
  for (let round_ = 0; round_ < ROUNDS; round_++)
    for (const [name, run] of Object.entries(tools)) {
      const r = await run();
      samples[name] ??= [];
      samples[name].push({
        requests: r.requests,
        cpuSeconds: r.cpuSeconds,
        cpuUsPerRequest: (r.cpuSeconds * 1e6) / r.requests,
      });
    }
} finally {
  target.stop();
}
// Median of the rounds: the machine is shared and each round's throughput varies.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const best = Object.fromEntries(
  Object.entries(samples).map(([name, s]) => [name, median(s.map((x) => x.cpuUsPerRequest))]),
);
console.log(
  JSON.stringify(
    {
      bench: 'cpu-per-request',
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      medianCpuUsPerRequest: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, round(v)])),
      ratio: {
        throughlineVsAutocannon: round(best.throughline / best.autocannon),
        throughlineVsWrk: round(best.throughline / best.wrk),
      },
      samples,
    },
    null,
    2,
  ),
);
