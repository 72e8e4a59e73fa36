import type { ScalabilityPoint } from '../../model/capacity';
import { goldenSection, nelderMead2 } from './minimize';
import { studentTQuantile } from './student-t';

/**
 * The Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to measured
 * (concurrency, throughput) points by variable projection: for fixed σ, κ the best λ has a closed
 * form, so only σ, κ ∈ [0, 1] are searched (a grid, then Nelder–Mead, then each bound on its own).
 * Unconstrained fits go superlinear (κ < 0) on real data; bounded ones reproduce the published fits.
 */

export interface Estimate {
  readonly value: number;
  /** Asymptotic standard error; absent for a coefficient on its bound (σ or κ = 0). */
  readonly standardError?: number;
  /** 95 % interval (Student's t on n − 3 degrees of freedom). */
  readonly interval95?: readonly [number, number];
}

export interface UslFit {
  readonly sigma: Estimate;
  readonly kappa: Estimate;
  readonly lambda: Estimate;
  readonly residualStandardError: number;
  readonly degreesOfFreedom: number;
  /** Concurrency where throughput peaks, √((1−σ)/κ); absent when κ = 0 (no peak). */
  readonly nMax?: number;
  readonly xMax?: number;
  /** Where the linear bound λN meets the Amdahl roof, 1/σ; absent when σ = 0. */
  readonly nOpt?: number;
  /** The Amdahl limit λ/σ that throughput approaches when κ = 0; absent when σ = 0. */
  readonly xRoof?: number;
  /** The model at each measured point, and X / (λN) there. */
  readonly fitted: readonly number[];
  readonly efficiency: readonly number[];
  readonly warnings: readonly string[];
}

export type UslResult =
  | { readonly ok: true; readonly fit: UslFit }
  | { readonly ok: false; readonly reason: string };

export const MIN_POINTS = 4;
const FEW_POINTS = 6;

const denominator = (n: number, s: number, k: number) => 1 + s * (n - 1) + k * n * (n - 1);

/** λ in closed form for fixed σ, κ, and the residual sum of squares with it. */
function project(points: readonly ScalabilityPoint[], s: number, k: number) {
  let yg = 0;
  let gg = 0;
  for (const { n, x } of points) {
    const g = n / denominator(n, s, k);
    yg += x * g;
    gg += g * g;
  }
  const lambda = yg / gg;
  let rss = 0;
  for (const { n, x } of points) rss += (x - (lambda * n) / denominator(n, s, k)) ** 2;
  return { lambda, rss };
}

const logGrid = (from: number, to: number, steps: number) => [
  0,
  ...Array.from({ length: steps + 1 }, (_, i) => 10 ** (from + ((to - from) * i) / steps)),
];

function minimize(points: readonly ScalabilityPoint[]): { sigma: number; kappa: number } {
  const rss = (s: number, k: number) => project(points, s, k).rss;
  const sigmas = logGrid(-6, 0, 60);
  const kappas = logGrid(-9, 0, 90);
  // The grid's best point, and its best on each bound line (κ = 0: the first column; σ = 0: the first row).
  let best = { s: 0, k: 0, r: Number.POSITIVE_INFINITY };
  let onKappa0 = { at: 0, r: Number.POSITIVE_INFINITY };
  let onSigma0 = { at: 0, r: Number.POSITIVE_INFINITY };
  sigmas.forEach((s, i) => {
    kappas.forEach((k, j) => {
      const r = rss(s, k);
      if (r < best.r) best = { s, k, r };
      if (j === 0 && r < onKappa0.r) onKappa0 = { at: i, r };
      if (i === 0 && r < onSigma0.r) onSigma0 = { at: j, r };
    });
  });
  const candidates: [number, number][] = [
    nelderMead2(rss, [best.s, best.k], [Math.max(best.s / 2, 1e-5), Math.max(best.k / 2, 1e-8)]),
  ];
  // On a bound the simplex crawls: search each bound line on its own, bracketed by the grid.
  const bracket = (grid: readonly number[], at: number) =>
    [grid[Math.max(0, at - 1)] as number, grid[Math.min(grid.length - 1, at + 1)] as number] as const;
  const [s0, s1] = bracket(sigmas, onKappa0.at);
  candidates.push([goldenSection((s) => rss(s, 0), s0, s1), 0]);
  const [k0, k1] = bracket(kappas, onSigma0.at);
  candidates.push([0, goldenSection((k) => rss(0, k), k0, k1)]);
  candidates.sort((a, b) => rss(...a) - rss(...b));
  const [sigma, kappa] = candidates[0] as [number, number];
  return { sigma, kappa };
}

/** (JᵀJ)⁻¹ for the free coefficients (Gauss–Jordan; the matrix is at most 3 × 3). */
function inverse(m: number[][]): number[][] | undefined {
  const size = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: size }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < size; c++) {
    let pivot = c;
    for (let r = c + 1; r < size; r++)
      if (Math.abs((a[r] as number[])[c] as number) > Math.abs((a[pivot] as number[])[c] as number))
        pivot = r;
    const p = (a[pivot] as number[])[c] as number;
    if (!Number.isFinite(p) || Math.abs(p) < 1e-300) return undefined;
    [a[c], a[pivot]] = [a[pivot] as number[], a[c] as number[]];
    const row = a[c] as number[];
    for (let j = 0; j < 2 * size; j++) row[j] = (row[j] as number) / p;
    for (let r = 0; r < size; r++) {
      if (r === c) continue;
      const other = a[r] as number[];
      const f = other[c] as number;
      for (let j = 0; j < 2 * size; j++) other[j] = (other[j] as number) - f * (row[j] as number);
    }
  }
  return a.map((row) => row.slice(size));
}

/** Fits the USL to the points; refuses (with the reason) what cannot be fitted honestly. */
export function fitUsl(points: readonly ScalabilityPoint[]): UslResult {
  const bad = points.filter((p) => !(Number.isFinite(p.n) && Number.isFinite(p.x) && p.n > 0 && p.x > 0));
  if (bad.length > 0)
    return {
      ok: false,
      reason: `every point needs a concurrency and a throughput above 0 (${bad.length} do not, e.g. N=${bad[0]?.n}, X=${bad[0]?.x})`,
    };
  const distinct = new Set(points.map((p) => p.n)).size;
  if (distinct < MIN_POINTS)
    return {
      ok: false,
      reason: `${distinct} distinct concurrency levels: a fit of three coefficients needs at least ${MIN_POINTS}`,
    };
  const { sigma, kappa } = minimize(points);
  const { lambda, rss } = project(points, sigma, kappa);
  if (!(Number.isFinite(lambda) && lambda > 0 && Number.isFinite(rss)))
    return { ok: false, reason: 'the fit did not converge to a positive λ' };

  const df = points.length - 3;
  const s2 = df > 0 ? rss / df : Number.NaN;
  // Jacobian of the model in (σ, κ, λ); a coefficient on its bound is held there.
  const free = [sigma > 0, kappa > 0, true];
  const columns = points.map(({ n }) => {
    const d = denominator(n, sigma, kappa);
    return [(-lambda * n * (n - 1)) / d ** 2, (-lambda * n * n * (n - 1)) / d ** 2, n / d].filter(
      (_, i) => free[i],
    );
  });
  const width = free.filter(Boolean).length;
  const jtj = Array.from({ length: width }, (_, i) =>
    Array.from({ length: width }, (_, j) =>
      columns.reduce((sum, c) => sum + (c[i] as number) * (c[j] as number), 0),
    ),
  );
  const cov = df > 0 ? inverse(jtj) : undefined;
  const t = df > 0 ? studentTQuantile(0.975, df) : Number.NaN;
  let column = 0;
  const estimate = (value: number, isFree: boolean): Estimate => {
    if (!isFree || !cov) return { value };
    const i = column++;
    const se = Math.sqrt(s2 * ((cov[i] as number[])[i] as number));
    return Number.isFinite(se)
      ? { value, standardError: se, interval95: [value - t * se, value + t * se] }
      : { value };
  };
  const model = (n: number) => (lambda * n) / denominator(n, sigma, kappa);
  const maxN = Math.max(...points.map((p) => p.n));
  const nMax = kappa > 0 ? Math.sqrt((1 - sigma) / kappa) : undefined;
  const nOpt = sigma > 0 ? 1 / sigma : undefined;

  const warnings: string[] = [];
  if (points.length < FEW_POINTS)
    warnings.push(
      `only ${points.length} points: the coefficients are uncertain with fewer than ${FEW_POINTS}`,
    );
  if (kappa === 0)
    warnings.push(
      'κ is 0 (on its bound): no retrograde region was measured; throughput approaches the Amdahl limit λ/σ',
    );
  if (sigma === 0) warnings.push('σ is 0 (on its bound): no contention was measured');
  if (nMax !== undefined && nOpt !== undefined && nOpt > nMax)
    warnings.push(
      `N_opt ${round(nOpt)} lies beyond N_max ${round(nMax)}: throughput peaks first, so read N_max as the limit`,
    );
  if (nMax !== undefined && nMax > 2 * maxN)
    warnings.push(
      `N_max ${round(nMax)} is beyond twice the largest concurrency measured (${maxN}): an extrapolation`,
    );

  return {
    ok: true,
    fit: {
      sigma: estimate(sigma, free[0] as boolean),
      kappa: estimate(kappa, free[1] as boolean),
      lambda: estimate(lambda, true),
      residualStandardError: df > 0 ? Math.sqrt(s2) : 0,
      degreesOfFreedom: df,
      ...(nMax === undefined ? {} : { nMax, xMax: model(nMax) }),
      ...(nOpt === undefined ? {} : { nOpt, xRoof: lambda / sigma }),
      fitted: points.map((p) => model(p.n)),
      efficiency: points.map((p) => p.x / (lambda * p.n)),
      warnings,
    },
  };
}

const round = (v: number) => Math.round(v * 100) / 100;
