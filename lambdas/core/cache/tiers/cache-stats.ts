import { createHistogram, type LatencyHistogram } from '../../stats/histogram';
import type { BreakerSnapshot } from './circuit-breaker';

/**
 * Counters and latency histograms of the tiered cache. Latencies go into HdrHistograms (exact
 * percentiles within 0.1 %, mergeable), never averaged. Two histograms per series: `interval`
 * receives records and is what one EMF document reports; emf() then folds it into `past`, a
 * compact histogram that only ever receives merges, so stats() still covers the process lifetime.
 */
export interface LatencySummary {
  readonly count: number;
  /** Milliseconds, µs resolution. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export class LatencyWindow {
  private readonly interval: LatencyHistogram = createHistogram();
  private readonly past: LatencyHistogram = createHistogram(true);

  recordMs(ms: number): void {
    this.interval.record(ms * 1000);
  }

  /** Over the whole life of the cache. */
  summary(): LatencySummary {
    const all = createHistogram();
    all.add(this.past);
    all.add(this.interval);
    return summarize(all);
  }

  /** Since the previous call (p99 in ms, undefined with no samples); starts a new interval. */
  takeInterval(): { readonly count: number; readonly p99: number | undefined } {
    const count = this.interval.count;
    const p99 = count === 0 ? undefined : this.interval.percentile(99) / 1000;
    this.past.add(this.interval);
    this.interval.reset();
    return { count, p99 };
  }
}

function summarize(h: LatencyHistogram): LatencySummary {
  const ms = (us: number) => us / 1000;
  return {
    count: h.count,
    p50: ms(h.percentile(50)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
  };
}

/** What every tier counts. A stale entry found counts as a miss: the caller still needs a load. */
export class TierCounters {
  hits = 0;
  misses = 0;
  sets = 0;
  deletes = 0;
  errors = 0;
  timeouts = 0;
  /** Calls not made because the breaker was open. */
  skipped = 0;
  /** Entries written to this tier, payload bytes before and after compression. */
  bytesBeforeCompression = 0;
  bytesStored = 0;
  readonly latency = new LatencyWindow();
  /** Counter values at the previous emf(), for per-interval deltas. */
  emitted = { hits: 0, misses: 0, evictions: 0, bytesSaved: 0 };

  get bytesSaved(): number {
    return this.bytesBeforeCompression - this.bytesStored;
  }
}

export type TierLabel = 'L1' | 'L2' | 'L3';

export interface TierStats {
  readonly tier: TierLabel;
  /** The L1 policy, or the driver's name (`disk`, `redis`, …). */
  readonly name: string;
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), 0–1; null before the first lookup. */
  readonly hitRate: number | null;
  readonly sets: number;
  readonly deletes: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly skipped: number;
  readonly bytesWritten: number;
  readonly bytesSaved: number;
  /** Read latency (L1: one get in 8 is timed, see local-tier.ts). */
  readonly latencyMs: LatencySummary;
  /** L1 only. */
  readonly evictions?: number;
  readonly expirations?: number;
  readonly entries?: number;
  readonly bytes?: number;
  /** L2/L3 only. */
  readonly breaker?: BreakerSnapshot;
}

export function tierStats(
  tier: TierLabel,
  name: string,
  c: TierCounters,
  extra: Partial<Pick<TierStats, 'evictions' | 'expirations' | 'entries' | 'bytes' | 'breaker'>>,
): TierStats {
  const lookups = c.hits + c.misses;
  return {
    tier,
    name,
    hits: c.hits,
    misses: c.misses,
    hitRate: lookups === 0 ? null : c.hits / lookups,
    sets: c.sets,
    deletes: c.deletes,
    errors: c.errors,
    timeouts: c.timeouts,
    skipped: c.skipped,
    bytesWritten: c.bytesStored,
    bytesSaved: c.bytesSaved,
    latencyMs: c.latency.summary(),
    ...extra,
  };
}

/** The loader side: calls, failures, and what stampede protection saved. */
export class LoaderCounters {
  calls = 0;
  errors = 0;
  /** Callers that joined another caller's in-flight load in this process. */
  coalescedWaits = 0;
  /** Callers that waited for another process holding the L3 lock, and those whose wait ran out. */
  lockWaits = 0;
  lockWaitTimeouts = 0;
  /** Values found in L3 after waiting for (or right after taking) the lock: loads another process did. */
  peerLoads = 0;
  earlyRefreshes = 0;
  backgroundRefreshes = 0;
  backgroundErrors = 0;
  staleServed = 0;
  /** Loaded values not written because an invalidation overtook the load. */
  discardedWrites = 0;
  readonly latency = new LatencyWindow();
}

export class CompressionCounters {
  /** Entries encoded for the remote tiers. */
  encoded = 0;
  compressed = 0;
  /** At or above the threshold, but compression did not make them smaller. */
  incompressible = 0;
  bytesIn = 0;
  bytesOut = 0;
}

export class InvalidationCounters {
  requests = 0;
  keys = 0;
  cascaded = 0;
  patterns = 0;
  tags = 0;
  published = 0;
  received = 0;
  busErrors = 0;
}
