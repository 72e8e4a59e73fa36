import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPollutedTrace } from '../../lambdas/core/cache/simulator/traces';
import { runCli } from '../helpers/processes';

// `throughline cache simulate` as a team runs it on an access log: a file of keys, one per line.

let dir: string;
let trace: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-sim-'));
  trace = join(dir, 'keys.txt');
  await writeFile(
    trace,
    `${scanPollutedTrace(60_000, 4_000, { every: 1_000, scanLength: 400, seed: 5 }).join('\n')}\n\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('throughline cache simulate', () => {
  it('prints every policy with its hit ratio and evictions, best first', async () => {
    const r = await runCli(['cache', 'simulate', '--trace', trace, '--capacity', '200']);
    expect(r.code, r.stderr).toBe(0);
    const { results } = JSON.parse(r.stdout) as {
      results: { policy: string; hitRatio: number; evictions: number; hits: number; misses: number }[];
    };
    expect(results.map((x) => x.policy).sort()).toEqual(['adaptive', 'lfu', 'lru', 'ttl']);
    for (const x of results) {
      expect(x.hits + x.misses).toBe(60_000);
      expect(x.hitRatio).toBeCloseTo(x.hits / 60_000, 4);
      expect(x.evictions).toBeGreaterThan(0);
    }
    const ratios = results.map((x) => x.hitRatio);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    const of = (p: string) => results.find((x) => x.policy === p)?.hitRatio ?? 0;
    expect(of('adaptive')).toBeGreaterThan(of('lru'));
  });

  it('runs one policy when asked', async () => {
    const r = await runCli(['cache', 'simulate', '--trace', trace, '--capacity', '200', '--policy', 'lru']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results.map((x: { policy: string }) => x.policy)).toEqual(['lru']);
  });

  it('refuses bad input with every problem named, exit 1', async () => {
    const r = await runCli([
      'cache',
      'simulate',
      '--trace',
      join(dir, 'missing.txt'),
      '--capacity',
      '0',
      '--policy',
      'fifo',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--capacity: "0" is not a whole number/);
    expect(r.stderr).toMatch(/--policy: "fifo" is not one of lru, lfu, ttl, adaptive, all/);
    expect(r.stderr).toMatch(/--trace: cannot read/);
    expect(r.stdout).toBe('');
  });
});
