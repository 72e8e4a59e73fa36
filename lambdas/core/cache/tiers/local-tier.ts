import type { Clock } from '../../../ports/clock';
import { globMatcher } from '../invalidation/glob';
import { createMemoryCache } from '../policies/create-memory-cache';
import type { MemoryCache } from '../policies/memory-cache';
import { TierCounters } from './cache-stats';
import type { CacheEntry } from './entry-codec';
import type { ResolvedOptions } from './tiered-options';

/**
 * L1: the process's memory cache holding decoded entries (no parse on a hit; values are shared
 * references, so callers must not mutate them), plus the indexes that let tag and cascade
 * invalidation find L1 keys without asking a remote tier. The indexes follow the memory cache
 * exactly: an entry evicted, expired or refused leaves them through onEvict.
 */
export class LocalTier {
  readonly counters = new TierCounters();
  readonly policy: string;
  private readonly memory: MemoryCache<CacheEntry>;
  private readonly index = new KeyIndex();
  private readonly ttlCapMs: number;
  private reads = 0;

  constructor(
    settings: ResolvedOptions['l1'],
    private readonly clock: Clock,
  ) {
    this.policy = settings.policy;
    this.ttlCapMs = settings.ttlCapMs;
    this.memory = createMemoryCache<CacheEntry>({
      policy: settings.policy,
      ...(settings.maxEntries === undefined ? {} : { maxEntries: settings.maxEntries }),
      ...(settings.maxBytes === undefined ? {} : { maxBytes: settings.maxBytes }),
      sizeOf: (entry, key) => entry.size + key.length,
      now: () => clock.now(),
      onEvict: (key) => this.index.remove(key),
    });
  }

  /**
   * The entry if held (fresh or within grace: the caller decides). One read in 8 is timed: timing
   * costs two clock reads and a histogram record, about as much as the lookup itself, and a
   * sample of 1/8 still shows the tail (GC pauses) that matters at L1.
   */
  get(key: string): CacheEntry | undefined {
    if ((++this.reads & 7) !== 0) return this.memory.get(key);
    const started = this.clock.now();
    const entry = this.memory.get(key);
    this.counters.latency.recordMs(this.clock.now() - started);
    return entry;
  }

  /** Keeps the entry until its grace ends, or the L1 cap, whichever is sooner. */
  set(key: string, entry: CacheEntry, remainingMs: number): void {
    const ttlMs = Math.min(remainingMs, this.ttlCapMs);
    this.index.remove(key);
    if (!(ttlMs > 0)) {
      this.memory.delete(key);
      return;
    }
    this.memory.set(key, entry, { ttlMs });
    this.counters.sets++;
    // An adaptive L1 may decline a newcomer; only what it holds is indexed.
    if (this.memory.has(key)) this.index.add(key, entry.tags, entry.dependsOn);
  }

  delete(key: string): boolean {
    this.index.remove(key);
    const removed = this.memory.delete(key);
    if (removed) this.counters.deletes++;
    return removed;
  }

  keysMatching(pattern: string): string[] {
    const matches = globMatcher(pattern);
    return [...this.memory.keys()].filter(matches);
  }

  keysTagged(tag: string): readonly string[] {
    return this.index.keysTagged(tag);
  }

  dependentsOf(key: string): readonly string[] {
    return this.index.dependentsOf(key);
  }

  clear(): void {
    this.memory.clear();
    this.index.clear();
  }

  memoryStats() {
    return this.memory.stats();
  }
}

/** tag → keys and key → keys that depend on it, for the L1 entries that declared any. */
class KeyIndex {
  private readonly byTag = new Map<string, Set<string>>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly declared = new Map<
    string,
    { readonly tags: readonly string[]; readonly on: readonly string[] }
  >();

  add(key: string, tags: readonly string[], dependsOn: readonly string[]): void {
    if (tags.length === 0 && dependsOn.length === 0) return;
    this.declared.set(key, { tags, on: dependsOn });
    for (const tag of tags) link(this.byTag, tag, key);
    for (const dep of dependsOn) link(this.dependents, dep, key);
  }

  remove(key: string): void {
    const declared = this.declared.get(key);
    if (declared === undefined) return;
    this.declared.delete(key);
    for (const tag of declared.tags) unlink(this.byTag, tag, key);
    for (const dep of declared.on) unlink(this.dependents, dep, key);
  }

  keysTagged(tag: string): readonly string[] {
    return [...(this.byTag.get(tag) ?? [])];
  }

  dependentsOf(key: string): readonly string[] {
    return [...(this.dependents.get(key) ?? [])];
  }

  clear(): void {
    this.byTag.clear();
    this.dependents.clear();
    this.declared.clear();
  }
}

function link(map: Map<string, Set<string>>, name: string, key: string): void {
  const keys = map.get(name);
  if (keys === undefined) map.set(name, new Set([key]));
  else keys.add(key);
}

function unlink(map: Map<string, Set<string>>, name: string, key: string): void {
  const keys = map.get(name);
  if (keys === undefined) return;
  keys.delete(key);
  if (keys.size === 0) map.delete(name);
}
