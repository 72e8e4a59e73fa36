import * as hdr from 'hdr-histogram-js';
import type { LatencyHistogram } from '../../lambdas/core/stats/histogram';

/**
 * The reference merge: the dense merge MergedRun did before the sparse one (a full 32-bit
 * hdr-histogram-js histogram per decoded window, added into a full histogram per series and a
 * packed one per second), kept so that tests and bench/aggregate.mjs can check that the sparse
 * merge gives the very same figures and results document. Not for production: it is the slow path.
 */

const HIGHEST_US = 3_600_000_000;

const build = (bitBucketSize: 32 | 'packed') =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize,
    useWebAssembly: false,
    autoResize: false,
  });

/** hdr-histogram-js behind LatencyHistogram, as histogram.ts wrapped it. */
export class DenseHistogram implements LatencyHistogram {
  constructor(readonly inner: hdr.Histogram = build(32)) {}
  record(micros: number): void {
    this.inner.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(micros))));
  }
  add(other: LatencyHistogram): void {
    if (other.count > 0) this.inner.add((other as DenseHistogram).inner);
  }
  get count(): number {
    return this.inner.totalCount;
  }
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.inner.getValueAtPercentile(p);
  }
  get min(): number {
    return this.count === 0 ? 0 : this.inner.minNonZeroValue;
  }
  get max(): number {
    return this.count === 0 ? 0 : this.inner.maxValue;
  }
  get mean(): number {
    return this.count === 0 ? 0 : this.inner.mean;
  }
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.inner);
  }
  reset(): void {
    this.inner.reset();
  }
  *buckets(): Iterable<readonly [number, number]> {
    if (this.count === 0) return;
    const it = (this.inner as unknown as hdr.JsHistogram).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      yield [v.valueIteratedTo, v.countAddedInThisIterationStep] as const;
    }
  }
}

/** decodeHistogram as it was: decode into a full histogram, then add it to a fresh full one. */
export function denseDecode(encoded: string): DenseHistogram {
  const into = new DenseHistogram();
  if (encoded !== '') into.add(new DenseHistogram(hdr.decodeFromCompressedBase64(encoded, 32, false)));
  return into;
}
