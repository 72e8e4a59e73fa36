import type { CapacityBlock } from './capacity';
import type { ErrorKind } from './window';

/** The results document (DESIGN.md §3). Latencies in ms; rates 0–1; throughput per second. */

export const TEST_STATUSES = [
  'queued',
  'running',
  'passed',
  'failed',
  'aborted',
  'cancelled',
  'degraded',
  'error',
  'interrupted',
] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

/**
 * Where a running test's distributed run is: `measuring` (workers running, the monitor writing
 * live figures every second), `waiting` (the monitor is done; the run waits for workers to end,
 * lost ones up to their timeout), `aggregating` (merging every window; a heartbeat every 10 s).
 */
export const RUN_PHASES = ['measuring', 'waiting', 'aggregating'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface RequestResults {
  readonly scenario: string;
  readonly name: string;
  readonly method: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly rps: number;
  readonly latencyMs: LatencySummary;
  readonly errorsByKind: Partial<Record<ErrorKind, number>>;
  readonly checks: readonly { readonly name: string; readonly passed: number; readonly failed: number }[];
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Compressed HdrHistogram (µs) of this request's latencies, for comparisons with later runs. */
  readonly histogram: string;
}

export interface TimeseriesPoint {
  /** Seconds since start (start of the window). */
  readonly t: number;
  readonly requests: number;
  readonly rps: number;
  readonly errors: number;
  readonly vus: number;
  readonly droppedIterations: number;
  /** `mean` is absent in results stored before it was added. */
  readonly latencyMs: Pick<LatencySummary, 'p50' | 'p90' | 'p95' | 'p99' | 'max'> & {
    readonly mean?: number;
  };
  /** Workers that reported this window. */
  readonly workers: number;
}

export interface WorkerFailure {
  readonly worker: number;
  readonly segment: string;
  readonly error: string;
}

export interface TestResults {
  readonly name: string;
  readonly status: TestStatus;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly totals: {
    readonly requests: number;
    readonly errors: number;
    readonly errorRate: number;
    readonly rps: number;
    readonly droppedIterations: number;
    readonly iterations: number;
    readonly interruptedIterations: number;
    readonly checks: { readonly passed: number; readonly failed: number; readonly rate: number };
    readonly bytesIn: number;
    readonly bytesOut: number;
  };
  readonly latencyMs: LatencySummary;
  readonly errorsByKind: Partial<Record<ErrorKind, number>>;
  readonly byRequest: readonly RequestResults[];
  readonly thresholds: readonly ThresholdResult[];
  readonly timeseries: readonly TimeseriesPoint[];
  readonly workers: {
    readonly planned: number;
    readonly completed: number;
    readonly failed: number;
    readonly failures: readonly WorkerFailure[];
    readonly maxStartLagMs: number;
    /** Arrivals that late-starting workers skipped instead of firing at once (see LATE_START_TOLERANCE_MS). */
    readonly skippedIterations: number;
  };
  readonly abortedBy?: readonly ThresholdResult[];
  /** Compressed HdrHistogram (µs) of every latency, for later exact merges and comparisons. */
  readonly histogram: string;
  /** Per-request statistical comparison with the baseline run, when the test named one. */
  readonly comparison?: Comparison;
  /** Why a requested comparison is missing (baseline without results or unreadable). */
  readonly comparisonError?: string;
  /** Things that make the figures less trustworthy (e.g. saturated workers). */
  readonly warnings?: readonly string[];
  /** A stepped run's plateaus, USL fit and max sustainable throughput (absent in earlier results). */
  readonly capacity?: CapacityBlock;
}

/** How a threshold came out on the merged data. */
export interface ThresholdResult {
  readonly metric: string;
  readonly expression: string;
  readonly ok: boolean;
  readonly value: number;
  readonly abortOnFail: boolean;
}

/** Regression detection against a baseline run (core/tests/compare.ts computes it). */
export type Verdict = 'improved' | 'unchanged' | 'regressed' | 'inconclusive';

export interface SideFigures {
  readonly requests: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export interface RequestComparison {
  readonly scenario: string;
  readonly name: string;
  readonly method: string;
  readonly baseline: SideFigures;
  readonly current: SideFigures;
  readonly latency: {
    readonly test: 'mann-whitney-u';
    readonly pValue: number;
    /** Probability that a current request is slower than a baseline one (0.5 = no difference). */
    readonly effectSize: number;
    readonly p95ChangePct: number;
    readonly verdict: Verdict;
  };
  readonly errors: {
    readonly test: 'two-proportion-z';
    readonly pValue: number;
    /** Current minus baseline error rate. */
    readonly change: number;
    readonly verdict: Verdict;
  };
  readonly verdict: Verdict;
}

export interface Comparison {
  readonly baselineId: string;
  readonly baselineStartedAt: string;
  readonly alpha: number;
  readonly minEffect: number;
  readonly verdict: Verdict;
  readonly regressions: number;
  readonly improvements: number;
  readonly requests: readonly RequestComparison[];
  /** Series present in only one of the runs (not compared). */
  readonly unmatched: {
    readonly onlyInBaseline: readonly string[];
    readonly onlyInCurrent: readonly string[];
  };
}
