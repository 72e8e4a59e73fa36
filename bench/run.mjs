// npm run bench [-- <name>]: runs the benchmarks one after the other (never in parallel: 2 cores).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ALL = [
  'cpu-per-request',
  'latency-accuracy',
  'aggregate',
  'cache-policies',
  'cache-tiers',
  'shard-balance',
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !ALL.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${ALL.join(', ')}`);
  process.exit(1);
}
if (!existsSync('/usr/bin/wrk')) {
  console.error('installing wrk (apt-get) for the comparisons…');
  spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
}
let failed = false;
for (const name of wanted.length > 0 ? wanted : ALL) {
  const r = spawnSync(process.execPath, [new URL(`./${name}.mjs`, import.meta.url).pathname], {
    stdio: 'inherit',
  });
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
