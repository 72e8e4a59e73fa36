import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import {
  cancelTest,
  getTest,
  listTests,
  STALE_QUEUED_MS,
  STALE_RUNNING_MS,
} from '../../lambdas/core/tests/test-service';
import type { Clock } from '../../lambdas/ports/clock';
import type { TestStore } from '../../lambdas/ports/test-store';

// A test whose runner died must not stay "running" forever: it is interrupted once it goes silent.

let dir: string;
let store: TestStore;
let now = Date.parse('2026-11-23T12:00:00Z');
const clock: Clock = { now: () => now, sleep: async () => {} };
const at = (ms: number) => new Date(ms).toISOString();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-stale-'));
  store = createFileTestStore(dir);
  for (const [id, status] of [
    ['r1', 'running'],
    ['q1', 'queued'],
    ['p1', 'passed'],
  ] as const)
    await store.create({
      id,
      name: 'n',
      status,
      createdAt: at(now),
      updatedAt: at(now),
      tags: {},
      definition: {},
    });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('stale tests', () => {
  it('keeps a running test that reported recently', async () => {
    now += STALE_RUNNING_MS - 1;
    expect((await getTest({ store, clock }, 'r1')).status).toBe('running');
  });

  it('shows a running test silent for longer than the limit as interrupted, saying why', async () => {
    now += STALE_RUNNING_MS + 1;
    const t = await getTest({ store, clock }, 'r1');
    expect(t).toMatchObject({ status: 'interrupted', error: { code: 'E_RUNNER_LOST' } });
    // Reads only show it (read-only functions on AWS); a cancel stores it.
    expect((await store.get('r1'))?.status).toBe('running');
    // The runtime says the run has ended (a crashed runner): the verdict may be stored.
    const launcher = { launch: async () => {}, cancel: async () => {}, isRunning: async () => false };
    await expect(cancelTest({ store, clock, launcher }, 'r1')).rejects.toMatchObject({
      code: 'E_NOT_CANCELLABLE',
    });
    expect((await store.get('r1'))?.status).toBe('interrupted');
  });

  it('gives a queued test longer, then interrupts it too; finished tests are left alone', async () => {
    now += STALE_RUNNING_MS + 1;
    const page = await listTests({ store, clock }, { limit: 10 });
    expect(Object.fromEntries(page.items.map((t) => [t.id, t.status]))).toEqual({
      r1: 'interrupted',
      q1: 'queued',
      p1: 'passed',
    });
    now += STALE_QUEUED_MS;
    expect((await getTest({ store, clock }, 'q1')).status).toBe('interrupted');
    expect((await getTest({ store, clock }, 'p1')).status).toBe('passed');
  });

  it('never stores a time-based verdict while the runtime still runs the test, or cannot tell', async () => {
    now += 10 * 60_000;
    for (const isRunning of [async () => true, () => Promise.reject(new Error('no access'))]) {
      const launcher = { launch: async () => {}, cancel: async () => {}, isRunning };
      const flagged = await cancelTest({ store, clock, launcher }, 'r1');
      expect(flagged).toMatchObject({ status: 'running', cancelRequested: true });
      expect((await store.get('r1'))?.status).toBe('running');
    }
  });
});
