import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../lambdas/adapters/local/data-dir-lock';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import type { LocalConfig } from '../../lambdas/config/local';
import { type LocalServer, startLocalServer } from '../../lambdas/entrypoints/local/server';
import { makeRecord } from '../contract/test-store.fixtures';
import { call } from '../helpers/api-client';
import { writeEveryKind } from '../helpers/data-dir-writer';
import { bundleChild, WORKER } from '../helpers/processes';

// The files of a local data folder: flushed when written, private to the user, and a damaged one
// set aside instead of stopping the server.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-datadir-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function walk(root: string): Promise<{ dirs: string[]; files: string[] }> {
  const out = { dirs: [root], files: [] as string[] };
  for (const e of await readdir(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) {
      const sub = await walk(p);
      out.dirs.push(...sub.dirs);
      out.files.push(...sub.files);
    } else out.files.push(p);
  }
  return out;
}

describe('data folder files', () => {
  it('every atomic write flushes the file before the rename and the folder after it (strace)', async () => {
    const script = join(dir, 'writer.mjs');
    await bundleChild('test/helpers/data-dir-writer-main.ts', script);
    const dataDir = join(dir, 'traced');
    const trace = join(dir, 'trace.txt');
    const args = ['-f', '-y', '-qq', '-o', trace, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2'];
    const child = spawn('strace', [...args, process.execPath, script, dataDir], { stdio: 'inherit' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    const lines = (await readFile(trace, 'utf8')).split('\n');
    const synced = (path: string, from: number, to: number) =>
      lines.slice(from, to).some((l) => /\b(fsync|fdatasync)\(\d+</.test(l) && l.includes(`<${path}>`));
    const renames = lines.flatMap((l, at) => {
      const m = /rename(?:at2?)?\((?:[^"]*)"([^"]+\.tmp)",(?:[^"]*)"([^"]+)"/.exec(l);
      return m?.[1] && m[2] ? [{ at, from: m[1], to: m[2] }] : [];
    });
    // tests record twice, idempotency key, results, spec, plan items, window, worker report, scaling
    expect(renames.length).toBeGreaterThanOrEqual(9);
    const unsafe = renames.filter(
      (r) => !synced(r.from, 0, r.at) || !synced(dirname(r.to), r.at + 1, lines.length),
    );
    expect(unsafe).toEqual([]);
    expect(synced(join(dataDir, 'scaling-journal.jsonl'), 0, lines.length)).toBe(true);
  });

  it('files are 0600 and folders 0700 even where the umask would allow more', async () => {
    const dataDir = join(dir, 'modes');
    const umask = process.umask(0o022);
    try {
      await writeEveryKind(dataDir);
      const unlock = await lockDataDir(dataDir);
      await unlock();
    } finally {
      process.umask(umask);
    }
    const { dirs, files } = await walk(dataDir);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const mode = async (p: string) =>
      `${p.slice(dataDir.length) || '/'} ${((await stat(p)).mode & 0o777).toString(8)}`;
    expect(await Promise.all(dirs.map(mode))).toEqual(
      dirs.map((p) => `${p.slice(dataDir.length) || '/'} 700`),
    );
    expect(await Promise.all(files.map(mode))).toEqual(files.map((p) => `${p.slice(dataDir.length)} 600`));
  });

  it('a truncated test file is quarantined and logged; the server serves the other tests', async () => {
    const dataDir = join(dir, 'damaged');
    const store = createFileTestStore(dataDir);
    await store.create(makeRecord(1));
    await store.create(makeRecord(2));
    await writeFile(join(dataDir, 'tests', '01JTEST0003.json'), JSON.stringify(makeRecord(3)).slice(0, 40));
    const errors: { message: string; data?: Record<string, unknown> }[] = [];
    const log = {
      info: () => {},
      error: (message: string, data?: Record<string, unknown>) =>
        errors.push({ message, ...(data ? { data } : {}) }),
    };
    const config: LocalConfig = {
      port: 0,
      dataDir,
      workers: 1,
      demoTargetPort: 0,
      policy: {
        targets: { allowedTargets: ['loopback'] },
        quotas: { maxVus: 10, maxRps: 100, maxDurationMs: 60_000, maxConcurrentTests: 1 },
      },
    };
    let api: LocalServer | undefined;
    try {
      api = await startLocalServer(config, WORKER, log);
      const history = await call(api.url, 'GET', '/performance/tests/history');
      expect(history.status).toBe(200);
      expect(history.body.items.map((t: { id: string }) => t.id)).toEqual(['01JTEST0002', '01JTEST0001']);
    } finally {
      await api?.close();
    }
    const quarantined = await readdir(join(dataDir, 'quarantine'));
    expect(quarantined).toEqual([expect.stringMatching(/^\d{8}T\d{9}Z-tests_01JTEST0003\.json$/)]);
    expect(await readdir(join(dataDir, 'tests'))).toEqual(['01JTEST0001.json', '01JTEST0002.json']);
    expect(errors).toEqual([
      {
        message: 'a damaged data file was moved to quarantine',
        data: expect.objectContaining({ file: join(dataDir, 'tests', '01JTEST0003.json') }),
      },
    ]);
  });

  it('a corrupt results or window file is quarantined and read as missing, not thrown', async () => {
    const dataDir = join(dir, 'damaged-run');
    const damaged: string[] = [];
    const onCorrupt = (c: { file: string }) => damaged.push(c.file);
    const tests = createFileTestStore(dataDir, { onCorrupt });
    const runs = createFileRunStore(dataDir, { onCorrupt });
    const id = makeRecord(1).id;
    await tests.create(makeRecord(1));
    await writeFile(join(dataDir, 'results', `${id}.json`), '{"testId":');
    await mkdir(join(dataDir, 'runs', id, 'windows'), { recursive: true });
    await writeFile(join(dataDir, 'runs', id, 'windows', '000000-000000.json'), '{"index":0,');
    expect(await tests.getResults(id)).toBeUndefined();
    expect((await runs.readWindows(id)).windows).toEqual([]);
    expect(damaged).toEqual([
      join(dataDir, 'results', `${id}.json`),
      join(dataDir, 'runs', id, 'windows', '000000-000000.json'),
    ]);
    expect(
      (await readdir(join(dataDir, 'quarantine'))).map((n) => n.replace(/^\d{8}T\d{9}Z-/, '')).sort(),
    ).toEqual([`results_${id}.json`, `runs_${id}_windows_000000-000000.json`]);
  });
});
