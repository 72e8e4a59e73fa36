/** Capacity from load tests: the USL fit of measured points, and the plateaus of a stepped run. */

export interface ScalabilityPoint {
  /** Concurrency (users, workers, in-flight requests). */
  readonly n: number;
  /** Throughput at that concurrency (any unit: the fit's λ and X come out in it). */
  readonly x: number;
}

/** A figure per coefficient; absent for one on its bound (σ or κ = 0) or with too few points. */
export interface PerCoefficient<T> {
  readonly sigma?: T;
  readonly kappa?: T;
  readonly lambda?: T;
}

/**
 * What `throughline capacity fit` prints and the results' `capacity` block holds: the USL
 * coefficients with their errors, where throughput peaks, the knee of the measured curve, and
 * every warning, or the reason there is no fit (never a fabricated curve).
 */
export type CapacityFitReport =
  | {
      readonly fitted: true;
      readonly points: readonly ScalabilityPoint[];
      readonly sigma: number;
      readonly kappa: number;
      readonly lambda: number;
      readonly standardErrors: PerCoefficient<number>;
      readonly intervals95: PerCoefficient<readonly [number, number]>;
      readonly residualStandardError: number;
      /** Throughput peaks here (absent when κ = 0: it only approaches xRoof). */
      readonly nMax?: number;
      readonly xMax?: number;
      readonly nOpt?: number;
      readonly xRoof?: number;
      /** Diminishing returns start here (Kneedle on the measured points). */
      readonly knee?: number;
      readonly warnings: readonly string[];
    }
  | { readonly fitted: false; readonly points: readonly ScalabilityPoint[]; readonly reason: string };

export interface PlateauMeasure {
  /** The load held: iterations per second (arrival rate) or VUs. */
  readonly offered: number;
  /** Seconds since the start of the steady part measured, and its length. */
  readonly fromS: number;
  readonly seconds: number;
  readonly achievedRps: number;
  readonly meanMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly droppedIterations: number;
  /** Mean requests in flight, X · R (Little's law): the USL's N. */
  readonly concurrency: number;
  /** Whether the plateau met every threshold it can be judged on, and achieved its offered rate. */
  readonly sustained: boolean;
  readonly failed: readonly string[];
}

/** The results' `capacity`: a stepped run's plateaus and fit, or why there are none. */
export type CapacityBlock =
  | {
      readonly model: 'arrival-rate' | 'vus';
      readonly plateaus: readonly PlateauMeasure[];
      readonly fit: CapacityFitReport;
      /** The highest throughput of a sustained plateau (absent when none was). */
      readonly maxSustainableRps?: number;
      readonly notes: readonly string[];
    }
  | { readonly model: 'none'; readonly reason: string };
