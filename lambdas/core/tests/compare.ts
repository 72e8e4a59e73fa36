import type {
  Comparison,
  RequestComparison,
  RequestResults,
  SideFigures,
  TestResults,
  Verdict,
} from '../../model/results';
import { decodeHistogram, type LatencyHistogram } from '../stats/histogram';

/**
 * Regression detection against a baseline run, per request series.
 *
 * Latency: two-sided Mann–Whitney U on the two full latency distributions (read exactly from the
 * HdrHistograms, ties corrected, normal approximation), with the Vargha–Delaney effect size
 * A = P(current > baseline) + ½·P(tie). With thousands of samples even a 0.5 % shift is
 * "significant", so a verdict needs both p < alpha AND an effect of at least `minEffect` (0.56 is
 * Vargha & Delaney's "small"). Errors: two-sided two-proportion z-test, plus a minimum change of
 * 0.1 percentage points. Too few samples (< 20 on either side) gives `inconclusive`.
 */

export interface CompareOptions {
  readonly alpha?: number;
  readonly minEffect?: number;
}

const DEFAULT_ALPHA = 0.01;
const DEFAULT_MIN_EFFECT = 0.56;
const MIN_SAMPLES = 20;
const MIN_ERROR_CHANGE = 0.001;

/** Complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
/** Two-sided p-value of a standard normal statistic. */
const twoSidedP = (z: number) => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));

export interface MannWhitney {
  readonly pValue: number;
  readonly effectSize: number;
}

/** Mann–Whitney U of `current` against `baseline` from their histograms (mid-ranks for ties). */
export function mannWhitney(baseline: LatencyHistogram, current: LatencyHistogram): MannWhitney {
  const n1 = baseline.count;
  const n2 = current.count;
  if (n1 === 0 || n2 === 0) return { pValue: 1, effectSize: 0.5 };
  const a = [...baseline.buckets()];
  const b = [...current.buckets()];
  let i = 0;
  let j = 0;
  let below = 0;
  let rankSumCurrent = 0;
  let tieTerm = 0;
  while (i < a.length || j < b.length) {
    const va = a[i]?.[0] ?? Number.POSITIVE_INFINITY;
    const vb = b[j]?.[0] ?? Number.POSITIVE_INFINITY;
    const v = Math.min(va, vb);
    const ca = va === v ? (a[i++]?.[1] ?? 0) : 0;
    const cb = vb === v ? (b[j++]?.[1] ?? 0) : 0;
    const t = ca + cb;
    rankSumCurrent += cb * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  const u = rankSumCurrent - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const effectSize = u / (n1 * n2);
  if (!(variance > 0)) return { pValue: 1, effectSize };
  return { pValue: twoSidedP((u - (n1 * n2) / 2) / Math.sqrt(variance)), effectSize };
}

/** Two-sided two-proportion z-test (pooled). */
export function twoProportions(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return 1;
  return twoSidedP((x2 / n2 - x1 / n1) / se);
}

const key = (r: RequestResults) => `${r.scenario} ${r.method} ${r.name}`;
const figures = (r: RequestResults): SideFigures => ({
  requests: r.requests,
  errorRate: r.errorRate,
  p50Ms: r.latencyMs.p50,
  p95Ms: r.latencyMs.p95,
  p99Ms: r.latencyMs.p99,
});
const round = (v: number, digits: number) => Number(v.toPrecision(digits));

function compareRequest(base: RequestResults, cur: RequestResults, alpha: number, minEffect: number) {
  const enough = base.requests >= MIN_SAMPLES && cur.requests >= MIN_SAMPLES;
  const mw = mannWhitney(decodeHistogram(base.histogram), decodeHistogram(cur.histogram));
  const latencyVerdict: Verdict = !enough
    ? 'inconclusive'
    : mw.pValue < alpha && mw.effectSize >= minEffect
      ? 'regressed'
      : mw.pValue < alpha && mw.effectSize <= 1 - minEffect
        ? 'improved'
        : 'unchanged';
  const change = cur.errorRate - base.errorRate;
  const errorP = twoProportions(base.errors, base.requests, cur.errors, cur.requests);
  const errorVerdict: Verdict = !enough
    ? 'inconclusive'
    : errorP < alpha && Math.abs(change) >= MIN_ERROR_CHANGE
      ? change > 0
        ? 'regressed'
        : 'improved'
      : 'unchanged';
  const both = [latencyVerdict, errorVerdict];
  const verdict: Verdict = both.includes('regressed')
    ? 'regressed'
    : both.includes('improved')
      ? 'improved'
      : both.includes('inconclusive')
        ? 'inconclusive'
        : 'unchanged';
  const p95Base = base.latencyMs.p95;
  return {
    scenario: cur.scenario,
    name: cur.name,
    method: cur.method,
    baseline: figures(base),
    current: figures(cur),
    latency: {
      test: 'mann-whitney-u' as const,
      pValue: round(mw.pValue, 4),
      effectSize: round(mw.effectSize, 4),
      p95ChangePct: p95Base === 0 ? 0 : round(((cur.latencyMs.p95 - p95Base) / p95Base) * 100, 4),
      verdict: latencyVerdict,
    },
    errors: {
      test: 'two-proportion-z' as const,
      pValue: round(errorP, 4),
      change: round(change, 6),
      verdict: errorVerdict,
    },
    verdict,
  };
}

/** Compares every request series present in both runs. */
export function compareResults(
  baselineId: string,
  baseline: TestResults,
  current: TestResults,
  options: CompareOptions = {},
): Comparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const minEffect = options.minEffect ?? DEFAULT_MIN_EFFECT;
  const before = new Map(baseline.byRequest.map((r) => [key(r), r]));
  const requests: RequestComparison[] = [];
  const onlyInCurrent: string[] = [];
  for (const cur of current.byRequest) {
    const base = before.get(key(cur));
    if (base) requests.push(compareRequest(base, cur, alpha, minEffect));
    else onlyInCurrent.push(key(cur));
  }
  const seen = new Set(current.byRequest.map(key));
  const regressions = requests.filter((r) => r.verdict === 'regressed').length;
  const improvements = requests.filter((r) => r.verdict === 'improved').length;
  const verdict: Verdict =
    regressions > 0
      ? 'regressed'
      : improvements > 0
        ? 'improved'
        : requests.length === 0 || requests.some((r) => r.verdict === 'inconclusive')
          ? 'inconclusive'
          : 'unchanged';
  return {
    baselineId,
    baselineStartedAt: baseline.startedAt,
    alpha,
    minEffect,
    verdict,
    regressions,
    improvements,
    requests,
    unmatched: { onlyInBaseline: [...before.keys()].filter((k) => !seen.has(k)), onlyInCurrent },
  };
}
