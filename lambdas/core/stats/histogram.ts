import * as hdr from 'hdr-histogram-js';
import { BucketHistogram } from './bucket-histogram';
import { HIGHEST_US, LOWEST_US, SIGNIFICANT_DIGITS } from './hdr-layout';
import type { LatencyHistogram } from './latency-histogram';

export { BucketHistogram } from './bucket-histogram';
export type { LatencyHistogram } from './latency-histogram';

/** The histogram to record into: hdr-histogram-js, whose record is a single array increment. */
class Hdr implements LatencyHistogram {
  constructor(readonly inner: hdr.Histogram) {}
  record(micros: number): void {
    const v = Math.round(micros);
    this.inner.recordValue(Math.min(HIGHEST_US, Math.max(1, v)));
  }
  add(other: LatencyHistogram): void {
    if (other.count === 0) return;
    // The other kind crosses as it crosses processes: through its standard encoding.
    this.inner.add(
      other instanceof Hdr ? other.inner : hdr.decodeFromCompressedBase64(other.encode(), 32, false),
    );
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

/**
 * A histogram to record into. `compact` ones store only the buckets in use (about 10x smaller,
 * slower to record into): for long-lived totals that mostly receive adds (the cache's lifetime
 * latencies). Merges of many encoded windows use BucketHistogram instead (aggregate.ts).
 */
export function createHistogram(compact = false): LatencyHistogram {
  return new Hdr(
    hdr.build({
      lowestDiscernibleValue: LOWEST_US,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
      bitBucketSize: compact ? 'packed' : 32,
      useWebAssembly: false,
      autoResize: false,
    }),
  );
}

/** A histogram as encoded (sparse: only its buckets in use); '' is the empty histogram. */
export function decodeHistogram(encoded: string): BucketHistogram {
  const into = new BucketHistogram();
  into.addEncoded(encoded);
  return into;
}
