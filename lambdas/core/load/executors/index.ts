import type { Scenario } from '../../../model/definition';
import { type ExecutionSegment, FULL_SEGMENT } from '../segment';
import { constantArrivalRate } from './constant-arrival-rate';
import { constantVus } from './constant-vus';
import { perVuIterations } from './per-vu-iterations';
import { rampingArrivalRate } from './ramping-arrival-rate';
import { rampingVus } from './ramping-vus';
import type { Schedule } from './schedule';
import { sharedIterations } from './shared-iterations';

export type { ClosedSchedule, OpenSchedule, Schedule } from './schedule';

/** The schedule of one scenario for one execution segment. */
export function scheduleFor(config: Scenario, segment: ExecutionSegment): Schedule {
  switch (config.executor) {
    case 'constant-vus':
      return constantVus(config, segment);
    case 'ramping-vus':
      return rampingVus(config, segment);
    case 'constant-arrival-rate':
      return constantArrivalRate(config, segment);
    case 'ramping-arrival-rate':
      return rampingArrivalRate(config, segment);
    case 'per-vu-iterations':
      return perVuIterations(config, segment);
    case 'shared-iterations':
      return sharedIterations(config, segment);
  }
}

/** Planned length of a scenario (without graceful stop), for progress display. */
export function plannedDurationMs(config: Scenario): number {
  return config.startTime + scheduleFor(config, FULL_SEGMENT).durationMs;
}
