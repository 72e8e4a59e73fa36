import * as hdr from 'hdr-histogram-js';

/**
 * Latency histogram in microseconds: HdrHistogram, 3 significant digits (≤ 0.1 % error) from 1 µs
 * to 1 hour. It crosses process boundaries only as the standard compressed V2 encoding (base64),
 * so any HdrHistogram implementation can read what a worker wrote, and merging is exact.
 */
export interface LatencyHistogram {
  record(micros: number): void;
  add(other: LatencyHistogram): void;
  readonly count: number;
  /** Value in µs at a percentile 0–100. */
  percentile(p: number): number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  encode(): string;
  reset(): void;
  /** Every recorded value (µs, bucket-equivalent) with its count, ascending. */
  buckets(): Iterable<readonly [value: number, count: number]>;
}

const HIGHEST_US = 3_600_000_000;

class Hdr implements LatencyHistogram {
  constructor(readonly inner: hdr.Histogram) {}
  record(micros: number): void {
    const v = Math.round(micros);
    this.inner.recordValue(Math.min(HIGHEST_US, Math.max(1, v)));
  }
  add(other: LatencyHistogram): void {
    if (other.count > 0) this.inner.add((other as Hdr).inner);
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
 * `compact` histograms store only the buckets in use (about 10x smaller, slower to record into):
 * for the many per-second windows a coordinator keeps, which only ever receive merges.
 */
export function createHistogram(compact = false): LatencyHistogram {
  return new Hdr(
    hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: 3,
      bitBucketSize: compact ? 'packed' : 32,
      useWebAssembly: false,
      autoResize: false,
    }),
  );
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  const into = createHistogram();
  if (encoded !== '') into.add(new Hdr(hdr.decodeFromCompressedBase64(encoded, 32, false)));
  return into;
}
