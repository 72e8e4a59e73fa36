/**
 * Latency histogram in microseconds: HdrHistogram, 3 significant digits (≤ 0.1 % error) from 1 µs
 * to 1 hour. It crosses process boundaries only as the standard compressed V2 encoding (base64),
 * so any HdrHistogram implementation can read what a worker wrote, and merging is exact.
 * Two implementations: one to record into (hdr-histogram-js, histogram.ts) and one to merge
 * into (bucket counts, bucket-histogram.ts); either adds the other.
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
