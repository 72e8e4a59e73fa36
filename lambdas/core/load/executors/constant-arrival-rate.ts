import type { ExecutionSegment } from '../segment';
import { type OpenSchedule, vuShares } from './schedule';

export interface ConstantArrivalRateConfig {
  readonly executor: 'constant-arrival-rate';
  readonly rate: number;
  readonly timeUnit: number;
  readonly duration: number;
  readonly preAllocatedVUs: number;
  readonly maxVUs?: number | undefined;
  readonly gracefulStop: number;
}

/** Global iteration i starts at i · timeUnit / rate; this worker starts the ones it owns. */
export function constantArrivalRate(c: ConstantArrivalRateConfig, segment: ExecutionSegment): OpenSchedule {
  const interval = c.timeUnit / c.rate;
  const total = Math.ceil(c.duration / interval - 1e-9);
  const mine = segment.share(total);
  return {
    model: 'open',
    ...vuShares(segment, c.preAllocatedVUs, c.maxVUs, mine),
    *arrivals() {
      for (let k = 0; k < mine; k++) yield segment.globalIndex(k) * interval;
    },
    durationMs: c.duration,
    gracefulStopMs: c.gracefulStop,
  };
}
