import type { ExecutionSegment } from '../segment';
import type { ClosedSchedule } from './schedule';

export interface SharedIterationsConfig {
  readonly executor: 'shared-iterations';
  readonly vus: number;
  readonly iterations: number;
  readonly maxDuration: number;
  readonly gracefulStop: number;
}

/**
 * `iterations` in total, taken by whichever VU is free. Each worker owns its share of the
 * iterations; one whose share of VUs rounds to zero but that owns iterations runs a single VU,
 * since iterations cannot move between workers without coordination.
 */
export function sharedIterations(c: SharedIterationsConfig, segment: ExecutionSegment): ClosedSchedule {
  const iterations = segment.share(c.iterations);
  const vus = iterations === 0 ? 0 : Math.min(iterations, Math.max(1, segment.share(c.vus)));
  return {
    model: 'closed',
    maxVus: vus,
    activeVus: (t) => (t < c.maxDuration ? vus : 0),
    iterations: { shared: iterations },
    durationMs: c.maxDuration,
    gracefulStopMs: c.gracefulStop,
    gracefulRampDownMs: 0,
  };
}
