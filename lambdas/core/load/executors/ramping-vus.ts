import type { ExecutionSegment } from '../segment';
import { type ClosedSchedule, type Stage, stagesDuration, stageValueAt } from './schedule';

export interface RampingVusConfig {
  readonly executor: 'ramping-vus';
  readonly startVUs: number;
  readonly stages: readonly Stage[];
  readonly gracefulRampDown: number;
  readonly gracefulStop: number;
}

/**
 * VUs follow the stages. The global target at t is floor(profile(t)); global VU j runs while
 * j < target, so each worker runs exactly its share of the first `target` VUs at every instant.
 */
export function rampingVus(c: RampingVusConfig, segment: ExecutionSegment): ClosedSchedule {
  const duration = stagesDuration(c.stages);
  const peak = Math.max(c.startVUs, ...c.stages.map((s) => s.target));
  return {
    model: 'closed',
    maxVus: segment.share(peak),
    activeVus: (t) =>
      t < duration ? segment.share(Math.floor(stageValueAt(c.startVUs, c.stages, t) + 1e-9)) : 0,
    iterations: undefined,
    durationMs: duration,
    gracefulStopMs: c.gracefulStop,
    gracefulRampDownMs: c.gracefulRampDown,
  };
}
