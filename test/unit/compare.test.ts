import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lambdas/core/load/iteration';
import { latencySummary } from '../../lambdas/core/load/results';
import { createHistogram, type LatencyHistogram } from '../../lambdas/core/stats/histogram';
import { compareResults, mannWhitney, twoProportions } from '../../lambdas/core/tests/compare';
import type { RequestResults, TestResults } from '../../lambdas/model/results';
import { sampleResults } from '../contract/test-store.fixtures';

/**
 * Reference values from SciPy 1.17.1, computed outside the repo:
 *   scipy.stats.mannwhitneyu(current, baseline, alternative='two-sided', method='asymptotic',
 *                            use_continuity=False)  -> pvalue, statistic (U of current)
 *   effect size = statistic / (len(current) * len(baseline))
 * Two proportions: pooled two-sided z-test, p = 2 * scipy.stats.norm.sf(|z|), cross-checked with
 *   scipy.stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False).pvalue
 * Every latency is an integer in [1, 2048) µs, which the 3-digit HdrHistogram records exactly.
 */
const MANN_WHITNEY_REFERENCES: readonly {
  readonly name: string;
  readonly baseline: readonly number[];
  readonly current: readonly number[];
  readonly pValue: number;
  readonly effectSize: number;
}[] = [
  {
    name: 'A: current slower, a few ties',
    baseline: [100, 120, 120, 130, 150, 150, 150, 170, 180, 200],
    current: [120, 150, 150, 160, 170, 200, 200, 210, 230, 250, 250],
    pValue: 0.0250851096,
    effectSize: 0.7863636364, // U = 86.5
  },
  {
    name: 'B: heavy ties',
    baseline: [5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 7, 7, 7, 9],
    current: [5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 8, 8, 8, 10, 10],
    pValue: 0.0127519766,
    effectSize: 0.7463235294, // U = 203
  },
  {
    name: 'C: current faster, up to 2047 µs',
    baseline: [1001, 1002, 1002, 1800, 2000, 2047],
    current: [1000, 1000, 1001, 1002, 1500],
    pValue: 0.0786452233,
    effectSize: 0.1833333333, // U = 5.5
  },
  {
    name: 'D: same values in another order',
    baseline: [1, 1, 2, 3, 3, 3, 2047],
    current: [2047, 3, 3, 3, 2, 1, 1],
    pValue: 1,
    effectSize: 0.5, // U = 24.5
  },
  {
    name: 'E: complete separation, no ties',
    baseline: [1, 2, 3, 4, 5, 6, 7, 8],
    current: [9, 10, 11, 12, 13, 14, 15, 16],
    pValue: 0.0007775304,
    effectSize: 1, // U = 64
  },
  {
    name: 'F: 500 vs 450 values, many ties',
    baseline: Array.from({ length: 500 }, (_, i) => 1 + ((i * 37) % 200)),
    current: Array.from({ length: 450 }, (_, i) => 5 + ((i * 53) % 210)),
    pValue: 0.0586099449,
    effectSize: 0.5354911111, // U = 120485.5
  },
];

const TWO_PROPORTION_REFERENCES: readonly (readonly [number, number, number, number, number])[] = [
  // x1, n1, x2, n2, p
  [12, 400, 25, 410, 0.03477003266],
  [40, 2000, 25, 2000, 0.06067938011],
  [30, 1000, 30, 1000, 1],
];

const TOLERANCE = 1e-4;

function histogramOf(values: Iterable<number>): LatencyHistogram {
  const h = createHistogram();
  for (const v of values) h.record(v);
  return h;
}

/** Deterministic uniform [0, 1): the engine's seeded PRNG. */
const random = seededRandom;

/** `n` log-normal latencies in µs around `medianUs` (Box–Muller), reproducible from `seed`. */
function latencies(n: number, seed: number, medianUs = 20_000, sigma = 0.3): number[] {
  const rand = random(seed);
  return Array.from({ length: n }, () => {
    const u1 = Math.max(rand(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
    return medianUs * Math.exp(sigma * z);
  });
}

/** One request series of a results document, its figures read from the recorded latencies. */
function series(latenciesUs: readonly number[], over: Partial<RequestResults> = {}): RequestResults {
  const h = histogramOf(latenciesUs);
  const requests = over.requests ?? latenciesUs.length;
  const errors = over.errors ?? 0;
  return {
    scenario: 'buy',
    name: 'home',
    method: 'GET',
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    rps: 100,
    latencyMs: latencySummary(h),
    errorsByKind: {},
    checks: [],
    bytesIn: 0,
    bytesOut: 0,
    histogram: h.count > 0 ? h.encode() : '',
    ...over,
  };
}

const run = (byRequest: readonly RequestResults[], startedAt = '2025-01-15T10:01:00.000Z'): TestResults => ({
  ...sampleResults,
  startedAt,
  byRequest,
});

function compareOne(baseline: RequestResults, current: RequestResults) {
  const comparison = compareResults('01JBASE', run([baseline]), run([current]));
  const only = comparison.requests[0];
  if (!only || comparison.requests.length !== 1) throw new Error('expected exactly one compared series');
  return { comparison, request: only };
}

describe('mannWhitney against SciPy', () => {
  it.each(MANN_WHITNEY_REFERENCES)('$name', ({ baseline, current, pValue, effectSize }) => {
    const result = mannWhitney(histogramOf(baseline), histogramOf(current));
    expect(Math.abs(result.pValue - pValue)).toBeLessThan(TOLERANCE);
    expect(Math.abs(result.effectSize - effectSize)).toBeLessThan(TOLERANCE);
  });

  it('is symmetric: swapping the runs mirrors the effect size and keeps the p-value', () => {
    for (const { baseline, current } of MANN_WHITNEY_REFERENCES) {
      const forward = mannWhitney(histogramOf(baseline), histogramOf(current));
      const backward = mannWhitney(histogramOf(current), histogramOf(baseline));
      expect(backward.effectSize).toBeCloseTo(1 - forward.effectSize, 12);
      expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
    }
  });

  it('gives p = 1 and no effect when every value is one tie', () => {
    expect(mannWhitney(histogramOf([700, 700, 700]), histogramOf([700, 700]))).toEqual({
      pValue: 1,
      effectSize: 0.5,
    });
  });

  it('gives p = 1 and no effect when a side is empty', () => {
    expect(mannWhitney(createHistogram(), histogramOf([1, 2, 3]))).toEqual({ pValue: 1, effectSize: 0.5 });
    expect(mannWhitney(histogramOf([1, 2, 3]), createHistogram())).toEqual({ pValue: 1, effectSize: 0.5 });
  });

  it('reads counts, not distinct values: repeating every sample only sharpens p', () => {
    const baseline = [10, 20, 30, 40, 50];
    const current = [15, 25, 35, 45, 55];
    const once = mannWhitney(histogramOf(baseline), histogramOf(current));
    const times = (xs: number[], k: number) => Array.from({ length: k }, () => xs).flat();
    const tenfold = mannWhitney(histogramOf(times(baseline, 10)), histogramOf(times(current, 10)));
    expect(tenfold.effectSize).toBeCloseTo(once.effectSize, 12);
    expect(tenfold.pValue).toBeLessThan(once.pValue);
  });
});

describe('twoProportions against SciPy', () => {
  it.each(TWO_PROPORTION_REFERENCES)('x1=%i n1=%i x2=%i n2=%i → p=%f', (x1, n1, x2, n2, p) => {
    expect(Math.abs(twoProportions(x1, n1, x2, n2) - p)).toBeLessThan(TOLERANCE);
    expect(Math.abs(twoProportions(x2, n2, x1, n1) - p)).toBeLessThan(TOLERANCE);
  });

  it('keeps relative precision far in the tail (0 of 5000 vs 150 of 5000)', () => {
    const reference = 5.491592328e-35;
    expect(Math.abs(twoProportions(0, 5_000, 150, 5_000) / reference - 1)).toBeLessThan(1e-5);
  });

  it('gives p = 1 when there is nothing to compare', () => {
    expect(twoProportions(0, 0, 5, 100)).toBe(1);
    expect(twoProportions(5, 100, 0, 0)).toBe(1);
    expect(twoProportions(0, 100, 0, 200)).toBe(1);
    expect(twoProportions(100, 100, 200, 200)).toBe(1);
  });
});

describe('compareResults: latency', () => {
  const base = latencies(3_000, 1);

  it('identical distributions are unchanged', () => {
    const { request } = compareOne(series(base), series(base));
    expect(request.latency).toMatchObject({ test: 'mann-whitney-u', pValue: 1, effectSize: 0.5 });
    expect(request.latency.verdict).toBe('unchanged');
    expect(request.verdict).toBe('unchanged');
  });

  it('two samples of one distribution are unchanged', () => {
    const { request } = compareOne(series(base), series(latencies(3_000, 2)));
    expect(request.latency.pValue).toBeGreaterThan(0.01);
    expect(Math.abs(request.latency.effectSize - 0.5)).toBeLessThan(0.03);
    expect(request.verdict).toBe('unchanged');
  });

  it('current 30 % slower is a regression', () => {
    const { comparison, request } = compareOne(series(base), series(base.map((v) => v * 1.3)));
    expect(request.latency.pValue).toBeLessThan(0.01);
    expect(request.latency.effectSize).toBeGreaterThan(0.56);
    expect(request.latency.verdict).toBe('regressed');
    expect(request.latency.p95ChangePct).toBeGreaterThan(25);
    expect(request.latency.p95ChangePct).toBeLessThan(35);
    expect(request.errors.verdict).toBe('unchanged');
    expect(request.verdict).toBe('regressed');
    expect(comparison).toMatchObject({ verdict: 'regressed', regressions: 1, improvements: 0 });
  });

  it('current 30 % faster is an improvement', () => {
    const { comparison, request } = compareOne(series(base), series(base.map((v) => v * 0.7)));
    expect(request.latency.pValue).toBeLessThan(0.01);
    expect(request.latency.effectSize).toBeLessThan(0.44);
    expect(request.latency.verdict).toBe('improved');
    expect(request.latency.p95ChangePct).toBeLessThan(-25);
    expect(request.verdict).toBe('improved');
    expect(comparison).toMatchObject({ verdict: 'improved', regressions: 0, improvements: 1 });
  });

  it('a significant but tiny shift (+0.5 % on 100k samples) is unchanged', () => {
    const many = latencies(100_000, 3, 20_000, 0.1);
    const { request } = compareOne(series(many), series(many.map((v) => v * 1.005)));
    // Significant by p alone: the effect-size floor is what keeps it from being a regression.
    expect(request.latency.pValue).toBeLessThan(0.01);
    expect(request.latency.effectSize).toBeGreaterThan(0.5);
    expect(request.latency.effectSize).toBeLessThan(0.56);
    expect(request.latency.verdict).toBe('unchanged');
    expect(request.verdict).toBe('unchanged');
    // The same data with a lower effect floor is a regression.
    const strict = compareResults('01JBASE', run([series(many)]), run([series(many.map((v) => v * 1.005))]), {
      minEffect: 0.505,
    });
    expect(strict.minEffect).toBe(0.505);
    expect(strict.requests[0]?.latency.verdict).toBe('regressed');
  });

  it('alpha is configurable', () => {
    // Reference A: p ≈ 0.025, A ≈ 0.786 — a regression at alpha 0.05, not at the default 0.01.
    const [a] = MANN_WHITNEY_REFERENCES;
    if (!a) throw new Error('test setup');
    const current = series(a.current, { requests: 20 });
    const baseline = series(a.baseline, { requests: 20 });
    expect(compareOne(baseline, current).request.latency.verdict).toBe('unchanged');
    const loose = compareResults('b', run([baseline]), run([current]), { alpha: 0.05 });
    expect(loose.alpha).toBe(0.05);
    expect(loose.requests[0]?.latency.verdict).toBe('regressed');
  });

  it('fewer than 20 requests on either side is inconclusive, 20 is enough', () => {
    const slow = Array.from({ length: 20 }, () => 2_000);
    const fast = Array.from({ length: 20 }, () => 1_000);
    const few = compareOne(series(fast.slice(1)), series(slow));
    expect(few.request.latency.verdict).toBe('inconclusive');
    expect(few.request.errors.verdict).toBe('inconclusive');
    expect(few.request.verdict).toBe('inconclusive');
    expect(few.comparison.verdict).toBe('inconclusive');
    expect(compareOne(series(fast), series(slow.slice(1))).request.verdict).toBe('inconclusive');
    const enough = compareOne(series(fast), series(slow));
    expect(enough.request.latency.pValue).toBeLessThan(0.01);
    expect(enough.request.latency.effectSize).toBe(1);
    expect(enough.request.verdict).toBe('regressed');
  });

  it('reports both sides with their figures', () => {
    const b = series(base, { latencyMs: { ...series(base).latencyMs, p50: 20, p95: 40, p99: 60 } });
    const c = series(base, {
      latencyMs: { ...series(base).latencyMs, p50: 21, p95: 52, p99: 90 },
      requests: 3_100,
    });
    const { request } = compareOne(b, c);
    expect(request).toMatchObject({
      scenario: 'buy',
      name: 'home',
      method: 'GET',
      baseline: { requests: 3_000, errorRate: 0, p50Ms: 20, p95Ms: 40, p99Ms: 60 },
      current: { requests: 3_100, errorRate: 0, p50Ms: 21, p95Ms: 52, p99Ms: 90 },
    });
    expect(request.latency.p95ChangePct).toBe(30);
  });
});

describe('compareResults: errors', () => {
  const same = latencies(5_000, 4);

  it('0 % → 3 % errors on 5k requests is a regression', () => {
    const { comparison, request } = compareOne(series(same), series(same, { errors: 150 }));
    expect(request.errors.test).toBe('two-proportion-z');
    expect(request.errors.change).toBe(0.03);
    expect(request.errors.pValue).toBeLessThan(1e-30);
    expect(request.errors.verdict).toBe('regressed');
    expect(request.latency.verdict).toBe('unchanged');
    expect(request.verdict).toBe('regressed');
    expect(comparison).toMatchObject({ verdict: 'regressed', regressions: 1 });
  });

  it('3 % → 0 % errors is an improvement', () => {
    const { request } = compareOne(series(same, { errors: 150 }), series(same));
    expect(request.errors.change).toBe(-0.03);
    expect(request.errors.verdict).toBe('improved');
    expect(request.verdict).toBe('improved');
  });

  it('a significant change below 0.1 percentage points is unchanged', () => {
    // 0.05 % → 0.1 % over a million requests: z ≈ 12.9, but the change is only 0.05 pp.
    const { request } = compareOne(
      series(same, { requests: 1_000_000, errors: 500 }),
      series(same, { requests: 1_000_000, errors: 1_000 }),
    );
    expect(request.errors.pValue).toBeLessThan(0.01);
    expect(request.errors.change).toBeCloseTo(0.0005, 9);
    expect(request.errors.verdict).toBe('unchanged');
  });

  it('a latency regression outweighs an error improvement', () => {
    const { request } = compareOne(
      series(same, { errors: 150 }),
      series(
        same.map((v) => v * 1.3),
        { errors: 0 },
      ),
    );
    expect(request.latency.verdict).toBe('regressed');
    expect(request.errors.verdict).toBe('improved');
    expect(request.verdict).toBe('regressed');
  });
});

describe('compareResults: the whole run', () => {
  const base = latencies(2_000, 5);
  const named = (name: string, values: readonly number[], over: Partial<RequestResults> = {}) =>
    series(values, { name, ...over });

  it('lists series present in only one run as unmatched', () => {
    const comparison = compareResults(
      '01JBASE',
      run([named('home', base), named('login', base, { method: 'POST' })]),
      run([named('home', base), named('search', base), named('home', base, { method: 'POST' })]),
    );
    expect(comparison.requests.map((r) => `${r.method} ${r.name}`)).toEqual(['GET home']);
    expect(comparison.unmatched).toEqual({
      onlyInBaseline: ['buy POST login'],
      onlyInCurrent: ['buy GET search', 'buy POST home'],
    });
  });

  it('counts regressions and improvements; any regression makes the run regressed', () => {
    const comparison = compareResults(
      '01JBASE',
      run([named('a', base), named('b', base), named('c', base)], '2025-01-14T09:00:00.000Z'),
      run([
        named(
          'a',
          base.map((v) => v * 1.3),
        ),
        named(
          'b',
          base.map((v) => v * 0.7),
        ),
        named('c', base),
      ]),
    );
    expect(comparison.requests.map((r) => [r.name, r.verdict])).toEqual([
      ['a', 'regressed'],
      ['b', 'improved'],
      ['c', 'unchanged'],
    ]);
    expect(comparison).toMatchObject({
      baselineId: '01JBASE',
      baselineStartedAt: '2025-01-14T09:00:00.000Z',
      alpha: 0.01,
      minEffect: 0.56,
      verdict: 'regressed',
      regressions: 1,
      improvements: 1,
    });
  });

  it('is improved when something improved and nothing regressed', () => {
    const comparison = compareResults(
      'b',
      run([named('a', base), named('b', base)]),
      run([
        named('a', base),
        named(
          'b',
          base.map((v) => v * 0.7),
        ),
      ]),
    );
    expect(comparison).toMatchObject({ verdict: 'improved', regressions: 0, improvements: 1 });
  });

  it('is unchanged when every series is unchanged', () => {
    const comparison = compareResults(
      'b',
      run([named('a', base), named('b', base)]),
      run([named('a', base), named('b', base)]),
    );
    expect(comparison).toMatchObject({ verdict: 'unchanged', regressions: 0, improvements: 0 });
  });

  it('is inconclusive when a series is inconclusive and none changed', () => {
    const comparison = compareResults(
      'b',
      run([named('a', base), named('b', base.slice(0, 10))]),
      run([named('a', base), named('b', base.slice(0, 10))]),
    );
    expect(comparison.requests.map((r) => r.verdict)).toEqual(['unchanged', 'inconclusive']);
    expect(comparison.verdict).toBe('inconclusive');
  });

  it('is inconclusive when no series matches', () => {
    const comparison = compareResults('b', run([named('a', base)]), run([named('z', base)]));
    expect(comparison.requests).toEqual([]);
    expect(comparison.verdict).toBe('inconclusive');
    expect(comparison).toMatchObject({ regressions: 0, improvements: 0 });
  });
});
