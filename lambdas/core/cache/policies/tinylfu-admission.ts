import { FrequencySketch, MAX_SKETCH_CAPACITY } from './frequency-sketch';

/** Caffeine's ADMIT_HASHDOS_THRESHOLD: warm candidates that lose get a 1/128 admission chance. */
const WARM_FREQUENCY = 6;
/** The sketch starts small and grows with the cache, so a huge maxEntries allocates nothing up front. */
const INITIAL_SKETCH_CAPACITY = 64;

/**
 * TinyLFU's admission filter: the frequency history of recent keys (by hash), and whether a
 * candidate leaving the window may take the place of main's victim. W-TinyLFU (w-tinylfu.ts) owns
 * the segments and their order; the filter owns the sketch, which outlives any one resident.
 */
export class TinyLfuAdmission {
  private readonly sketchLimit: number;
  private sketch: FrequencySketch;
  /** xorshift32 state: the anti-flooding coin only needs to be rare, not unpredictable. */
  private coin = 0x2545f491;

  constructor(maxEntries: number) {
    this.sketchLimit = Math.min(maxEntries, MAX_SKETCH_CAPACITY);
    this.sketch = new FrequencySketch(Math.min(this.sketchLimit, INITIAL_SKETCH_CAPACITY));
  }

  /** Uses between two agings of the sketch: the hill climber samples over the same period. */
  get sampleSize(): number {
    return this.sketch.sampleSize;
  }

  record(hash: number): void {
    this.sketch.increment(hash);
  }

  /**
   * Keeps the sketch at about one counter set per resident entry, up to maxEntries (what Caffeine's
   * ensureCapacity does for weighted caches); unlike Caffeine it keeps the counts when it grows.
   */
  fit(resident: number): void {
    const current = this.sketch.capacity;
    if (resident <= current || current >= this.sketchLimit) return;
    this.sketch = new FrequencySketch(
      Math.min(this.sketchLimit, Math.max(resident, 2 * current)),
      this.sketch,
    );
  }

  /** Ties favour the incumbent: replacing it would cost a miss for no expected gain. */
  admit(candidateHash: number, victimHash: number): boolean {
    const candidateFrequency = this.sketch.frequency(candidateHash);
    if (candidateFrequency > this.sketch.frequency(victimHash)) return true;
    if (candidateFrequency < WARM_FREQUENCY) return false;
    // An attacker who keeps a victim's counters high (colliding keys) would otherwise lock every
    // warm newcomer out; Caffeine admits such a candidate at random 1 time in 128.
    this.coin ^= this.coin << 13;
    this.coin ^= this.coin >>> 17;
    this.coin ^= this.coin << 5;
    return (this.coin & 127) === 0;
  }
}
