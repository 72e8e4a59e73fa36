import type { ExecutionSegment } from '../segment';
import type { ClosedSchedule } from './schedule';

export interface ConstantVusConfig {
  readonly executor: 'constant-vus';
  readonly vus: number;
  readonly duration: number;
  readonly gracefulStop: number;
}

/** A fixed number of VUs loop for a fixed time. */
export function constantVus(c: ConstantVusConfig, segment: ExecutionSegment): ClosedSchedule {
  const vus = segment.share(c.vus);
  return {
    model: 'closed',
    maxVus: vus,
    activeVus: (t) => (t < c.duration ? vus : 0),
    iterations: undefined,
    durationMs: c.duration,
    gracefulStopMs: c.gracefulStop,
    gracefulRampDownMs: 0,
  };
}
