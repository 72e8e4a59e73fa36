import type { ThresholdResult } from './results';

/** Live figures while a test runs (from the windows merged so far). */
export interface LiveStatus {
  readonly elapsedMs: number;
  readonly plannedMs: number;
  readonly vus: number;
  /** Requests in the last complete second. */
  readonly rps: number;
  /** p95 latency of the last complete second. */
  readonly p95Ms: number;
  /** p95 latency of every request so far (merged histograms, exact). */
  readonly p95SoFarMs: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly droppedIterations: number;
  /** Thresholds failing on the data so far. */
  readonly atRisk: readonly ThresholdResult[];
  readonly workers: { readonly running: number; readonly failed: number };
}
