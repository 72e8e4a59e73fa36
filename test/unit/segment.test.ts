import { describe, expect, it } from 'vitest';
import {
  type ExecutionSegment,
  FULL_SEGMENT,
  nthOfSegments,
  parseFraction,
  parseSegment,
  segmentSequence,
} from '../../lambdas/core/load/segment';

const LIMIT = 10_000;
const equalTiling = (n: number): ExecutionSegment[] =>
  Array.from({ length: n }, (_, k) => nthOfSegments(k, n));
const parsedTiling = (texts: readonly string[]): ExecutionSegment[] =>
  texts.map((t) => {
    const s = parseSegment(t);
    if (!s) throw new Error(`test setup: ${t} did not parse`);
    return s;
  });

const TILINGS: readonly [string, ExecutionSegment[]][] = [
  ...Array.from({ length: 12 }, (_, i): [string, ExecutionSegment[]] => [
    `${i + 1} equal`,
    equalTiling(i + 1),
  ]),
  ['0:0.25 | 0.25:1', parsedTiling(['0:0.25', '0.25:1'])],
  ['0:1/3 | 1/3:1/2 | 1/2:1', segmentSequence(['0', '1/3', '1/2', '1'])],
  ['parsed with @6', parsedTiling(['0:1/3@6', '1/3:1/2@6', '1/2:1@6'])],
];

/** Indices below LIMIT that a segment owns, by brute force over owns(). */
const ownedBelow = (s: ExecutionSegment, limit = LIMIT): number[] => {
  const out: number[] = [];
  for (let i = 0; i < limit; i++) if (s.owns(i)) out.push(i);
  return out;
};

// Protects the core k6 segment guarantee: a tiling splits every count with no index lost or doubled.
describe.each(TILINGS)('tiling %s', (_label, segments) => {
  it('gives every index 0..9999 exactly one owner', () => {
    const bad: { index: number; owners: string[] }[] = [];
    for (let i = 0; i < LIMIT && bad.length < 4; i++) {
      const owners = segments.filter((s) => s.owns(i)).map((s) => s.toString());
      if (owners.length !== 1) bad.push({ index: i, owners });
    }
    expect(bad).toEqual([]);
  });

  it('shares sum to n for every n in 0..500', () => {
    for (let n = 0; n <= 500; n++) {
      const total = segments.reduce((sum, s) => sum + s.share(n), 0);
      if (total !== n) expect({ n, total }).toEqual({ n, total: n });
    }
  });
});

// Protects the consistency of the three views of one segment: owns, share and globalIndex.
describe.each(TILINGS.flatMap(([label, segs]) => segs.map((s) => [`${label}: ${s.toString()}`, s] as const)))(
  'segment %s',
  (_label, segment) => {
    const owned = ownedBelow(segment);

    it('share(n) equals the number of owned indices below n', () => {
      let counted = 0;
      for (let n = 0; n <= LIMIT; n++) {
        if (segment.share(n) !== counted)
          expect({ n, share: segment.share(n) }).toEqual({ n, share: counted });
        if (n < LIMIT && segment.owns(n)) counted++;
      }
    });

    it('globalIndex(k) lists the owned indices in increasing order', () => {
      const listed = owned.map((_, k) => segment.globalIndex(k));
      expect(listed).toEqual(owned);
      expect(listed.every((v, k) => k === 0 || v > (listed[k - 1] as number))).toBe(true);
    });

    it('owns a fraction of indices matching its length', () => {
      const length = segment.to.num / segment.to.den - segment.from.num / segment.from.den;
      expect(Math.abs(segment.share(LIMIT) - length * LIMIT)).toBeLessThanOrEqual(segment.denominator);
    });
  },
);

// Protects fairness: equal workers never differ by more than one unit of any count.
describe('equal segments', () => {
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'shares of %i equal segments differ by at most 1',
    (n) => {
      const segments = equalTiling(n);
      for (let count = 0; count <= 300; count++) {
        const shares = segments.map((s) => s.share(count));
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    },
  );

  it('spreads consecutive indices over different workers (no worker gets a contiguous block)', () => {
    const segments = equalTiling(4);
    const firstEight = Array.from({ length: 8 }, (_, i) => segments.findIndex((s) => s.owns(i)));
    expect(new Set(firstEight.slice(0, 4)).size).toBe(4);
    expect(new Set(firstEight.slice(4, 8)).size).toBe(4);
  });

  it('the single full segment owns everything', () => {
    expect(nthOfSegments(0, 1).toString()).toBe(FULL_SEGMENT.toString());
    for (const n of [0, 1, 7, 1_234]) expect(FULL_SEGMENT.share(n)).toBe(n);
    for (const k of [0, 1, 99, 5_000]) expect(FULL_SEGMENT.globalIndex(k)).toBe(k);
  });

  it('prints reduced fractions', () => {
    expect(nthOfSegments(1, 4).toString()).toBe('1/4:1/2');
    expect(nthOfSegments(2, 6).toString()).toBe('1/3:1/2');
    expect(nthOfSegments(0, 3).toString()).toBe('0/1:1/3');
  });
});

// Protects the textual form workers receive: valid segments parse, everything else is refused.
describe('parseSegment / parseFraction', () => {
  it('parses fractions, decimals and whole numbers', () => {
    expect(parseSegment('1/3:2/3')?.toString()).toBe('1/3:2/3');
    expect(parseSegment('0.5:1')?.toString()).toBe('1/2:1/1');
    expect(parseSegment('0:0.25')?.toString()).toBe('0/1:1/4');
    expect(parseSegment('2/4:6/8')?.toString()).toBe('1/2:3/4');
    expect(parseFraction('0.125')).toEqual({ num: 1, den: 8 });
    expect(parseFraction('3/6')).toEqual({ num: 1, den: 2 });
  });

  it('round-trips its own toString()', () => {
    for (const s of [...equalTiling(7), ...equalTiling(12)])
      expect(parseSegment(s.toString())?.toString()).toBe(s.toString());
  });

  it.each([
    '1:0',
    'a:b',
    '0:2',
    '0:1:2',
    '1/2:1/2',
    '0:0',
    '0:1.5',
    '1/0:1',
    '-1/2:1',
    '0',
    '',
    ':1',
    '0:',
    '3/2:2',
  ])('rejects %j', (text) => {
    expect(parseSegment(text)).toBeUndefined();
  });
});
