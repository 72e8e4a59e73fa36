import type { DefinitionProblem, ThresholdSpec } from '../../model/definition';
import type { ThresholdResult } from '../../model/results';
import {
  type MetricName,
  type Op,
  type ParsedThreshold,
  THRESHOLD_METRICS,
  THRESHOLD_TAGS,
} from '../../model/thresholds';
import type { MergedRun, MergedSeries } from '../stats/aggregate';

/** k6 threshold expressions (`p(95)<200`, `rate<0.01`, …), evaluated on exactly merged data. */

const METRIC_KEY = /^([a-z_]+)(?:\{([^}]*)\})?$/;
const EXPRESSION =
  /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|med|min|max|rate|count)\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses every threshold; problems are reported with their paths, all of them. */
export function parseThresholds(specs: Readonly<Record<string, readonly ThresholdSpec[]>>): {
  thresholds: ParsedThreshold[];
  problems: DefinitionProblem[];
} {
  const thresholds: ParsedThreshold[] = [];
  const problems: DefinitionProblem[] = [];
  for (const [metricKey, list] of Object.entries(specs)) {
    const m = METRIC_KEY.exec(metricKey.trim());
    const metric = m?.[1] as MetricName | undefined;
    if (!m || !metric || !Object.hasOwn(THRESHOLD_METRICS, metric)) {
      problems.push({
        path: `thresholds.${metricKey}`,
        message: `unknown metric; use one of ${Object.keys(THRESHOLD_METRICS).join(', ')} with an optional {tag:value} filter`,
      });
      continue;
    }
    const tags: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
      const [k, ...v] = pair.split(':');
      const key = (k ?? '').trim();
      if (!(THRESHOLD_TAGS as readonly string[]).includes(key) || v.length === 0) {
        problems.push({
          path: `thresholds.${metricKey}`,
          message: `tag filter "${pair}" must be one of ${THRESHOLD_TAGS.join(', ')}:value`,
        });
        continue;
      }
      tags[key] = v.join(':').trim();
    }
    list.forEach((spec, i) => {
      const e = EXPRESSION.exec(spec.threshold);
      const aggregation = e?.[1]?.startsWith('p(') ? 'p' : e?.[1];
      if (!e || !aggregation || !(THRESHOLD_METRICS[metric] as readonly string[]).includes(aggregation)) {
        problems.push({
          path: `thresholds.${metricKey}[${i}]`,
          message: `${JSON.stringify(spec.threshold)} is not a threshold for ${metric}; expected ${THRESHOLD_METRICS[metric].map((a) => (a === 'p' ? 'p(N)' : a)).join(' | ')} followed by <, <=, >, >=, == or != and a number`,
        });
        return;
      }
      const percentile = e[2] === undefined ? undefined : Number(e[2]);
      if (percentile !== undefined && (percentile < 0 || percentile > 100)) {
        problems.push({
          path: `thresholds.${metricKey}[${i}]`,
          message: `percentile ${percentile} is not within 0–100`,
        });
        return;
      }
      thresholds.push({
        metricKey,
        metric,
        tags,
        expression: spec.threshold.trim(),
        aggregation,
        ...(percentile === undefined ? {} : { percentile }),
        op: e[3] as Op,
        limit: Number(e[4]),
        abortOnFail: spec.abortOnFail,
        delayAbortEvalMs: spec.delayAbortEval,
      });
    });
  }
  return { thresholds, problems };
}

const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/** The value a threshold compares: durations in ms, rates 0–1, counts and per-second rates. */
export function thresholdValue(t: ParsedThreshold, run: MergedRun, elapsedMs: number): number {
  const seconds = Math.max(elapsedMs / 1_000, 1e-9);
  if (t.metric === 'iterations' || t.metric === 'dropped_iterations') {
    let n = 0;
    for (const [scenario, totals] of run.scenarios) {
      if (t.tags.scenario !== undefined && t.tags.scenario !== scenario) continue;
      n += t.metric === 'iterations' ? totals.iterations : totals.dropped;
    }
    return t.aggregation === 'count' ? n : n / seconds;
  }
  const s: MergedSeries = run.select(t.tags);
  switch (t.metric) {
    case 'http_reqs':
      return t.aggregation === 'count' ? s.requests : s.requests / seconds;
    case 'http_req_failed':
      return rate(s.failed, s.requests);
    case 'checks':
      return rate(s.checksPassed, s.checksPassed + s.checksFailed);
    case 'http_req_duration': {
      const h = s.histogram;
      const us =
        t.aggregation === 'p'
          ? h.percentile(t.percentile ?? 50)
          : t.aggregation === 'med'
            ? h.percentile(50)
            : t.aggregation === 'min'
              ? h.min
              : t.aggregation === 'max'
                ? h.max
                : h.mean;
      return us / 1_000;
    }
  }
}

/** Whether a value passes `op limit`. */
export function compare(value: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export function evaluateThresholds(
  thresholds: readonly ParsedThreshold[],
  run: MergedRun,
  elapsedMs: number,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const value = thresholdValue(t, run, elapsedMs);
    return {
      metric: t.metricKey,
      expression: t.expression,
      ok: compare(value, t.op, t.limit),
      value,
      abortOnFail: t.abortOnFail,
    };
  });
}

/** Whether the metric a threshold reads has any sample yet (k6 judges only metrics it has seen). */
export function hasSamples(t: ParsedThreshold, run: MergedRun): boolean {
  if (t.metric === 'iterations' || t.metric === 'dropped_iterations') {
    for (const [scenario, s] of run.scenarios)
      if (
        (t.tags.scenario === undefined || t.tags.scenario === scenario) &&
        s.iterations + s.dropped + s.interrupted > 0
      )
        return true;
    return false;
  }
  const s = run.select(t.tags);
  if (t.metric === 'checks') return s.checksPassed + s.checksFailed > 0;
  if (t.metric === 'http_req_duration') return s.histogram.count > 0;
  return s.requests > 0;
}

/**
 * Thresholds failing on the data merged so far, while the run goes on: metrics without samples are
 * not judged yet, and rates are per second of the windows merged (`coveredMs`), not of wall time,
 * since merged data trails the clock by up to a second.
 */
export function thresholdsAtRisk(
  thresholds: readonly ParsedThreshold[],
  run: MergedRun,
  coveredMs: number,
): ThresholdResult[] {
  const judged = thresholds.filter((t) => hasSamples(t, run));
  return evaluateThresholds(judged, run, coveredMs).filter((r) => !r.ok);
}

/** The abortOnFail thresholds that fail now and whose delay (counted in wall time) has passed. */
export function thresholdsToAbort(
  thresholds: readonly ParsedThreshold[],
  run: MergedRun,
  elapsedMs: number,
  coveredMs: number,
): ThresholdResult[] {
  const eligible = thresholds.filter((t) => t.abortOnFail && elapsedMs >= t.delayAbortEvalMs);
  return thresholdsAtRisk(eligible, run, coveredMs);
}
