import { deflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lambdas/core/load/iteration';
import { decodePairs, HistogramEncodingError, newPairs } from '../../lambdas/core/stats/hdr-decode';
import {
  COUNTS_LENGTH,
  HIGHEST_US,
  highestAt,
  indexOf,
  lowestAt,
  medianAt,
} from '../../lambdas/core/stats/hdr-layout';
import { BucketHistogram, createHistogram, decodeHistogram } from '../../lambdas/core/stats/histogram';
import { Inflater } from '../../lambdas/core/stats/inflate';
import { DenseHistogram, denseDecode } from '../helpers/dense-merge';

// The sparse histogram must give what hdr-histogram-js gives on the same encodings, bit for bit.

const PERCENTILES = [0, 0.001, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100, 150, -1];
const figures = (h: {
  count: number;
  min: number;
  max: number;
  mean: number;
  percentile(p: number): number;
}) => ({
  count: h.count,
  min: h.min,
  max: h.max,
  mean: h.mean,
  percentiles: PERCENTILES.map((p) => h.percentile(p)),
});

const reference = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: HIGHEST_US,
  numberOfSignificantValueDigits: 3,
  bitBucketSize: 32,
  autoResize: false,
}) as hdr.JsHistogram;
type Internal = hdr.JsHistogram & {
  countsArrayLength: number;
  valueFromIndex(i: number): number;
  countsArrayIndex(v: number): number;
  medianEquivalentValue(v: number): number;
};

/** Seeded latency distributions (µs), some beyond the range (the recorder clamps them). */
function distributions(seed: number): [string, number[]][] {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const n = (k: number) => Math.floor(1 + r() * k);
  const edges = Array.from({ length: 300 }, () => {
    const i = Math.floor(r() * COUNTS_LENGTH);
    return [lowestAt(i), highestAt(i), highestAt(i) + 1, lowestAt(i) - 1][Math.floor(r() * 4)]!;
  });
  return [
    ['empty', []],
    ['single value', [1_234]],
    ['max value', [HIGHEST_US, HIGHEST_US, 5]],
    ['one µs', Array.from({ length: n(50) }, () => 1)],
    ['exact range (< 2,048 µs)', Array.from({ length: n(500) }, () => n(2_047))],
    ['lognormal', Array.from({ length: n(3_000) }, () => 20_000 * Math.exp(0.6 * gauss()))],
    ['narrow lognormal', Array.from({ length: n(300) }, () => 8_000 * Math.exp(0.05 * gauss()))],
    ['bimodal', Array.from({ length: n(2_000) }, () => (r() < 0.97 ? 900 + r() * 300 : 400_000 + r() * 9e5))],
    ['exponential', Array.from({ length: n(2_000) }, () => -Math.log(1 - r()) * 50_000)],
    ['pareto to the clamp', Array.from({ length: n(2_000) }, () => 1_000 / (1 - r()) ** 1.5)],
    ['bucket edges', edges],
    ['powers of two ± 1', Array.from({ length: 32 }, (_, k) => 2 ** k + [-1, 0, 1][k % 3]!)],
    ['out of range', [0, 0.3, -5, 7.2e9, 1.5]],
  ];
}

describe('hdr-layout', () => {
  const h = reference as Internal;
  it('has the counts array of hdr-histogram-js for 1 µs – 1 h, 3 digits', () => {
    expect(COUNTS_LENGTH).toBe(h.countsArrayLength);
  });
  it('gives the lowest, highest and median value of every index as hdr-histogram-js does', () => {
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      const v = h.valueFromIndex(i);
      const high = h.highestEquivalentValue(v);
      if (lowestAt(i) !== v || highestAt(i) !== high || medianAt(i) !== h.medianEquivalentValue(high))
        expect({ i, lowest: lowestAt(i), high: highestAt(i), median: medianAt(i) }).toEqual({
          i,
          lowest: v,
          high,
          median: h.medianEquivalentValue(high),
        });
      expect(indexOf(v)).toBe(i);
      expect(indexOf(high)).toBe(h.countsArrayIndex(high));
    }
  });
});

describe('Inflater', () => {
  const r = seededRandom(3);
  const inflater = new Inflater();
  const inputs = [
    new Uint8Array(0),
    Uint8Array.from({ length: 5_000 }, () => Math.floor(r() * 256)),
    Uint8Array.from({ length: 70_000 }, (_, i) => (i % 97 < 50 ? 0 : Math.floor(r() * 4))),
    new TextEncoder().encode('histogram '.repeat(1_000)),
  ];
  it('decodes what node:zlib writes: stored, fixed and dynamic blocks, every level', () => {
    for (const input of inputs)
      for (const level of [0, 1, 6, 9]) {
        const z = deflateSync(input, { level });
        expect(Buffer.from(inflater.inflate(z, 0, z.length)).equals(Buffer.from(input))).toBe(true);
      }
  });
  it('throws on a damaged stream instead of returning other bytes', () => {
    const z = deflateSync(inputs[3]!);
    for (const at of [0, 5, Math.floor(z.length / 2), z.length - 1]) {
      const bad = Uint8Array.from(z);
      bad[at]! ^= 0x41;
      expect(() => inflater.inflate(bad, 0, bad.length)).toThrow();
    }
    expect(() => inflater.inflate(z, 0, z.length - 3)).toThrow();
  });
});

describe('decodeHistogram (sparse) against hdr-histogram-js (dense)', () => {
  for (const seed of [1, 2, 3])
    for (const [name, values] of distributions(seed))
      it(`${name} (seed ${seed}): same figures, buckets and encoding`, () => {
        const recorded = createHistogram();
        for (const v of values) recorded.record(v);
        const encoded = recorded.encode();
        const sparse = decodeHistogram(encoded);
        const dense = denseDecode(encoded);
        expect(figures(sparse)).toEqual(figures(dense));
        expect([...sparse.buckets()]).toEqual([...dense.buckets()]);
        for (const p of Array.from({ length: 50 }, seededRandom(seed + 9)).map((x) => x * 100))
          expect(sparse.percentile(p), `p(${p})`).toBe(dense.percentile(p));
        if (values.length > 0) expect(sparse.encode()).toBe(dense.encode());
      });

  it('reads counts of up to 2^53 (multi-byte LEB128) as hdr-histogram-js does', () => {
    const big = hdr.build({ highestTrackableValue: HIGHEST_US, bitBucketSize: 64, autoResize: false });
    const counts = [1, 63, 64, 8_191, 8_192, 2 ** 31, 2 ** 40 + 3, 2 ** 53 - 1];
    for (const [k, c] of counts.entries()) big.recordValueWithCount(1_000 * (k + 1) ** 3, c);
    const pairs = newPairs(2);
    expect(decodePairs(hdr.encodeIntoCompressedBase64(big), pairs)).toBe(big.totalCount);
    expect(Array.from(pairs.counts.subarray(0, pairs.length))).toEqual(counts);
  });

  it('rejects what is not a V2 encoding of our layout, with a stable code', () => {
    const other = hdr.build({ lowestDiscernibleValue: 1_000, highestTrackableValue: HIGHEST_US });
    other.recordValue(5_000);
    for (const bad of ['AAAA', 'not base64!', hdr.encodeIntoCompressedBase64(other)])
      expect(() => decodeHistogram(bad)).toThrow(HistogramEncodingError);
    expect(decodeHistogram('').count).toBe(0);
  });
});

describe('BucketHistogram merges', () => {
  const encodings = distributions(7).map(([, values]) => {
    const h = createHistogram();
    for (const v of values) h.record(v);
    return h.encode();
  });

  it('dense, sparse and re-compacted adds all give the dense hdr merge', () => {
    const dense = new DenseHistogram();
    const asDense = new BucketHistogram(true);
    const asSparse = new BucketHistogram();
    const flipping = new BucketHistogram();
    encodings.forEach((e, k) => {
      dense.add(denseDecode(e));
      asDense.addEncoded(e);
      asSparse.add(decodeHistogram(e));
      if (k % 2 === 0) flipping.densify();
      else flipping.compact();
      flipping.addEncoded(e);
    });
    for (const h of [asDense, asSparse, flipping]) {
      expect(figures(h)).toEqual(figures(dense));
      expect(h.encode()).toBe(dense.encode());
    }
  });

  it('adds the recording kind and is added to it (through the standard encoding)', () => {
    const recorded = createHistogram();
    for (const v of distributions(8)[5]![1]) recorded.record(v);
    const merged = new BucketHistogram();
    merged.add(recorded);
    expect(figures(merged)).toEqual(figures(denseDecode(recorded.encode())));
    const back = createHistogram();
    back.add(merged);
    expect(figures(back)).toEqual(figures(denseDecode(recorded.encode())));
  });

  it('records and resets like any histogram', () => {
    const h = new BucketHistogram();
    for (const v of [5, 5, 3_000_000, 0]) h.record(v);
    const d = new DenseHistogram();
    for (const v of [5, 5, 3_000_000, 0]) d.record(v);
    expect(figures(h)).toEqual({ ...figures(denseDecode(d.encode())) });
    h.reset();
    expect(figures(h)).toEqual(figures(new DenseHistogram()));
  });
});
