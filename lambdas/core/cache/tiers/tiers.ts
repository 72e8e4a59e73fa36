import type { Clock } from '../../../ports/clock';
import type { Compressor } from '../../../ports/compressor';
import { CompressionCounters, type TierLabel } from './cache-stats';
import {
  type CacheEntry,
  type CompressionSettings,
  decodeEntry,
  type EncodedEntry,
  encodeEntry,
  serializeValue,
} from './entry-codec';
import type { ResolvedEntryOptions } from './entry-options';
import { LocalTier } from './local-tier';
import { RemoteTier } from './remote-tier';
import type { ResolvedOptions } from './tiered-options';

export interface Found {
  readonly entry: CacheEntry;
  /** Before its logical expiry; otherwise within grace. */
  readonly fresh: boolean;
  readonly tier: TierLabel;
}

interface Read {
  readonly entry: CacheEntry;
  readonly bytes: Uint8Array;
  readonly storedPayloadBytes: number;
}

/**
 * The tiers as one store: reads fall through L1 → L2 → L3 and promote what they find; writes go to
 * every tier. `epoch` counts invalidations: a read that overlapped one does not promote what it
 * read, since that may be exactly what the invalidation removed.
 */
export class Tiers {
  readonly l1: LocalTier;
  /** Fastest first. */
  readonly remotes: readonly RemoteTier[];
  readonly l3: RemoteTier | undefined;
  readonly compression = new CompressionCounters();
  epoch = 0;
  private readonly clock: Clock;
  private readonly compressor: Compressor | undefined;
  private readonly compressionSettings: CompressionSettings | undefined;

  constructor(
    o: ResolvedOptions,
    /** Runs work nobody waits for (promotions, lock releases), tracked for idle(). */
    readonly track: (work: Promise<unknown>) => void,
  ) {
    this.clock = o.clock;
    this.compressor = o.compressor;
    this.compressionSettings = o.compression;
    this.l1 = new LocalTier(o.l1, o.clock);
    const l2 = o.l2 === undefined ? undefined : new RemoteTier('L2', o.l2, o.clock);
    this.l3 = o.l3 === undefined ? undefined : new RemoteTier('L3', o.l3, o.clock);
    this.remotes = [l2, this.l3].filter((t): t is RemoteTier => t !== undefined);
  }

  /** L1 only, synchronous: the entry (fresh or in grace) or undefined; a hit only when fresh. */
  local(key: string, now: number, count = true): CacheEntry | undefined {
    const entry = this.l1.get(key);
    if (count) {
      if (entry !== undefined && entry.expiresAt > now) this.l1.counters.hits++;
      else this.l1.counters.misses++;
    }
    return entry;
  }

  /**
   * The first fresh entry below L1 (promoted to the faster tiers), else the stale entry with the
   * longest grace left among `l1Stale` and what the tiers hold, else undefined.
   */
  async lookupRemote(key: string, l1Stale: CacheEntry | undefined, count = true): Promise<Found | undefined> {
    const epoch = this.epoch;
    let stale: Found | undefined =
      l1Stale === undefined ? undefined : { entry: l1Stale, fresh: false, tier: 'L1' };
    for (let i = 0; i < this.remotes.length; i++) {
      const tier = this.remotes[i] as RemoteTier;
      const read = await this.read(tier, key, count);
      if (read === undefined) continue;
      const { entry } = read;
      if (entry.expiresAt > this.clock.now()) {
        if (count) tier.counters.hits++;
        this.promote(key, read, i, epoch);
        return { entry, fresh: true, tier: tier.label };
      }
      if (count) tier.counters.misses++;
      if (stale === undefined || entry.graceUntil > stale.entry.graceUntil) {
        stale = { entry, fresh: false, tier: tier.label };
      }
    }
    return stale !== undefined && stale.entry.graceUntil > this.clock.now() ? stale : undefined;
  }

  /** A fresh entry of `tier` created after `newerThan` (another process's load), promoted; else undefined. */
  async peerValue(tier: RemoteTier, key: string, newerThan: number): Promise<CacheEntry | undefined> {
    const epoch = this.epoch;
    const read = await this.read(tier, key, false);
    if (read === undefined || read.entry.createdAt <= newerThan || read.entry.expiresAt <= this.clock.now()) {
      return undefined;
    }
    this.promote(key, read, this.remotes.indexOf(tier), epoch);
    return read.entry;
  }

  /**
   * Writes a value to every tier. `keep` is asked before writing and again after: a load that an
   * invalidation overtook writes nothing, or removes what it wrote if the invalidation came during
   * the writes. Resolves with the entry and whether it was kept.
   */
  async store(
    key: string,
    value: unknown,
    options: ResolvedEntryOptions,
    loadMs: number,
    keep: () => boolean,
  ): Promise<{ readonly entry: CacheEntry; readonly kept: boolean }> {
    const serialized = serializeValue(value);
    const createdAt = this.clock.now();
    const lifetime = options.ttlMs + options.graceMs;
    const entry: CacheEntry = {
      value,
      createdAt,
      expiresAt: createdAt + options.ttlMs,
      graceUntil: createdAt + lifetime,
      tags: options.tags,
      dependsOn: options.dependsOn,
      loadMs,
      size: serialized.payload.byteLength,
    };
    let encoded: EncodedEntry | undefined;
    if (this.remotes.length > 0) {
      encoded = await encodeEntry(entry, serialized, this.compressionSettings);
      this.countCompression(encoded);
    }
    if (!keep()) return { entry, kept: false };
    const remaining = () => entry.graceUntil - this.clock.now();
    this.l1.set(key, entry, remaining());
    if (encoded === undefined) return { entry, kept: true };
    const meta = {
      tags: entry.tags,
      dependsOn: entry.dependsOn,
      payloadBytes: encoded.payloadBytes,
      storedPayloadBytes: encoded.storedPayloadBytes,
    };
    await Promise.all(this.remotes.map((tier) => tier.write(key, encoded.bytes, remaining(), meta)));
    if (keep()) return { entry, kept: true };
    this.l1.delete(key);
    await Promise.all(this.remotes.map((tier) => tier.remove([key])));
    return { entry, kept: false };
  }

  private async read(tier: RemoteTier, key: string, count: boolean): Promise<Read | undefined> {
    const result = await tier.read(key);
    if (!result.ok) return undefined;
    if (result.value === undefined) {
      if (count) tier.counters.misses++;
      return undefined;
    }
    try {
      const decoded = await decodeEntry(result.value, this.compressor);
      return { entry: decoded.entry, bytes: result.value, storedPayloadBytes: decoded.storedPayloadBytes };
    } catch {
      // Corrupt, truncated or foreign bytes: never served, and removed so the next read loads anew.
      tier.counters.errors++;
      if (count) tier.counters.misses++;
      this.track(tier.remove([key]));
      return undefined;
    }
  }

  /** Copies an entry found in tier `from` into L1 and the remote tiers faster than it (same bytes). */
  private promote(key: string, read: Read, from: number, epoch: number): void {
    if (epoch !== this.epoch) return;
    const { entry } = read;
    const remaining = entry.graceUntil - this.clock.now();
    this.l1.set(key, entry, remaining);
    const meta = {
      tags: entry.tags,
      dependsOn: entry.dependsOn,
      payloadBytes: entry.size,
      storedPayloadBytes: read.storedPayloadBytes,
    };
    for (let i = 0; i < from; i++) {
      this.track((this.remotes[i] as RemoteTier).write(key, read.bytes, remaining, meta));
    }
  }

  private countCompression(encoded: EncodedEntry): void {
    const c = this.compression;
    c.encoded++;
    c.bytesIn += encoded.payloadBytes;
    c.bytesOut += encoded.storedPayloadBytes;
    if (encoded.algorithm !== undefined) c.compressed++;
    else if (
      this.compressionSettings !== undefined &&
      encoded.payloadBytes >= this.compressionSettings.thresholdBytes
    ) {
      c.incompressible++;
    }
  }
}
