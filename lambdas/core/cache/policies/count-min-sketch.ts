import { mix32 } from './mix';

/**
 * A Count-Min Sketch of 4-bit counters, depth 4, in the blocked layout of Caffeine's current
 * FrequencySketch: a key's four counters all sit in one 64-byte block (16 words × 8 counters), one
 * per quarter of the block, so a lookup touches one cache line instead of four. That matters:
 * the sketch is updated on every read, and on a cache of 200k entries four scattered probes cost
 * a third of the adaptive policy's read throughput.
 *
 * 15 is enough: TinyLFU only asks "which of two keys is used more", and halving keeps counts low.
 */
const MAX_COUNT = 15;
const BLOCK_WORDS = 16;
/** One bit per nibble: the low bit of each counter, and everything but each counter's top bit. */
const LOW_BITS = 0x11111111;
const HALVE_MASK = 0x77777777;

export class CountMinSketch {
  private readonly table: Uint32Array;
  private readonly blockMask: number;

  /** `counters` in all, a power of two of at least 128 (one block). */
  constructor(counters: number) {
    this.table = new Uint32Array(counters / 8);
    this.blockMask = this.table.length / BLOCK_WORDS - 1;
  }

  /** The smallest of the key's counters: an over-estimate only, never under. */
  estimate(hash: number): number {
    const base = (hash & this.blockMask) * BLOCK_WORDS;
    const spread = mix32(hash);
    let min = MAX_COUNT;
    for (let row = 0; row < 4; row++) {
      const counter = (spread >>> (row * 5)) & 31;
      const word = this.table[base + row * 4 + (counter >>> 3)]!;
      const count = (word >>> ((counter & 7) << 2)) & MAX_COUNT;
      if (count < min) min = count;
    }
    return min;
  }

  increment(hash: number): void {
    const base = (hash & this.blockMask) * BLOCK_WORDS;
    const spread = mix32(hash);
    for (let row = 0; row < 4; row++) {
      const counter = (spread >>> (row * 5)) & 31;
      const index = base + row * 4 + (counter >>> 3);
      const shift = (counter & 7) << 2;
      if (((this.table[index]! >>> shift) & MAX_COUNT) < MAX_COUNT) this.table[index]! += 1 << shift;
    }
  }

  /**
   * Halves every counter (TinyLFU's aging) and returns how many were odd, i.e. how many halves were
   * lost to truncation, so the caller can correct its sample count as Caffeine does.
   */
  halve(): number {
    let odd = 0;
    const table = this.table;
    for (let i = 0; i < table.length; i++) {
      const word = table[i]!;
      // Multiplying the 8 low bits by 0x11111111 sums them into the top nibble (the sum is <= 8).
      odd += Math.imul(word & LOW_BITS, LOW_BITS) >>> 28;
      table[i] = (word >>> 1) & HALVE_MASK;
    }
    return odd;
  }

  /**
   * Copies a smaller sketch's counts so every key keeps its estimate. A key's block is its hash
   * masked to the block count, so in a table 2^k times larger it lands on its old block plus a
   * multiple of the old size: repeating the old table is exact. Growing loses no history.
   */
  tile(source: CountMinSketch): void {
    for (let at = 0; at < this.table.length; at += source.table.length) this.table.set(source.table, at);
  }
}
