import { CountMinSketch } from './count-min-sketch';
import { Doorkeeper } from './doorkeeper';
import { mix32 } from './mix';

/**
 * TinyLFU's frequency estimator (Einziger, Friedman & Manes, 2017): doorkeeper + 4-bit Count-Min
 * Sketch, aged by halving every counter after `sampleSize` = 10 × capacity recorded uses, as in
 * Caffeine. The estimate is the sketch's count plus one if the doorkeeper has seen the key.
 *
 * Memory, for capacity C rounded up to a power of two P: 16 four-bit counters per P (8 bytes, as
 * Caffeine) plus 32 doorkeeper bits per P (4 bytes) — 12 bytes per P, whatever the key length.
 */
const MIN_CAPACITY = 8;
/** 2^24 entries: 192 MiB of sketch. Larger caches share counters, which only blurs estimates. */
export const MAX_SKETCH_CAPACITY = 1 << 24;

export class FrequencySketch {
  readonly capacity: number;
  readonly sampleSize: number;
  private additions = 0;
  private readonly counts: CountMinSketch;
  private readonly doorkeeper: Doorkeeper;

  /** With `from`, starts with its counts (a cache that grew keeps its frequency history). */
  constructor(capacity: number, from?: FrequencySketch) {
    this.capacity = Math.min(Math.max(capacity, MIN_CAPACITY), MAX_SKETCH_CAPACITY);
    const p = ceilPowerOfTwo(this.capacity);
    this.counts = new CountMinSketch(16 * p);
    this.doorkeeper = new Doorkeeper(32 * p);
    this.sampleSize = 10 * this.capacity;
    if (from !== undefined && ceilPowerOfTwo(from.capacity) <= p) {
      this.counts.tile(from.counts);
      this.doorkeeper.tile(from.doorkeeper);
      this.additions = Math.min(from.additions, this.sampleSize - 1);
    }
  }

  frequency(hash: number): number {
    return this.counts.estimate(hash) + (this.doorkeeper.has(doorkeeperHash(hash)) ? 1 : 0);
  }

  increment(hash: number): void {
    if (this.doorkeeper.put(doorkeeperHash(hash))) this.counts.increment(hash);
    if (++this.additions >= this.sampleSize) this.reset();
  }

  private reset(): void {
    const odd = this.counts.halve();
    this.doorkeeper.clear();
    // Each sketch increment touched 4 counters, so 4 truncated halves ≈ one lost addition.
    this.additions = Math.max(0, (this.additions - (odd >>> 2)) >>> 1);
  }
}

/** Decorrelates the doorkeeper from the sketch: keys sharing a sketch block need not share a filter block. */
function doorkeeperHash(hash: number): number {
  return mix32(hash ^ 0x9e3779b9);
}

export function ceilPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
