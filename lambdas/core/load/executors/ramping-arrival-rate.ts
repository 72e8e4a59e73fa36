import type { ExecutionSegment } from '../segment';
import { type OpenSchedule, type Stage, stagesDuration } from './schedule';

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
 * reaches i. Inside a stage that integral is quadratic in time, solved in closed form.
 */
export function rampingArrivalRate(c: RampingArrivalRateConfig, segment: ExecutionSegment): OpenSchedule {
  const duration = stagesDuration(c.stages);
  // Per-stage [start time, start count, start rate/ms, end rate/ms, duration].
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
  const total = Math.ceil(count - 1e-9);
  const mine = segment.share(total);
  return {
    model: 'open',
    preAllocatedVus: segment.share(c.preAllocatedVUs),
    maxVus: segment.share(c.maxVUs ?? c.preAllocatedVUs),
    *arrivals() {
      let p = 0;
      for (let k = 0; k < mine; k++) {
        const n = segment.globalIndex(k);
        while (p < pieces.length - 1 && (pieces[p + 1] as (typeof pieces)[number]).count <= n) p++;
        const piece = pieces[p];
        if (!piece) return;
        const a = (piece.to - piece.from) / (2 * piece.length);
        const need = n - piece.count;
        // Stable root of a·τ² + from·τ − need = 0.
        const disc = piece.from * piece.from + 4 * a * need;
        const tau = need <= 0 ? 0 : (2 * need) / (piece.from + Math.sqrt(Math.max(0, disc)));
        const t = piece.at + Math.min(tau, piece.length);
        if (t >= duration) return;
        yield t;
      }
    },
    durationMs: duration,
    gracefulStopMs: c.gracefulStop,
  };
}
