import * as hdr from 'hdr-histogram-js';
import { type BucketPairs, decodePairs, newPairs } from './hdr-decode';
import {
  COUNTS_LENGTH,
  HIGHEST_US,
  highestAt,
  indexOf,
  LOWEST_US,
  lowestAt,
  medianAt,
  rankAt,
  SIGNIFICANT_DIGITS,
} from './hdr-layout';
import type { LatencyHistogram } from './latency-histogram';

const NO_INDEXES = new Uint16Array(0);
const NO_COUNTS = new Float64Array(0);
/** The one decode buffer for adding histograms of the other kind (through their encoding). */
const foreign = newPairs();

/**
 * A histogram to merge into: counts per HdrHistogram bucket index (hdr-layout.ts), either dense
 * (all 23,552 counters, while windows are being added: an add is a few hundred array additions)
 * or sparse (the indexes in use, ascending: a second of a long run keeps only what it saw).
 * Every figure is computed as hdr-histogram-js computes it on the same counts, walking the
 * buckets in use instead of the whole array, so results are those of an hdr histogram that
 * decoded and added the same encodings. It holds counts only: max reads as its bucket's upper
 * edge, as on any decoded histogram.
 */
export class BucketHistogram implements LatencyHistogram {
  private dense: Float64Array | undefined;
  /** Dense: the range of indexes ever added to, inclusive (empty while lo > hi). */
  private lo = COUNTS_LENGTH;
  private hi = -1;
  /** Sparse, or the cached sparse view of the dense counts (dropped on every add). */
  private indexes: Uint16Array = NO_INDEXES;
  private counts: Float64Array = NO_COUNTS;
  private size = 0;
  private viewed = true;
  private total = 0;

  constructor(dense = false) {
    if (dense) this.densify();
  }

  get isDense(): boolean {
    return this.dense !== undefined;
  }

  /** Switches to dense counts, for a histogram about to receive many adds (into `zeroed`, if given). */
  densify(zeroed?: Float64Array): void {
    if (this.dense) return;
    const dense = zeroed ?? new Float64Array(COUNTS_LENGTH);
    for (let i = 0; i < this.size; i++) dense[this.indexes[i]!] = this.counts[i]!;
    this.lo = this.size > 0 ? this.indexes[0]! : COUNTS_LENGTH;
    this.hi = this.size > 0 ? this.indexes[this.size - 1]! : -1;
    this.dense = dense;
  }

  /**
   * Switches to sparse counts, sized exactly, for a histogram done receiving adds. Returns the
   * dense array zeroed, for the next densify: zeroing the range in use is cheaper than a new one.
   */
  compact(): Float64Array | undefined {
    const dense = this.dense;
    if (!dense) return undefined;
    this.view();
    this.indexes = this.indexes.slice(0, this.size);
    this.counts = this.counts.slice(0, this.size);
    this.dense = undefined;
    if (this.lo <= this.hi) dense.fill(0, this.lo, this.hi + 1);
    return dense;
  }

  /** Adds ascending (index, count) pairs, as decodePairs gives them. */
  addPairs(pairs: Readonly<BucketPairs>): void {
    const { indexes, counts, length } = pairs;
    if (length === 0) return;
    let added = 0;
    const dense = this.dense;
    if (dense) {
      for (let i = 0; i < length; i++) {
        const c = counts[i]!;
        dense[indexes[i]!]! += c;
        added += c;
      }
      if (indexes[0]! < this.lo) this.lo = indexes[0]!;
      if (indexes[length - 1]! > this.hi) this.hi = indexes[length - 1]!;
      this.viewed = false;
    } else {
      for (let i = 0; i < length; i++) added += counts[i]!;
      this.mergeSparse(indexes, counts, length);
    }
    this.total += added;
  }

  /** Sparse + sparse: one ascending merge into new arrays. */
  private mergeSparse(bi: Uint16Array, bc: Float64Array, bn: number): void {
    const { indexes: ai, counts: ac, size: an } = this;
    const oi = new Uint16Array(an + bn);
    const oc = new Float64Array(an + bn);
    let a = 0;
    let b = 0;
    let n = 0;
    while (a < an || b < bn) {
      const ia = a < an ? ai[a]! : COUNTS_LENGTH;
      const ib = b < bn ? bi[b]! : COUNTS_LENGTH;
      oi[n] = ia < ib ? ia : ib;
      oc[n++] = (ia <= ib ? ac[a++]! : 0) + (ib <= ia ? bc[b++]! : 0);
    }
    this.indexes = oi;
    this.counts = oc;
    this.size = n;
  }

  add(other: LatencyHistogram): void {
    if (other.count === 0) return;
    if (other instanceof BucketHistogram) {
      other.view();
      this.addPairs({ indexes: other.indexes, counts: other.counts, length: other.size });
      return;
    }
    // The other kind crosses as it crosses processes: through its standard encoding.
    decodePairs(other.encode(), foreign);
    this.addPairs(foreign);
  }

  /** Adds one encoded histogram ('' is empty); returns its count. */
  addEncoded(encoded: string, scratch: BucketPairs = foreign): number {
    if (encoded === '') return 0;
    const n = decodePairs(encoded, scratch);
    this.addPairs(scratch);
    return n;
  }

  record(micros: number): void {
    const v = Math.min(HIGHEST_US, Math.max(1, Math.round(micros)));
    this.addPairs({ indexes: Uint16Array.of(indexOf(v)), counts: Float64Array.of(1), length: 1 });
  }

  reset(): void {
    this.dense?.fill(0, Math.max(0, this.lo), this.hi + 1);
    this.lo = COUNTS_LENGTH;
    this.hi = -1;
    this.indexes = NO_INDEXES;
    this.counts = NO_COUNTS;
    this.size = 0;
    this.viewed = true;
    this.total = 0;
  }

  /** Makes indexes/counts/size the buckets in use (dense: gathered once per batch of adds). */
  private view(): void {
    const dense = this.dense;
    if (!dense || this.viewed) return;
    const n = this.hi - this.lo + 1;
    if (this.indexes.length < n) {
      this.indexes = new Uint16Array(n);
      this.counts = new Float64Array(n);
    }
    let size = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      const c = dense[i]!;
      if (c === 0) continue;
      this.indexes[size] = i;
      this.counts[size++] = c;
    }
    this.size = size;
    this.viewed = true;
  }

  get count(): number {
    return this.total;
  }

  /** hdr getValueAtPercentile: the first bucket whose cumulative count reaches the rank. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    this.view();
    const rank = rankAt(p, this.total);
    let seen = 0;
    for (let i = 0; i < this.size; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return p === 0 ? lowestAt(this.indexes[i]!) : highestAt(this.indexes[i]!);
    }
    return 0;
  }

  /** hdr minNonZeroValue: the lowest value of the first bucket in use above 0 µs. */
  get min(): number {
    if (this.total === 0) return 0;
    this.view();
    for (let i = 0; i < this.size; i++) if (this.indexes[i]! > 0) return lowestAt(this.indexes[i]!);
    return Number.MAX_SAFE_INTEGER; // hdr's "none" when only 0 µs was counted
  }

  /** hdr maxValue of a decoded histogram: the highest value of the last bucket in use. */
  get max(): number {
    if (this.total === 0) return 0;
    this.view();
    return highestAt(this.indexes[this.size - 1]!);
  }

  /** hdr mean: bucket midpoints weighted by count, summed in ascending order (same rounding). */
  get mean(): number {
    if (this.total === 0) return 0;
    this.view();
    let sum = 0;
    for (let i = 0; i < this.size; i++) sum += medianAt(this.indexes[i]!) * this.counts[i]!;
    return sum / this.total;
  }

  *buckets(): Iterable<readonly [number, number]> {
    this.view();
    for (let i = 0; i < this.size; i++) yield [highestAt(this.indexes[i]!), this.counts[i]!] as const;
  }

  /** The standard encoding, written by hdr-histogram-js from the same counts (any HdrHistogram reads it). */
  encode(): string {
    this.view();
    const h = hdr.build({
      lowestDiscernibleValue: LOWEST_US,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
      bitBucketSize: 64,
      useWebAssembly: false,
      autoResize: false,
    }) as hdr.JsHistogram;
    for (let i = 0; i < this.size; i++) h.setCountAtIndex(this.indexes[i]!, this.counts[i]!);
    h.establishInternalTackingValues();
    return hdr.encodeIntoCompressedBase64(h);
  }
}
