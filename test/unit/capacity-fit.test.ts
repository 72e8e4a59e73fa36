import { describe, expect, it } from 'vitest';
import { kneedle } from '../../lambdas/core/capacity/knee';
import { studentTQuantile } from '../../lambdas/core/capacity/student-t';
import { fitUsl, type UslFit } from '../../lambdas/core/capacity/usl';
import type { ScalabilityPoint } from '../../lambdas/model/capacity';

// The USL fit and the knee against the published fits of the reference datasets
// (../shared/research/profiling-recommend-capacity-anchors.md §3c: R usl 3.0.3's test outputs,
// Gunther's Guerrilla Capacity Planning data, kneed 0.9.0's test vectors), to their printed digits.

const points = (ns: readonly number[], xs: readonly number[]): ScalabilityPoint[] =>
  ns.map((n, i) => ({ n, x: xs[i] as number }));
const fitted = (p: readonly ScalabilityPoint[]): UslFit => {
  const r = fitUsl(p);
  if (!r.ok) throw new Error(r.reason);
  return r.fit;
};
/** Equal to `digits` significant digits, as a printed value is. */
const digits = (actual: number | undefined, printed: number, n: number) =>
  expect(Number((actual ?? Number.NaN).toPrecision(n))).toBe(printed);

const SPECSDM91 = points(
  [1, 18, 36, 72, 108, 144, 216],
  [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2],
);
const RAY_N = [1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64];
const RAY_X = [20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310];

describe('USL fit', () => {
  it('specsdm91: σ, κ, λ, their standard errors, RSE, N_max, X_max, N_opt and the Amdahl limit', () => {
    const f = fitted(SPECSDM91);
    digits(f.sigma.value, 0.0277285, 6);
    digits(f.kappa.value, 0.0001044, 4);
    // The research's full-precision refit (R nls, port): within 1e-4 relative, its acceptance bound.
    expect(Math.abs(f.kappa.value / 0.000104366 - 1)).toBeLessThan(1e-4);
    digits(f.lambda.value, 89.9952, 6);
    digits(f.sigma.standardError, 0.009122, 4);
    digits(f.kappa.standardError, 0.00001988, 4);
    digits(f.lambda.standardError, 14.21, 4);
    digits(f.residualStandardError, 82.85, 4);
    expect(f.degreesOfFreedom).toBe(4);
    digits(f.nMax, 96.51956, 7);
    digits(f.xMax, 1884, 4);
    digits(f.nOpt, 36.06401, 7);
    digits(f.xRoof, 3245.589, 7);
    expect(f.fitted.map((v) => Math.round(v))).toEqual([90, 1078, 1541, 1850, 1879, 1822, 1646]);
    expect(f.efficiency.map((v) => Number(v.toFixed(4)))).toEqual([
      0.7211, 0.6148, 0.51, 0.286, 0.1882, 0.137, 0.0876,
    ]);
    expect(f.warnings).toEqual([]);
  });

  it('raytracer, first 6 rows: the coefficients, and R usl’s intervals from our standard errors', () => {
    const f = fitted(points(RAY_N.slice(0, 6), RAY_X.slice(0, 6)));
    digits(f.sigma.value, 0.02444, 4);
    digits(f.kappa.value, 0.00163, 3);
    digits(f.lambda.value, 20.85605, 7);
    digits(f.nMax, 24.49, 4);
    digits(f.xMax, 203.5, 4);
    digits(f.residualStandardError, 1.834, 4);
    // R usl 3 multiplies the standard error by qt(level, n − 1) (R/confint.R); with that factor our
    // errors give its published intervals. Ours are the two-sided t on n − 3 degrees of freedom.
    const r = studentTQuantile(0.95, 5);
    const interval = (e: UslFit['sigma']) => [
      e.value - r * (e.standardError ?? 0),
      e.value + r * (e.standardError ?? 0),
    ];
    const [sLo, sHi] = interval(f.sigma) as [number, number];
    digits(sLo, 0.00754, 3);
    digits(sHi, 0.04135, 4);
    const [kLo, kHi] = interval(f.kappa) as [number, number];
    digits(kLo, 0.0011, 3);
    digits(kHi, 0.00215, 3);
    expect(interval(f.lambda).map((v) => Number(v.toPrecision(7)))).toEqual([19.26717, 22.44492]);
    const t = studentTQuantile(0.975, 3);
    expect(f.sigma.interval95?.[1]).toBeCloseTo(f.sigma.value + t * (f.sigma.standardError ?? 0), 12);
  });

  it('raytracer, first 5 rows: the coefficients, and a warning that five points are few', () => {
    const f = fitted(points(RAY_N.slice(0, 5), RAY_X.slice(0, 5)));
    digits(f.sigma.value, 0.028, 2);
    digits(f.kappa.value, 0.001, 1);
    digits(f.lambda.value, 21.059, 5);
    expect(f.warnings[0]).toMatch(/only 5 points/);
  });

  it('raytracer, all 11 rows: κ on its bound (no peak, no superlinear nonsense), the Amdahl limit', () => {
    const f = fitted(points(RAY_N, RAY_X));
    digits(f.sigma.value, 0.0577708, 6);
    expect(f.kappa.value).toBe(0);
    expect(f.kappa.standardError).toBeUndefined();
    digits(f.lambda.value, 21.8488, 6);
    expect(f.nMax).toBeUndefined();
    digits(f.nOpt, 17.31, 4);
    digits(f.xRoof, 378.2, 4);
    digits(f.residualStandardError, 9.336, 4);
    expect(f.warnings).toEqual([expect.stringMatching(/κ is 0 \(on its bound\)/)]);
  });

  it('the synthetic set: σ = κ = 0.02, λ = 1, N_max 7, X_max 3.5714, N_opt past N_max said', () => {
    const f = fitted(points([1, 2, 4, 6, 8, 10], [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557]));
    digits(f.sigma.value, 0.02, 3);
    digits(f.kappa.value, 0.02, 3);
    digits(f.lambda.value, 1, 4);
    digits(f.nMax, 7, 4);
    digits(f.xMax, 3.5714, 5);
    expect(f.residualStandardError).toBeLessThan(2e-5);
    expect(f.warnings).toEqual([expect.stringMatching(/N_opt 49\.99 lies beyond N_max 7/)]);
  });

  it('says when N_max is an extrapolation past twice the largest concurrency measured', () => {
    // Pure contention with a little coherency: the peak lies far beyond N = 8.
    const truth = (n: number) => (100 * n) / (1 + 0.05 * (n - 1) + 0.0001 * n * (n - 1));
    const f = fitted([1, 2, 4, 6, 8].map((n) => ({ n, x: truth(n) })));
    expect(f.nMax).toBeGreaterThan(16);
    expect(f.warnings.join(' ')).toMatch(
      /beyond twice the largest concurrency measured \(8\): an extrapolation/,
    );
  });

  it('refuses, with the reason, fewer than 4 distinct levels and non-positive values', () => {
    expect(fitUsl(points([1, 2, 2, 3], [1, 2, 2, 3]))).toEqual({
      ok: false,
      reason: '3 distinct concurrency levels: a fit of three coefficients needs at least 4',
    });
    const r = fitUsl(points([1, 2, 3, 4], [1, 0, 2, 3]));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/above 0 \(1 do not, e.g. N=2, X=0\)/);
  });
});

describe('Kneedle', () => {
  const x = Array.from({ length: 10 }, (_, i) => i);
  it('finds the knees of kneed’s test curves', () => {
    const unit = x.map((i) => i / 9);
    expect(
      kneedle(
        unit,
        unit.map((v) => -1 / (v + 0.1) + 5),
      ),
    ).toBeCloseTo(0.222, 3);
    expect(kneedle(x, [0, 60, 80, 85, 90, 95, 96, 97, 98, 99], 'concave', 'increasing')).toBe(2);
    expect(kneedle(x, [99, 98, 97, 96, 95, 90, 85, 80, 60, 0], 'concave', 'decreasing')).toBe(7);
    expect(kneedle(x, [1, 2, 3, 4, 5, 10, 15, 20, 40, 100], 'convex', 'increasing')).toBe(7);
    expect(kneedle(x, [100, 40, 20, 15, 10, 5, 4, 3, 2, 1], 'convex', 'decreasing')).toBe(2);
  });

  it('marks diminishing returns on the reference datasets (kneed 0.9.0: specsdm91 36, raytracer 32)', () => {
    expect(
      kneedle(
        SPECSDM91.map((p) => p.n),
        SPECSDM91.map((p) => p.x),
      ),
    ).toBe(36);
    expect(kneedle(RAY_N, RAY_X)).toBe(32);
  });

  it('finds none on a straight line or too few points', () => {
    expect(kneedle(x, x)).toBeUndefined();
    expect(kneedle([1, 2], [1, 2])).toBeUndefined();
  });
});
