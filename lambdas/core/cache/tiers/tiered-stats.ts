import type { CompressionAlgorithm } from '../../../ports/compressor';
import {
  type InvalidationCounters,
  type LatencySummary,
  type LoaderCounters,
  type TierCounters,
  type TierLabel,
  type TierStats,
  tierStats,
} from './cache-stats';
import type { TierInterval } from './emf';
import type { Tiers } from './tiers';

/** The JSON of `GET /cache/stats`: cumulative since the cache was created. */
export interface TieredCacheStats {
  readonly instanceId: string;
  /** L1 first, then L2 and L3 when configured. */
  readonly tiers: readonly TierStats[];
  readonly loader: {
    readonly calls: number;
    readonly errors: number;
    readonly coalescedWaits: number;
    readonly lockWaits: number;
    readonly lockWaitTimeouts: number;
    readonly peerLoads: number;
    readonly earlyRefreshes: number;
    readonly backgroundRefreshes: number;
    readonly backgroundErrors: number;
    readonly staleServed: number;
    readonly discardedWrites: number;
    readonly latencyMs: LatencySummary;
  };
  readonly compression: {
    readonly algorithm: CompressionAlgorithm | 'none';
    readonly thresholdBytes: number | null;
    readonly encoded: number;
    readonly compressed: number;
    readonly incompressible: number;
    /** Payload bytes of encoded entries before and after compression. */
    readonly bytesIn: number;
    readonly bytesOut: number;
    readonly bytesSaved: number;
    /** bytesOut / bytesIn; null before the first entry. */
    readonly ratio: number | null;
  };
  readonly invalidation: {
    readonly requests: number;
    readonly keys: number;
    readonly cascaded: number;
    readonly patterns: number;
    readonly tags: number;
  };
  readonly bus: {
    readonly channel: string;
    readonly subscribed: boolean;
    readonly published: number;
    readonly received: number;
    readonly errors: number;
  } | null;
  /** This instance's most requested keys with estimated counts. */
  readonly popularKeys: readonly { readonly key: string; readonly count: number }[];
  readonly inFlight: number;
  readonly background: number;
}

export interface StatsSources {
  readonly instanceId: string;
  readonly tiers: Tiers;
  readonly loader: LoaderCounters;
  readonly invalidations: InvalidationCounters;
  readonly compression:
    | { readonly algorithm: CompressionAlgorithm; readonly thresholdBytes: number }
    | undefined;
  readonly bus: { readonly channel: string; readonly subscribed: boolean } | undefined;
  readonly popular: readonly { readonly key: string; readonly count: number }[];
  readonly inFlight: number;
  readonly background: number;
}

export function buildStats(s: StatsSources): TieredCacheStats {
  const { l1, remotes, compression: c } = s.tiers;
  const memory = l1.memoryStats();
  const { latency: loaderLatency, ...loader } = s.loader;
  const inv = s.invalidations;
  return {
    instanceId: s.instanceId,
    tiers: [
      tierStats('L1', l1.policy, l1.counters, {
        evictions: memory.evictions,
        expirations: memory.expirations,
        entries: memory.entries,
        bytes: memory.bytes,
      }),
      ...remotes.map((t) => tierStats(t.label, t.name, t.counters, { breaker: t.breaker.snapshot() })),
    ],
    loader: { ...loader, latencyMs: loaderLatency.summary() },
    compression: {
      algorithm: s.compression?.algorithm ?? 'none',
      thresholdBytes: s.compression?.thresholdBytes ?? null,
      encoded: c.encoded,
      compressed: c.compressed,
      incompressible: c.incompressible,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      bytesSaved: c.bytesIn - c.bytesOut,
      ratio: c.bytesIn === 0 ? null : c.bytesOut / c.bytesIn,
    },
    invalidation: {
      requests: inv.requests,
      keys: inv.keys,
      cascaded: inv.cascaded,
      patterns: inv.patterns,
      tags: inv.tags,
    },
    bus:
      s.bus === undefined
        ? null
        : {
            channel: s.bus.channel,
            subscribed: s.bus.subscribed,
            published: inv.published,
            received: inv.received,
            errors: inv.busErrors,
          },
    popularKeys: s.popular,
    inFlight: s.inFlight,
    background: s.background,
  };
}

/** Counters since the previous emf() of this tier; the next interval starts now. */
export function tierInterval(tier: TierLabel, c: TierCounters, evictions: number | undefined): TierInterval {
  const before = c.emitted;
  const latency = c.latency.takeInterval();
  c.emitted = { hits: c.hits, misses: c.misses, evictions: evictions ?? 0, bytesSaved: c.bytesSaved };
  return {
    tier,
    hits: c.hits - before.hits,
    misses: c.misses - before.misses,
    evictions: evictions === undefined ? undefined : evictions - before.evictions,
    bytesSaved: c.bytesSaved - before.bytesSaved,
    p99Ms: latency.p99,
  };
}
