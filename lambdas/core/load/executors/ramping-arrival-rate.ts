import type { ExecutionSegment } from '../segment';
import { type OpenSchedule, type Stage, stagesDuration, vuShares } from './schedule';

export interface RampingArrivalRateConfig {
  readonly executor: 'ramping-arrival-rate';
  readonly startRate: number;
  readonly timeUnit: number;
  readonly stages: readonly Stage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs?: number | undefined;
  readonly gracefulStop: number;
}

/**
 * The rate follows the stages linearly; global iteration i starts when the integral of the rate
 * reaches i + 1. Inside a stage that integral is quadratic in time, solved in closed form.
 */
export function rampingArrivalRate(c: RampingArrivalRateConfig, segment: ExecutionSegment): OpenSchedule {
  const duration = stagesDuration(c.stages);
  // Per stage: start time, integral so far, start and end rate per ms, length.
  const pieces: { at: number; count: number; from: number; to: number; length: number }[] = [];
  let at = 0;
  let count = 0;
  let from = c.startRate / c.timeUnit;
  for (const s of c.stages) {
    const to = s.target / c.timeUnit;
    pieces.push({ at, count, from, to, length: s.duration });
    count += ((from + to) / 2) * s.duration;
    at += s.duration;
    from = to;
  }
  // As in k6, iteration n starts when the integral reaches n + 1 (nothing at t = 0 from rate 0).
  const total = Math.floor(count + 1e-9);
  const mine = segment.share(total);
  return {
    model: 'open',
    ...vuShares(segment, c.preAllocatedVUs, c.maxVUs, mine),
    *arrivals() {
      let p = 0;
      for (let k = 0; k < mine; k++) {
        const target = segment.globalIndex(k) + 1;
        while (p < pieces.length - 1 && (pieces[p + 1] as (typeof pieces)[number]).count < target) p++;
        const piece = pieces[p];
        if (!piece) return;
        const a = (piece.to - piece.from) / (2 * piece.length);
        const need = target - piece.count;
        // Stable root of a·τ² + from·τ − need = 0.
        const disc = piece.from * piece.from + 4 * a * need;
        const tau = need <= 0 ? 0 : (2 * need) / (piece.from + Math.sqrt(Math.max(0, disc)));
        const t = piece.at + Math.min(tau, piece.length);
        if (t > duration + 1e-6) return;
        yield t;
      }
    },
    durationMs: duration,
    gracefulStopMs: c.gracefulStop,
  };
}
