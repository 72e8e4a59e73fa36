import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, isFinished, waitFor } from '../helpers/api-client';
import { freePort, ROOT } from '../helpers/processes';

// `npm start` as a user runs it: the printed curl starts a test against the bundled demo target.

let dir: string;
let port: number;
let demoPort: number;
const started: ChildProcess[] = [];

/** Starts `npm start` in its own process group; resolves with everything it printed once it is ready. */
async function npmStart(): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DEMO_TARGET_PORT: String(demoPort),
      THROUGHLINE_DATA_DIR: dir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += String(d);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready in 60 s:\n${out}\n${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}\n${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('Ctrl-C stops the server')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
  return { child, banner };
}

/** Kills the whole process group (npm, its shell, node) at once, as a crash would. */
function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      resolve();
    }
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-start-'));
  port = await freePort();
  demoPort = await freePort();
});
afterAll(async () => {
  for (const c of started) await crash(c);
  await rm(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the API; the curl it prints runs a test whose results come back as JSON and HTML; a crash loses nothing finished', {
    timeout: 180_000,
  }, async () => {
    const { child, banner } = await npmStart();
    const base = `http://127.0.0.1:${port}`;
    expect(banner).toContain(`${base}/performance`);
    const curl = /(curl -s -X POST [^\n]*\\\n\s+-d '[^']*')/.exec(banner)?.[1];
    expect(curl, banner).toBeDefined();
    const created = JSON.parse(
      execFileSync('sh', ['-c', curl as string], { encoding: 'utf8', timeout: 10_000 }),
    );
    expect(created).toMatchObject({ status: 'queued', name: 'smoke' });

    const done = await waitFor(base, created.id, isFinished, 60_000);
    expect(done.status).toBe('passed');
    const results = await call(base, 'GET', `/performance/tests/${created.id}/results`);
    expect(results.body).toMatchObject({ status: 'passed', workers: { planned: 1, failed: 0 } });
    expect(results.body.totals.requests).toBeGreaterThan(0);
    const html = await call(base, 'GET', `/performance/tests/${created.id}/results?format=html`);
    expect(html.text).toMatch(/^<!doctype html>/);

    // The metrics curl it prints answers with this server's own figures.
    const metricsCurl = /curl -s '[^']*\/metrics\/cpu[^']*'/.exec(banner)?.[0];
    expect(metricsCurl, banner).toBeDefined();
    const cpu = JSON.parse(
      execFileSync('sh', ['-c', metricsCurl as string], { encoding: 'utf8', timeout: 10_000 }),
    );
    expect(cpu).toMatchObject({ source: 'local', group: 'cpu' });
    expect(
      cpu.series.find((s: { metric: string }) => s.metric === 'ProcessCpu').points.length,
    ).toBeGreaterThan(0);

    const running = await call(base, 'POST', '/performance/tests', {
      body: { preset: 'smoke', target: `http://127.0.0.1:${demoPort}/`, duration: '60s', name: 'cut-short' },
    });
    await waitFor(base, running.body.id, (t) => t.live !== undefined);
    await crash(child);

    await npmStart();
    const history = await call(base, 'GET', '/performance/tests/history');
    expect(history.body.items.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
      [running.body.id, 'interrupted'],
      [created.id, 'passed'],
    ]);
    expect((await call(base, 'GET', `/performance/tests/${created.id}/results`)).body.status).toBe('passed');
  });
});
