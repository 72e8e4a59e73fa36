import type { CacheDriver } from '../../../ports/cache-driver';
import type { Clock } from '../../../ports/clock';
import { after } from '../../timing';
import { TierCounters, type TierLabel } from './cache-stats';
import { CircuitBreaker } from './circuit-breaker';
import type { ResolvedTier } from './tiered-options';

/**
 * One remote tier (L2 disk, L3 Valkey/Redis) behind its breaker and timeout. No method rejects:
 * a failure is counted, fed to the breaker and reported as "unavailable", and the tiered cache
 * carries on with the next tier or the loader. Callers never see a tier's error.
 */
export type TierCall<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly reason: 'open' | 'timeout' | 'error' };

/** Index sets beside the values (drivers keep sets apart from values); members are value keys. */
export const tagSet = (tag: string): string => `t:${tag}`;
export const dependentsSet = (key: string): string => `d:${key}`;

/** Keys per delete call: well under ElastiCache Serverless's 3,999 arguments per command. */
const DELETE_CHUNK = 500;
const SKIPPED: TierCall<never> = { ok: false, reason: 'open' };

export interface WriteMeta {
  readonly tags: readonly string[];
  readonly dependsOn: readonly string[];
  /** Payload bytes before and after compression, for the savings counters. */
  readonly payloadBytes: number;
  readonly storedPayloadBytes: number;
}

export class RemoteTier {
  readonly counters = new TierCounters();
  readonly breaker: CircuitBreaker;

  constructor(
    readonly label: Exclude<TierLabel, 'L1'>,
    private readonly settings: ResolvedTier,
    private readonly clock: Clock,
  ) {
    this.breaker = new CircuitBreaker(settings.breaker, () => clock.now());
  }

  get name(): string {
    return this.settings.driver.name;
  }

  get shared(): boolean {
    return this.settings.shared;
  }

  /** Runs one operation: skipped while the breaker is open, bounded by the tier timeout. */
  async call<R>(op: (driver: CacheDriver) => Promise<R>): Promise<TierCall<R>> {
    if (!this.breaker.allow()) {
      this.counters.skipped++;
      return SKIPPED;
    }
    const outcome = await bounded(() => op(this.settings.driver), this.settings.timeoutMs, this.clock);
    if (outcome.ok) this.breaker.success();
    else {
      if (outcome.reason === 'timeout') this.counters.timeouts++;
      else this.counters.errors++;
      this.breaker.failure(outcome.reason);
    }
    return outcome;
  }

  /** The stored bytes (undefined: absent), or not ok when the tier could not answer. */
  async read(key: string): Promise<TierCall<Uint8Array | undefined>> {
    const started = this.clock.now();
    const result = await this.call((d) => d.get(key));
    if (result.ok || result.reason !== 'open') this.counters.latency.recordMs(this.clock.now() - started);
    return result;
  }

  /** Value plus its tag and dependency index entries, as one bounded call. */
  async write(key: string, bytes: Uint8Array, remainingMs: number, meta: WriteMeta): Promise<boolean> {
    const ttlMs = Math.min(remainingMs, this.settings.ttlCapMs);
    if (!(ttlMs > 0)) return false;
    const result = await this.call((d) =>
      Promise.all([
        d.set(key, bytes, ttlMs),
        ...meta.tags.map((tag) => d.addToSet(tagSet(tag), [key], ttlMs)),
        ...meta.dependsOn.map((dep) => d.addToSet(dependentsSet(dep), [key], ttlMs)),
      ]),
    );
    if (!result.ok) return false;
    this.counters.sets++;
    this.counters.bytesBeforeCompression += meta.payloadBytes;
    this.counters.bytesStored += meta.storedPayloadBytes;
    return true;
  }

  async remove(keys: readonly string[]): Promise<number> {
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += DELETE_CHUNK) chunks.push(keys.slice(i, i + DELETE_CHUNK));
    const results = await Promise.all(chunks.map((chunk) => this.call((d) => d.delete(chunk))));
    const removed = results.reduce((sum, r) => sum + (r.ok ? r.value : 0), 0);
    this.counters.deletes += removed;
    return removed;
  }

  async removePattern(pattern: string): Promise<number> {
    const result = await this.call((d) => d.deletePattern(pattern));
    const removed = result.ok ? result.value : 0;
    this.counters.deletes += removed;
    return removed;
  }

  /** Members of an index set; [] when the tier cannot answer (an invalidation does what it can). */
  async members(set: string): Promise<string[]> {
    const result = await this.call((d) => d.setMembers(set));
    return result.ok ? result.value : [];
  }

  async removeSets(sets: readonly string[]): Promise<void> {
    if (sets.length === 0) return;
    await this.call((d) => Promise.all(sets.map((set) => d.deleteSet(set))));
  }

  async clear(): Promise<boolean> {
    return (await this.call((d) => d.clear())).ok;
  }
}

type Bounded<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly reason: 'timeout' | 'error' };

/**
 * Races the operation against the clock. A timed-out call keeps running (a promise cannot be
 * cancelled) but nobody waits for it; the timer is cancelled as soon as the race is decided so no
 * sleep outlives its call. A driver's own timeout error (`E_CACHE_TIMEOUT`) counts as a timeout.
 */
export async function bounded<R>(op: () => Promise<R>, timeoutMs: number, clock: Clock): Promise<Bounded<R>> {
  let work: Promise<R>;
  try {
    work = op();
  } catch {
    return { ok: false, reason: 'error' };
  }
  // One promise and one timer per call, no race or AbortController: this is every L3 read.
  return new Promise<Bounded<R>>((resolve) => {
    let settled = false;
    const settle = (outcome: Bounded<R>) => {
      if (settled) return;
      settled = true;
      cancel();
      resolve(outcome);
    };
    const cancel = after(clock, timeoutMs, () => settle({ ok: false, reason: 'timeout' }));
    work.then(
      (value) => settle({ ok: true, value }),
      (error: unknown) => settle({ ok: false, reason: isTimeout(error) ? 'timeout' : 'error' }),
    );
  });
}

function isTimeout(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'E_CACHE_TIMEOUT'
  );
}
