import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild, killPid } from '../helpers/processes';

// Servers started at once on one data folder, over the lock a killed server left behind: real
// processes, because the race is between processes.

const STARTERS = 4;
const TRIALS = 30;
let dir: string;
let script: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-lock-'));
  script = join(dir, 'lock-child.mjs');
  await bundleChild('test/helpers/lock-child.ts', script);
});

afterAll(async () => {
  for (const c of children) killPid(c.pid as number);
  await rm(dir, { recursive: true, force: true });
});

interface Contender {
  readonly child: ChildProcess;
  /** Resolves with each line the child prints. */
  next(): Promise<string>;
}

function contender(dataDir: string): Contender {
  const child = spawn(process.execPath, [script, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    buffered += d;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error('a lock contender said nothing for 15 s')), 15_000);
      waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  return { child, next };
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve();
    else c.once('exit', () => resolve());
  });

describe('data folder lock', () => {
  it(`exactly one of ${STARTERS} servers started at once over a stale lock wins, ${TRIALS} times in a row`, async () => {
    const winners: number[] = [];
    /** What losers said other than "another server holds it". */
    const losses: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dataDir = join(dir, `trial-${trial}`);
      // A server that held the lock and was killed: its lock names a dead process.
      const crashed = contender(dataDir);
      expect(await crashed.next()).toBe('ready');
      crashed.child.stdin?.write('go\n');
      expect(await crashed.next()).toBe('won');
      crashed.child.kill('SIGKILL');
      await exited(crashed.child);

      const starters = Array.from({ length: STARTERS }, () => contender(dataDir));
      for (const s of starters) expect(await s.next()).toBe('ready');
      for (const s of starters) s.child.stdin?.write('go\n');
      const said = await Promise.all(starters.map((s) => s.next()));
      winners.push(said.filter((line) => line === 'won').length);
      losses.push(...said.filter((line) => line !== 'won' && !/^lost another Throughline server/.test(line)));
      for (const s of starters) s.child.stdin?.end();
      await Promise.all(starters.map((s) => exited(s.child)));
    }
    expect(winners).toEqual(Array.from({ length: TRIALS }, () => 1));
    expect(losses).toEqual([]);
  }, 240_000);
});
