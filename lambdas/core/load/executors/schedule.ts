/** What an executor tells a worker to do, already cut down to that worker's execution segment. */

/** Closed model: a set of VUs, each looping iterations back to back. Times are ms since scenario start. */
export interface ClosedSchedule {
  readonly model: 'closed';
  /** Most VUs this worker ever runs at once. */
  readonly maxVus: number;
  /** This worker's VUs that should be running at time t. */
  activeVus(t: number): number;
  /** Iteration budget: per VU, shared by this worker's VUs, or unlimited (time bound only). */
  readonly iterations: { readonly perVu: number } | { readonly shared: number } | undefined;
  /** No iteration starts at or after this time. */
  readonly durationMs: number;
  /** Running iterations get this long after durationMs before they are interrupted. */
  readonly gracefulStopMs: number;
  /** A VU that ramping takes away finishes its iteration within this time. */
  readonly gracefulRampDownMs: number;
}

/** Open model: iterations start at planned instants whether or not earlier ones have finished. */
export interface OpenSchedule {
  readonly model: 'open';
  readonly preAllocatedVus: number;
  readonly maxVus: number;
  /** Planned start times (ms since scenario start) of this worker's iterations, ascending. */
  arrivals(): Iterator<number>;
  readonly durationMs: number;
  readonly gracefulStopMs: number;
}

export type Schedule = ClosedSchedule | OpenSchedule;

/**
 * This worker's share of an open model's VU pool. A worker that owns arrivals always gets at least
 * one VU: with more workers than VUs, a zero share would drop every arrival it owns.
 */
export function vuShares(
  segment: { share(n: number): number },
  preAllocated: number,
  max: number | undefined,
  arrivals: number,
): { preAllocatedVus: number; maxVus: number } {
  const floor = arrivals > 0 ? 1 : 0;
  return {
    preAllocatedVus: Math.max(floor, segment.share(preAllocated)),
    maxVus: Math.max(floor, segment.share(max ?? preAllocated)),
  };
}

/** Stages as k6 has them: from `start`, linear to each target over each duration. */
export interface Stage {
  readonly duration: number;
  readonly target: number;
}

/** Value of a piecewise-linear stage profile at time t. */
export function stageValueAt(start: number, stages: readonly Stage[], t: number): number {
  let from = start;
  let at = 0;
  for (const s of stages) {
    if (t < at + s.duration) return from + ((s.target - from) * (t - at)) / s.duration;
    at += s.duration;
    from = s.target;
  }
  return from;
}

export const stagesDuration = (stages: readonly Stage[]): number =>
  stages.reduce((ms, s) => ms + s.duration, 0);
