import type {
  LatencySummary,
  RequestResults,
  TestResults,
  TestStatus,
  ThresholdResult,
  TimeseriesPoint,
} from '../../model/results';
import { ERROR_KINDS, type ErrorKind } from '../../model/window';
import type { MergedRun, MergedSeries } from '../stats/aggregate';
import type { LatencyHistogram } from '../stats/histogram';

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b, 6));

/** The latency figures of a histogram (µs) in ms: computed here, and only here. */
export function latencySummary(h: LatencyHistogram): LatencySummary {
  const ms = (us: number) => round(us / 1_000);
  return {
    min: ms(h.min),
    mean: ms(h.mean),
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    max: ms(h.max),
  };
}

const errorCount = (s: MergedSeries) => s.failed;
const encoded = (s: MergedSeries) => (s.histogram.count > 0 ? s.histogram.encode() : '');
const sortedErrors = (e: Partial<Record<ErrorKind, number>>) =>
  Object.fromEntries(ERROR_KINDS.filter((k) => e[k]).map((k) => [k, e[k]])) as Partial<
    Record<ErrorKind, number>
  >;

export interface ResultsMeta {
  readonly name: string;
  readonly status: TestStatus;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly thresholds: readonly ThresholdResult[];
  readonly abortedBy?: readonly ThresholdResult[];
  readonly workers: TestResults['workers'];
}

/** Builds the results document from the merged run; every percentile is computed here, once. */
export function buildResults(run: MergedRun, meta: ResultsMeta): TestResults {
  const durationMs = Math.max(0, meta.endedAtMs - meta.startedAtMs);
  const seconds = Math.max(durationMs / 1_000, 1e-9);
  const all = run.select();
  const totals = run.totals;
  const byRequest: RequestResults[] = [...run.series.values()]
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || a.name.localeCompare(b.name))
    .map((s) => ({
      scenario: s.scenario,
      name: s.name,
      method: s.method,
      requests: s.requests,
      errors: errorCount(s),
      errorRate: ratio(errorCount(s), s.requests),
      rps: round(s.requests / seconds, 2),
      latencyMs: latencySummary(s.histogram),
      errorsByKind: sortedErrors(s.errors),
      checks: Object.entries(s.checks).map(([name, [passed, failed]]) => ({ name, passed, failed })),
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      histogram: encoded(s),
    }));
  const timeseries: TimeseriesPoint[] = [...run.windows.values()]
    .sort((a, b) => a.index - b.index)
    .map((w) => {
      const l = latencySummary(w.all.histogram);
      return {
        t: w.index,
        requests: w.all.requests,
        rps: w.all.requests,
        errors: w.all.failed,
        vus: w.vus,
        droppedIterations: w.dropped,
        latencyMs: { mean: l.mean, p50: l.p50, p90: l.p90, p95: l.p95, p99: l.p99, max: l.max },
        workers: w.workers.size,
      };
    });
  return {
    name: meta.name,
    status: meta.status,
    startedAt: new Date(meta.startedAtMs).toISOString(),
    endedAt: new Date(meta.endedAtMs).toISOString(),
    durationMs: Math.round(durationMs),
    totals: {
      requests: all.requests,
      errors: all.failed,
      errorRate: ratio(all.failed, all.requests),
      rps: round(all.requests / seconds, 2),
      droppedIterations: totals.dropped,
      iterations: totals.iterations,
      interruptedIterations: totals.interrupted,
      checks: {
        passed: all.checksPassed,
        failed: all.checksFailed,
        rate: ratio(all.checksPassed, all.checksPassed + all.checksFailed),
      },
      bytesIn: all.bytesIn,
      bytesOut: all.bytesOut,
    },
    latencyMs: latencySummary(all.histogram),
    errorsByKind: sortedErrors(all.errors),
    byRequest,
    thresholds: meta.thresholds,
    timeseries,
    workers: meta.workers,
    ...(meta.abortedBy && meta.abortedBy.length > 0 ? { abortedBy: meta.abortedBy } : {}),
    histogram: encoded(all),
  };
}
