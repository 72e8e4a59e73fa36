import type { ExecutionSegment } from '../segment';
import type { ClosedSchedule } from './schedule';

export interface PerVuIterationsConfig {
  readonly executor: 'per-vu-iterations';
  readonly vus: number;
  readonly iterations: number;
  readonly maxDuration: number;
  readonly gracefulStop: number;
}

/** Each VU runs exactly `iterations` iterations, within maxDuration. */
export function perVuIterations(c: PerVuIterationsConfig, segment: ExecutionSegment): ClosedSchedule {
  const vus = segment.share(c.vus);
  return {
    model: 'closed',
    maxVus: vus,
    activeVus: (t) => (t < c.maxDuration ? vus : 0),
    iterations: { perVu: c.iterations },
    durationMs: c.maxDuration,
    gracefulStopMs: c.gracefulStop,
    gracefulRampDownMs: 0,
  };
}
