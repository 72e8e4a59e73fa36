import type { CacheBus, CacheDriver, DistributedLock } from '../../../ports/cache-driver';
import type { Clock } from '../../../ports/clock';
import type { CompressionAlgorithm, Compressor } from '../../../ports/compressor';
import type { EvictionPolicy } from '../policies/memory-cache';
import { CacheError } from './cache-error';
import type { BreakerSettings } from './circuit-breaker';
import { validateTieredCacheOptions } from './validate-options';

/** One remote tier (L2 disk, L3 Valkey/Redis): its driver and how failures of it are contained. */
export interface RemoteTierOptions {
  readonly driver: CacheDriver;
  /** Bound on every call to the tier (a slow tier cannot slow callers beyond it). Default 100 ms. */
  readonly timeoutMs?: number;
  /** Consecutive failures (errors or timeouts) that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** Consecutive timeouts that open the breaker. Default 2. */
  readonly timeoutThreshold?: number;
  /** How long an open breaker skips the tier before one trial call. Default 10,000 ms. */
  readonly cooldownMs?: number;
  /**
   * Whether every instance reads this same store. A shared tier is left alone by bus messages (the
   * publisher already invalidated it); a per-instance one (a local disk) is invalidated like L1.
   * Default false for l2, true for l3.
   */
  readonly shared?: boolean;
  /** Cap on how long entries live in this tier (e.g. a per-instance disk on Lambda); default none. */
  readonly ttlMs?: number;
}

export interface TieredCacheOptions {
  /** Time for TTLs, timeouts, lock waits and latency; never the system clock directly. */
  readonly clock: Clock;
  /** Uniform [0, 1) for XFetch; default Math.random. Tests inject a seeded one. */
  readonly random?: () => number;
  /** Tells this instance's bus messages apart; default a random UUID. */
  readonly instanceId?: string;
  /** Default time to live (logical freshness). Default 300,000 ms. */
  readonly ttlMs?: number;
  /** Default grace after expiry in which a stale value may be served (SWR, stale-on-error). Default 0. */
  readonly graceMs?: number;
  /** Within grace: serve stale at once and refresh in the background (true), or load first (false). Default true. */
  readonly staleWhileRevalidate?: boolean;
  /** After a failed load served stale, how long the stale value is served before the loader is retried. Default 5,000 ms. */
  readonly graceBackoffMs?: number;
  /** XFetch β: > 1 refreshes earlier, 0 turns early refresh off. Default 1. */
  readonly earlyRefreshBeta?: number;
  /** L1 eviction policy. Default `lru`. */
  readonly l1Policy?: EvictionPolicy;
  /** Most L1 entries. Default 10,000 when l1MaxBytes is not given either. */
  readonly l1MaxEntries?: number;
  /** Most bytes of serialised values in L1. Default none. */
  readonly l1MaxBytes?: number;
  /** Cap on an entry's life in L1 (Lambda: L1 misses bus messages while frozen, so keep it short). Default none. */
  readonly l1TtlMs?: number;
  readonly l2?: RemoteTierOptions;
  readonly l3?: RemoteTierOptions;
  /** Cross-process stampede lock, held in L3's store. Requires l3. Default none (in-process coalescing only). */
  readonly lock?: DistributedLock;
  /** Lock lease: longer than a normal load, short enough that a crashed holder does not stall others. Default 5,000 ms. */
  readonly lockLeaseMs?: number;
  /** How long a caller waits for another process's load before loading itself. Default 3,000 ms. */
  readonly lockWaitMs?: number;
  /** First poll interval while waiting; doubles up to lockPollMaxMs. Defaults 10 and 200 ms. */
  readonly lockPollMs?: number;
  readonly lockPollMaxMs?: number;
  /** Cross-instance L1 invalidation. Default none (L1 TTLs alone bound staleness). */
  readonly bus?: CacheBus;
  /** Default `throughline:cache:invalidations`. */
  readonly busChannel?: string;
  /** Compression for L2/L3 entries; required for any compression. */
  readonly compressor?: Compressor;
  /** Default `gzip` when a compressor is given, else `none`. */
  readonly compression?: CompressionAlgorithm | 'none';
  /** Smallest payload compressed. Default 1,024 bytes (where CloudFront starts compressing). */
  readonly compressionThresholdBytes?: number;
  /** Keys tracked for popularKeys() (space-saving counters). Default 1,000. */
  readonly popularKeysCapacity?: number;
  /** Loads warm() runs at once. Default 8. */
  readonly warmConcurrency?: number;
}

export interface ResolvedTier {
  readonly driver: CacheDriver;
  readonly timeoutMs: number;
  readonly breaker: BreakerSettings;
  readonly shared: boolean;
  /** Infinity: no cap. */
  readonly ttlCapMs: number;
}

export interface ResolvedOptions {
  readonly clock: Clock;
  readonly random: () => number;
  readonly instanceId: string;
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly staleWhileRevalidate: boolean;
  readonly graceBackoffMs: number;
  readonly earlyRefreshBeta: number;
  readonly l1: {
    readonly policy: EvictionPolicy;
    readonly maxEntries: number | undefined;
    readonly maxBytes: number | undefined;
    readonly ttlCapMs: number;
  };
  readonly l2: ResolvedTier | undefined;
  readonly l3: ResolvedTier | undefined;
  readonly lock:
    | {
        readonly lock: DistributedLock;
        readonly leaseMs: number;
        readonly waitMs: number;
        readonly pollMs: number;
        readonly pollMaxMs: number;
      }
    | undefined;
  readonly bus: { readonly bus: CacheBus; readonly channel: string } | undefined;
  readonly compression:
    | {
        readonly compressor: Compressor;
        readonly algorithm: CompressionAlgorithm;
        readonly thresholdBytes: number;
      }
    | undefined;
  /** Set even without compression: entries written by other instances may be compressed. */
  readonly compressor: Compressor | undefined;
  readonly popularKeysCapacity: number;
  readonly warmConcurrency: number;
}

/** Validates once (every problem listed), then applies each default once. */
export function resolveOptions(options: TieredCacheOptions): ResolvedOptions {
  const problems = validateTieredCacheOptions(options);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new CacheError('E_CACHE_INVALID_OPTIONS', `invalid tiered cache options:\n${lines}`, {
      details: problems,
    });
  }
  const o = options;
  const tier = (t: RemoteTierOptions | undefined, sharedDefault: boolean): ResolvedTier | undefined =>
    t === undefined
      ? undefined
      : {
          driver: t.driver,
          timeoutMs: t.timeoutMs ?? 100,
          breaker: {
            failureThreshold: t.failureThreshold ?? 5,
            timeoutThreshold: t.timeoutThreshold ?? 2,
            cooldownMs: t.cooldownMs ?? 10_000,
          },
          shared: t.shared ?? sharedDefault,
          ttlCapMs: t.ttlMs ?? Number.POSITIVE_INFINITY,
        };
  const algorithm = o.compression ?? (o.compressor === undefined ? 'none' : 'gzip');
  return {
    clock: o.clock,
    random: o.random ?? Math.random,
    instanceId: o.instanceId ?? globalThis.crypto.randomUUID(),
    ttlMs: o.ttlMs ?? 300_000,
    graceMs: o.graceMs ?? 0,
    staleWhileRevalidate: o.staleWhileRevalidate ?? true,
    graceBackoffMs: o.graceBackoffMs ?? 5_000,
    earlyRefreshBeta: o.earlyRefreshBeta ?? 1,
    l1: {
      policy: o.l1Policy ?? 'lru',
      maxEntries: o.l1MaxEntries ?? (o.l1MaxBytes === undefined ? 10_000 : undefined),
      maxBytes: o.l1MaxBytes,
      ttlCapMs: o.l1TtlMs ?? Number.POSITIVE_INFINITY,
    },
    l2: tier(o.l2, false),
    l3: tier(o.l3, true),
    lock:
      o.lock === undefined
        ? undefined
        : {
            lock: o.lock,
            leaseMs: o.lockLeaseMs ?? 5_000,
            waitMs: o.lockWaitMs ?? 3_000,
            pollMs: o.lockPollMs ?? 10,
            pollMaxMs: o.lockPollMaxMs ?? 200,
          },
    bus:
      o.bus === undefined
        ? undefined
        : { bus: o.bus, channel: o.busChannel ?? 'throughline:cache:invalidations' },
    compression:
      algorithm === 'none' || o.compressor === undefined
        ? undefined
        : { compressor: o.compressor, algorithm, thresholdBytes: o.compressionThresholdBytes ?? 1_024 },
    compressor: o.compressor,
    popularKeysCapacity: o.popularKeysCapacity ?? 1_000,
    warmConcurrency: o.warmConcurrency ?? 8,
  };
}
