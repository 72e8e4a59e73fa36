import type { CacheEntry, CachePolicy, PolicyHost } from './cache-policy';
import { HillClimber } from './hill-climber';
import { LinkedList } from './linked-list';
import { hashKey } from './mix';
import { TinyLfuAdmission } from './tinylfu-admission';

/**
 * `adaptive`: W-TinyLFU as in Caffeine (Einziger, Friedman & Manes, "TinyLFU", ACM ToS 2017, and
 * Caffeine's BoundedLocalCache), written here because no established JavaScript cache ships it:
 * lru-cache, bentocache and cacheable are LRU, and the one port the research found, `transitory`
 * (~2k downloads a month, see research/cache-scaling-anchors.md), is a reference, not a dependency.
 *
 *   newcomer ─► window (LRU, 1–80 % of capacity, tuned by HillClimber)
 *                 │ overflow: window's LRU becomes a candidate at probation's MRU end
 *                 ▼
 *   main = probation (SLRU, ~20 %) ──hit──► protected (~80 % of main) ──overflow──► probation
 *     while over capacity: candidate vs probation's LRU (victim), by TinyLFU frequency
 *     (TinyLfuAdmission);
 *     the candidate must be strictly more frequent, otherwise it leaves ('rejected').
 *
 * Both bounds apply at once: every segment limit is a share of maxEntries AND of maxBytes, and a
 * segment overflows when either is exceeded, so byte-bounded caches get Caffeine's weighted
 * segments. Every operation is O(1) apart from O(key length) hashing on insert; amortized, a
 * window resize (at most one step, 6.25 % of capacity, per sample of 10 × capacity requests) and
 * the sketch's doublings as a cache fills add O(1).
 */
const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
type Segment = typeof WINDOW | typeof PROBATION | typeof PROTECTED;

const MIN_WINDOW_SHARE = 0.01;
const MAX_WINDOW_SHARE = 0.8;
const PROTECTED_SHARE = 0.8;

export class AdaptiveEntry<V> implements CacheEntry<V> {
  prev: AdaptiveEntry<V> | undefined = undefined;
  next: AdaptiveEntry<V> | undefined = undefined;
  segment: Segment = WINDOW;
  constructor(
    readonly key: string,
    public value: V,
    public size: number,
    public expiresAt: number,
    readonly hash: number,
  ) {}
}

class Region<V> {
  readonly list = new LinkedList<AdaptiveEntry<V>>();
  bytes = 0;
  maxEntries = 0;
  maxBytes = 0;

  over(): boolean {
    return this.list.length > this.maxEntries || this.bytes > this.maxBytes;
  }

  fits(entry: AdaptiveEntry<V>): boolean {
    return this.list.length < this.maxEntries && this.bytes + entry.size <= this.maxBytes;
  }
}

export class WTinyLfu<V> implements CachePolicy<V, AdaptiveEntry<V>> {
  private readonly regions: readonly [Region<V>, Region<V>, Region<V>] = [
    new Region<V>(),
    new Region<V>(),
    new Region<V>(),
  ];
  private readonly climber = new HillClimber();
  private readonly admission: TinyLfuAdmission;
  private share = MIN_WINDOW_SHARE;

  constructor(private readonly host: PolicyHost<AdaptiveEntry<V>>) {
    this.admission = new TinyLfuAdmission(host.maxEntries);
    this.resize();
  }

  /** The admission window's current share of capacity (diagnostics and tests). */
  get windowShare(): number {
    return this.share;
  }

  create(key: string, value: V, size: number, expiresAt: number): AdaptiveEntry<V> {
    return new AdaptiveEntry(key, value, size, expiresAt, hashKey(key));
  }

  insert(entry: AdaptiveEntry<V>): void {
    this.place(entry, WINDOW);
    const [window, probation, protectedRegion] = this.regions;
    this.admission.fit(window.list.length + probation.list.length + protectedRegion.list.length);
    this.admission.record(entry.hash);
    this.evict();
  }

  /** A write is a use, as in Caffeine; a grown entry may push its segment over its limit. */
  update(entry: AdaptiveEntry<V>, sizeDelta: number): void {
    this.regions[entry.segment].bytes += sizeDelta;
    this.touch(entry);
    this.demoteProtected();
    this.evict();
  }

  hit(entry: AdaptiveEntry<V>): void {
    this.touch(entry);
    this.climb(true);
  }

  miss(): void {
    this.climb(false);
  }

  unlink(entry: AdaptiveEntry<V>): void {
    const region = this.regions[entry.segment];
    region.list.remove(entry);
    region.bytes -= entry.size;
  }

  /** Frequencies and the window size survive: they describe the workload, not the contents. */
  clear(): void {
    for (const region of this.regions) {
      region.list.clear();
      region.bytes = 0;
    }
  }

  private touch(entry: AdaptiveEntry<V>): void {
    this.admission.record(entry.hash);
    if (entry.segment === PROBATION) {
      this.move(entry, PROTECTED);
      this.demoteProtected();
    } else {
      this.regions[entry.segment].list.moveToTail(entry);
    }
  }

  private evict(): void {
    const [window, probation, protectedRegion] = this.regions;
    let candidates = 0;
    while (window.over() && window.list.head !== undefined) {
      this.move(window.list.head, PROBATION);
      candidates++;
    }
    // Candidates are the entries just moved, at probation's MRU end; the newest competes first.
    let candidate = candidates > 0 ? probation.list.tail : undefined;
    while (this.host.overCapacity()) {
      const victim = probation.list.head ?? protectedRegion.list.head ?? window.list.head;
      if (victim === undefined) return;
      if (candidate === undefined || candidates <= 0 || candidate === victim || this.host.isExpired(victim)) {
        // No contest: nobody new is competing (an update grew an entry), the candidate is all
        // probation has left, or the victim is dead anyway (the host reports it as expired).
        if (candidate === victim) candidate = undefined;
        this.host.evict(victim, 'capacity');
        continue;
      }
      candidates--;
      if (this.host.isExpired(candidate) || !this.admission.admit(candidate.hash, victim.hash)) {
        const next = candidate.prev;
        this.host.evict(candidate, 'rejected');
        candidate = next;
      } else {
        this.host.evict(victim, 'capacity');
        candidate = candidate.prev;
      }
    }
  }

  private climb(hit: boolean): void {
    const amount = this.climber.record(hit, this.admission.sampleSize);
    if (amount === 0) return;
    const share = Math.min(MAX_WINDOW_SHARE, Math.max(MIN_WINDOW_SHARE, this.share + amount));
    if (share === this.share) return;
    const grew = share > this.share;
    this.share = share;
    this.resize();
    const [window, probation, protectedRegion] = this.regions;
    if (grew) {
      // As Caffeine's increaseWindow: main's least valuable entries move into the new room now
      // (and later compete again as candidates) instead of being evicted unopposed while
      // newcomers fill the window.
      for (;;) {
        const entry = probation.list.head ?? protectedRegion.list.head;
        if (entry === undefined || !window.fits(entry)) break;
        this.move(entry, WINDOW);
      }
    } else {
      while (window.over() && window.list.head !== undefined) this.move(window.list.head, PROBATION);
    }
    this.demoteProtected();
  }

  private demoteProtected(): void {
    const protectedRegion = this.regions[PROTECTED];
    while (protectedRegion.over() && protectedRegion.list.head !== undefined) {
      this.move(protectedRegion.list.head, PROBATION);
    }
  }

  /** Recomputes segment limits from the window share, in both dimensions. */
  private resize(): void {
    const [window, , protectedRegion] = this.regions;
    const { maxEntries, maxBytes } = this.host;
    window.maxEntries = windowLimit(maxEntries, this.share);
    window.maxBytes = windowLimit(maxBytes, this.share);
    protectedRegion.maxEntries = protectedLimit(maxEntries, window.maxEntries);
    protectedRegion.maxBytes = protectedLimit(maxBytes, window.maxBytes);
  }

  private place(entry: AdaptiveEntry<V>, segment: Segment): void {
    const region = this.regions[segment];
    entry.segment = segment;
    region.list.pushTail(entry);
    region.bytes += entry.size;
  }

  private move(entry: AdaptiveEntry<V>, segment: Segment): void {
    this.unlink(entry);
    this.place(entry, segment);
  }
}

/** At least one unit, so even a tiny cache has a window (Caffeine: max − ⌊0.99·max⌋). */
function windowLimit(max: number, share: number): number {
  return max === Number.POSITIVE_INFINITY ? max : Math.max(1, Math.ceil(max * share - 1e-9));
}

function protectedLimit(max: number, window: number): number {
  return max === Number.POSITIVE_INFINITY ? max : Math.floor(PROTECTED_SHARE * (max - window));
}
