/**
 * The bucket layout of our HdrHistogram (1 µs to 1 hour, 3 significant digits), as index math:
 * what hdr-histogram-js computes from values with log2, computed here from a counts-array index.
 * With it a merge can read and add (index, count) pairs without building the 23,552-counter
 * array. Every function is checked against hdr-histogram-js for every index (test/unit).
 */

export const LOWEST_US = 1;
export const HIGHEST_US = 3_600_000_000;
export const SIGNIFICANT_DIGITS = 3;

/** 2 × 10^3 needs single-unit resolution: 2,048 sub-buckets, the upper half of each bucket used. */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
/** Buckets until 2,048 × 2^k exceeds HIGHEST_US: k = 21, so 22 buckets, plus bucket 0's lower half. */
export const COUNTS_LENGTH = 23 * SUB_BUCKET_HALF;

/** The bucket (power of two) of an index: its values are 2^bucket apart. */
const bucketOf = (index: number) => Math.max(0, (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1);

/** The lowest value counted at this index (hdr: valueFromIndex, = lowestEquivalentValue). */
export function lowestAt(index: number): number {
  const bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  if (bucket < 0) return index;
  return ((index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF) * 2 ** bucket;
}

/** The highest value counted at this index (hdr: highestEquivalentValue); percentiles report it. */
export const highestAt = (index: number): number => lowestAt(index) + 2 ** bucketOf(index) - 1;

/** The middle of the index's range, rounded down (hdr: medianEquivalentValue); the mean uses it. */
export const medianAt = (index: number): number => lowestAt(index) + Math.floor(2 ** bucketOf(index) / 2);

/** The index a value is counted at (hdr: countsArrayIndex), for values 0..HIGHEST_US. */
export function indexOf(value: number): number {
  const bucket = Math.max(Math.floor(Math.log2(value)) - SUB_BUCKET_HALF_MAGNITUDE, 0);
  const sub = Math.floor(value / 2 ** bucket);
  return (bucket + 1) * SUB_BUCKET_HALF + sub - SUB_BUCKET_HALF;
}

/**
 * The count a percentile must reach (hdr: getValueAtPercentile), with its guard against the
 * floating-point product being one ulp above the integer it should be. NaN for p < 0 (no index
 * reaches it: hdr then answers 0).
 */
export function rankAt(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  const ulp = 2 ** (Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}
