/**
 * Execution segments (after k6): a worker runs the part [from, to) of the test, with from and to
 * rational fractions of 1. Every countable thing (VUs, iterations, arrivals) is numbered globally,
 * and a worker owns index i when a fixed stride permutation of (i mod D) lands in its part. D is
 * the common denominator of the whole tiling (k6's segment sequence): segments built with the same
 * D share every count exactly, no index lost or doubled, each worker's indices spread evenly.
 * `segmentSequence` builds such a tiling; its segments print as "from:to@D" so workers agree on D.
 */
export interface Fraction {
  readonly num: number;
  readonly den: number;
}

export interface ExecutionSegment {
  readonly from: Fraction;
  readonly to: Fraction;
  /** Common denominator of from and to. */
  readonly denominator: number;
  /** Does this segment own global index i? */
  owns(i: number): boolean;
  /** How many of the indices 0 … n-1 this segment owns. */
  share(n: number): number;
  /** The global index of the k-th (0-based) index this segment owns. */
  globalIndex(k: number): number;
  /** "1/3:2/3" */
  toString(): string;
}

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

export function parseFraction(text: string): Fraction | undefined {
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/.exec(text);
  if (!m) {
    const dec = /^\s*(0?\.\d+|1(?:\.0*)?|0)\s*$/.exec(text);
    if (!dec?.[1]) return undefined;
    const digits = (dec[1].split('.')[1] ?? '').length;
    const den = 10 ** digits;
    return reduce(Math.round(Number(dec[1]) * den), den);
  }
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (den === 0 || num > den) return undefined;
  return reduce(num, den);
}

function reduce(num: number, den: number): Fraction {
  const g = gcd(num, den) || 1;
  return { num: num / g, den: den / g };
}

/** A stride coprime with d near d/φ, so that consecutive residues scatter over the segments. */
function strideFor(d: number): number {
  if (d <= 2) return 1;
  let g = Math.max(1, Math.round(d / 1.618033988749895));
  while (gcd(g, d) !== 1) g++;
  return g;
}

const lcm = (a: number, b: number): number => (a * b) / gcd(a, b);

export function createSegment(from: Fraction, to: Fraction, denominator?: number): ExecutionSegment {
  if (from.num * to.den >= to.num * from.den)
    throw new RangeError(`segment ${from.num}/${from.den}:${to.num}/${to.den} is empty`);
  const natural = lcm(from.den, to.den);
  const d = denominator ?? natural;
  if (!Number.isInteger(d) || d % natural !== 0)
    throw new RangeError(
      `denominator ${d} is not a multiple of ${natural} (${from.num}/${from.den}:${to.num}/${to.den})`,
    );
  const lo = (from.num * d) / from.den;
  const hi = (to.num * d) / to.den;
  const stride = strideFor(d);
  // The owned residues in increasing order: ownership repeats every d indices.
  const residues: number[] = [];
  for (let r = 0; r < d; r++) {
    const p = (r * stride) % d;
    if (p >= lo && p < hi) residues.push(r);
  }
  const perBlock = residues.length;
  const owns = (i: number) => {
    const p = ((i % d) * stride) % d;
    return p >= lo && p < hi;
  };
  return {
    from,
    to,
    denominator: d,
    owns,
    share(n: number): number {
      if (n <= 0) return 0;
      const full = Math.floor(n / d);
      const rest = n - full * d;
      let partial = 0;
      for (const r of residues) if (r < rest) partial++;
      return full * perBlock + partial;
    },
    globalIndex(k: number): number {
      return Math.floor(k / perBlock) * d + (residues[k % perBlock] as number);
    },
    toString: () => `${from.num}/${from.den}:${to.num}/${to.den}${d === natural ? '' : `@${d}`}`,
  };
}

/** Parses "0:1/3", "1/3:2/3", "0.5:1", and "1/3:1/2@6" (a segment of a tiling with denominator 6). */
export function parseSegment(text: string): ExecutionSegment | undefined {
  const [range, denominator, ...extra] = text.split('@');
  if (extra.length > 0 || range === undefined) return undefined;
  const d = denominator === undefined ? undefined : Number(denominator);
  if (d !== undefined && (!Number.isInteger(d) || d < 1)) return undefined;
  const [a, b, ...rest] = range.split(':');
  if (rest.length > 0 || a === undefined || b === undefined) return undefined;
  const from = parseFraction(a);
  const to = parseFraction(b);
  if (!from || !to || from.num * to.den >= to.num * from.den) return undefined;
  if (d !== undefined && d % lcm(from.den, to.den) !== 0) return undefined;
  return createSegment(from, to, d);
}

/**
 * A tiling of [0, 1) at the given cut points (e.g. ["0", "1/3", "1/2", "1"]), every segment built
 * with the common denominator, so together they own every index exactly once.
 */
export function segmentSequence(cuts: readonly string[]): ExecutionSegment[] {
  const points = cuts.map((c) => {
    const f = parseFraction(c);
    if (!f) throw new RangeError(`${JSON.stringify(c)} is not a fraction`);
    return f;
  });
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || first.num !== 0 || last.num !== last.den)
    throw new RangeError('a tiling runs from 0 to 1');
  const d = points.reduce((acc, f) => lcm(acc, f.den), 1);
  return points.slice(1).map((to, i) => createSegment(points[i] as Fraction, to, d));
}

export const FULL_SEGMENT = createSegment({ num: 0, den: 1 }, { num: 1, den: 1 });

/** The k-th of n equal segments. */
export function nthOfSegments(k: number, n: number): ExecutionSegment {
  return createSegment(reduce(k, n), reduce(k + 1, n));
}
