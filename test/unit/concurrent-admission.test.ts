import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import type { PlatformDeps } from '../../lambdas/core/tests/test-service';
import type { TestStore } from '../../lambdas/ports/test-store';

// maxConcurrentTests holds across processes: five copies of the service module (five Lambda
// instances, each with its own in-process state) share one store, and only the store can refuse.

type Service = typeof import('../../lambdas/core/tests/test-service');

let dir: string;
let store: TestStore;
let seq = 0;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-admission-'));
  store = createFileTestStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const now = Date.parse('2026-12-08T00:00:00Z');
const deps = (maxConcurrentTests: number): PlatformDeps => ({
  store,
  runs: { putSpec: async () => {} },
  launcher: { launch: async () => {}, cancel: async () => {}, isRunning: async () => true },
  resolver: { resolve: async () => ['127.0.0.1'] },
  clock: { now: () => now, sleep: async () => {} },
  newId: () => `01JADMIT${String(++seq).padStart(4, '0')}`,
  policy: {
    targets: { allowedTargets: ['loopback'] },
    quotas: { maxVus: 10, maxRps: 100, maxDurationMs: 60_000, maxConcurrentTests },
  },
  capacity: DEFAULT_CAPACITY,
});
const body = {
  name: 'admission',
  baseUrl: 'http://127.0.0.1:8080',
  scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', requests: [{ path: '/' }] } },
};

async function instances(n: number): Promise<Service[]> {
  const out: Service[] = [];
  for (let i = 0; i < n; i++) {
    vi.resetModules();
    out.push(await import('../../lambdas/core/tests/test-service'));
  }
  return out;
}

describe('concurrent-test quota across instances', () => {
  it('admits exactly maxConcurrentTests of five simultaneous creates on five instances', async () => {
    const services = await instances(5);
    const outcomes = await Promise.allSettled(services.map((s) => s.createTest(deps(1), { body })));
    const created = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(4);
    for (const err of refused)
      expect(err).toMatchObject({
        code: 'E_TOO_MANY_TESTS',
        message: '1 tests are queued or running; this deployment runs at most 1 at once',
        details: { active: [expect.any(String)], limit: 1 },
      });
    expect(await store.listByStatus(['queued', 'running'])).toHaveLength(1);
  });

  it('frees the slot when the test is cancelled and repairs a slot a lost runner held', async () => {
    const [a, b] = await instances(2);
    if (!a || !b) throw new Error('no instances');
    const first = await a.createTest(deps(1), { body });
    await expect(b.createTest(deps(1), { body })).rejects.toMatchObject({ code: 'E_TOO_MANY_TESTS' });
    await store.update(first.record.id, { status: 'cancelled' }, ['queued']);
    const second = await b.createTest(deps(1), { body });
    expect(second.created).toBe(true);
    // The second test's runner is lost: once it has been silent too long, a create marks it
    // interrupted (which frees its slot) and is admitted.
    const later = {
      ...deps(1),
      // The runtime says it no longer runs it (only then may silence be stored as a verdict).
      launcher: { launch: async () => {}, cancel: async () => {}, isRunning: async () => false },
      clock: { now: () => now + a.STALE_QUEUED_MS + 1, sleep: async () => {} },
    };
    const third = await a.createTest(later, { body });
    expect(third.created).toBe(true);
    expect((await store.get(second.record.id))?.status).toBe('interrupted');
  });
});
