import { mix32 } from './mix';

/**
 * TinyLFU's doorkeeper: a Bloom filter in front of the Count-Min Sketch. A key's first use in a
 * sample period only sets its bits here; from the second use on it reaches the sketch. One-hit
 * wonders (most keys of a scan) therefore never occupy sketch counters, which keeps the sketch's
 * over-estimates small for the keys that matter. Cleared on every reset, as in the paper.
 *
 * Blocked (Putze, Sanders & Singler, 2007): the 4 bits of a key lie in one 256-bit block, so a
 * probe is one cache line; the price is a slightly higher false-positive rate than 4 free probes.
 */
const BLOCK_WORDS = 8;

export class Doorkeeper {
  private readonly bits: Uint32Array;
  private readonly blockMask: number;

  /** `size` bits, a power of two of at least 256 (one block). */
  constructor(size: number) {
    this.bits = new Uint32Array(size >>> 5);
    this.blockMask = this.bits.length / BLOCK_WORDS - 1;
  }

  has(hash: number): boolean {
    const base = (hash & this.blockMask) * BLOCK_WORDS;
    const spread = mix32(hash);
    for (let probe = 0; probe < 4; probe++) {
      const bit = (spread >>> (probe * 8)) & 255;
      if ((this.bits[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Adds the key; true if it was (probably) there already. */
  put(hash: number): boolean {
    const base = (hash & this.blockMask) * BLOCK_WORDS;
    const spread = mix32(hash);
    let present = true;
    for (let probe = 0; probe < 4; probe++) {
      const bit = (spread >>> (probe * 8)) & 255;
      const word = base + (bit >>> 5);
      const flag = 1 << (bit & 31);
      if ((this.bits[word]! & flag) === 0) {
        present = false;
        this.bits[word]! |= flag;
      }
    }
    return present;
  }

  /** Repeats a smaller filter's bits, so every key it held is still held (see CountMinSketch.tile). */
  tile(source: Doorkeeper): void {
    for (let at = 0; at < this.bits.length; at += source.bits.length) this.bits.set(source.bits, at);
  }

  clear(): void {
    this.bits.fill(0);
  }
}
