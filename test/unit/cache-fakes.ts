import { createMemoryCacheDriver, createMemoryLock } from '../../lambdas/adapters/node/memory-cache-driver';
import type { CacheDriver } from '../../lambdas/ports/cache-driver';
import type { Clock } from '../../lambdas/ports/clock';

// Test kit of the tiered-cache tests: virtual time, a seeded random, and a driver wrapper that
// fails or hangs on command (fault injection of a backend we own, wrapped around a real store).

/** Virtual time: nothing moves until the test advances it (directly or through drive()). */
export class FakeClock implements Clock {
  private t: number;
  private sleepers: { due: number; wake: () => void }[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { due: this.t + ms, wake: () => resolve() };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Sleeps not yet woken (a timed-out call's timer must not linger after its call settled). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Moves time forward, waking due sleepers in order and letting promise chains run between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (next === undefined || next.due > end) break;
      this.wake(next);
    }
    this.t = end;
    await settle();
  }

  /** Runs `work` to completion, jumping to the next sleeper whenever everything else is idle. */
  async drive<T>(work: Promise<T>, maxMs = 600_000): Promise<T> {
    let done = false;
    work.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    const end = this.t + maxMs;
    for (;;) {
      await settle();
      if (done) return work;
      const next = this.earliest();
      if (next === undefined || next.due > end) {
        throw new Error(`drive: still pending at +${maxMs} ms of virtual time with nothing to wake`);
      }
      this.wake(next);
    }
  }

  private earliest(): { due: number; wake: () => void } | undefined {
    let first: { due: number; wake: () => void } | undefined;
    for (const s of this.sleepers) if (first === undefined || s.due < first.due) first = s;
    return first;
  }

  private wake(sleeper: { due: number; wake: () => void }): void {
    this.sleepers = this.sleepers.filter((s) => s !== sleeper);
    this.t = Math.max(this.t, sleeper.due);
    sleeper.wake();
  }
}

/** Lets every queued promise reaction (and the microtasks they queue) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The engine's seeded uniform [0, 1) (mulberry32). */
export { seededRandom } from '../../lambdas/core/load/iteration';

export type FaultMode = 'ok' | 'fail' | 'hang';

/** A real driver whose calls can be made to reject or never answer, switched at any time. */
export class FaultyDriver implements CacheDriver {
  mode: FaultMode = 'ok';
  calls = 0;
  readonly name: string;

  constructor(private readonly inner: CacheDriver) {
    this.name = inner.name;
  }

  get = (key: string) => this.run(() => this.inner.get(key));
  getMany = (keys: readonly string[]) => this.run(() => this.inner.getMany(keys));
  set = (key: string, value: Uint8Array, ttlMs?: number) => this.run(() => this.inner.set(key, value, ttlMs));
  delete = (keys: readonly string[]) => this.run(() => this.inner.delete(keys));
  deletePattern = (pattern: string) => this.run(() => this.inner.deletePattern(pattern));
  addToSet = (set: string, members: readonly string[], ttlMs?: number) =>
    this.run(() => this.inner.addToSet(set, members, ttlMs));
  setMembers = (set: string) => this.run(() => this.inner.setMembers(set));
  deleteSet = (set: string) => this.run(() => this.inner.deleteSet(set));
  clear = () => this.run(() => this.inner.clear());
  disconnect = () => this.inner.disconnect();

  private run<T>(op: () => Promise<T>): Promise<T> {
    this.calls++;
    if (this.mode === 'fail') return Promise.reject(new Error(`${this.name}: connection refused (injected)`));
    if (this.mode === 'hang') return new Promise<T>(() => {});
    return op();
  }
}

/** Virtual time plus real in-memory stores standing in for the disk (L2) and Valkey (L3) tiers. */
export function cacheWorld() {
  const clock = new FakeClock();
  const now = () => clock.now();
  return {
    clock,
    disk: createMemoryCacheDriver({ name: 'disk', now }),
    redis: createMemoryCacheDriver({ name: 'redis', now }),
    lock: createMemoryLock({ now }),
  };
}

/** A loader that counts its calls, takes `ms` of virtual time, and returns v1, v2, … */
export function slowLoader(clock: FakeClock, ms: number) {
  const loader = Object.assign(
    async (_key: string) => {
      loader.calls++;
      const n = loader.calls;
      await clock.sleep(ms);
      return `v${n}`;
    },
    { calls: 0 },
  );
  return loader;
}

/** One tier's stats by label (`L1`, `L2`, `L3`). */
export const tierOf = (cache: { stats(): { tiers: readonly { tier: string }[] } }, label: string) =>
  cache.stats().tiers.find((t) => t.tier === label) as Record<string, unknown>;
