import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { RunPosition } from '../../lambdas/adapters/run-windows';
import { makeWindow, runStoreContract } from './run-store.contract';

const tempDir = () => mkdtemp(join(tmpdir(), 'throughline-runs-'));

runStoreContract('file', async () => {
  const dir = await tempDir();
  return { store: createFileRunStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('file run store specifics', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes runs/<id>/windows/<index>-<worker>.json and workers/<worker>.json, no temporary file left', async () => {
    dir = await tempDir();
    const store = createFileRunStore(dir);
    await store.putWindow('run', makeWindow(7, 12));
    await store.putWindow('run', makeWindow(7, 12));
    await store.putWorkerReport('run', {
      worker: 12,
      segment: '0:1',
      outcome: 'completed',
      startLagMs: 0,
      skippedIterations: 0,
      windows: 8,
      resources: { cpuPercentMax: 1, cpuPercentMean: 1, rssMbMax: 1, eventLoopDelayP99Ms: 1 },
    });
    expect(await readdir(join(dir, 'runs', 'run', 'windows'))).toEqual(['000007-000012.json']);
    expect(await readdir(join(dir, 'runs', 'run', 'workers'))).toEqual(['000012.json']);
  });
});

describe('read position size', () => {
  // Shared by both adapters (the S3 one imports it), so measured once, here.
  const sized = (testId: string, indexes: number, workers: (index: number) => number[]) => {
    const p = RunPosition.initial(testId);
    for (let index = 0; index < indexes; index++) for (const w of workers(index)) p.record(index, w);
    return p.encode();
  };
  const testId = '01JXQ3T9Z8K7M6N5P4R3S2T1V0';
  const every = Array.from({ length: 1_000 }, (_, w) => w);

  it('stays small at 1,000 workers when every worker wrote every second', () => {
    expect(sized(testId, 600, () => every).length).toBeLessThan(250);
  });

  it('stays bounded at 1,000 workers when every other worker is missing from every second', () => {
    const position = sized(testId, 600, () => every.filter((w) => w % 2 === 0));
    expect(position.length).toBeLessThan(20_000);
    const decoded = RunPosition.decode(testId, position);
    expect([
      decoded.isNew(599, 998),
      decoded.isNew(599, 999),
      decoded.isNew(594, 1),
      decoded.isNew(593, 1),
    ]).toEqual([false, true, true, false]);
  });
});
