import type { TestDefinition } from '../../model/definition';

/**
 * Where a stepped test holds its load still: the plateaus of its one scenario's schedule (arrival
 * rate or VUs), in seconds since the run's start. Ramps between plateaus are not measured points:
 * the USL wants steady state, one point per load level.
 */

export interface Hold {
  readonly fromMs: number;
  readonly toMs: number;
  /** Iterations per second (arrival rate) or VUs held. */
  readonly level: number;
}

export type Schedule =
  | { readonly kind: 'arrival-rate' | 'vus'; readonly holds: readonly Hold[] }
  | { readonly kind: 'none'; readonly reason: string };

/** A hold this short has no steady part left after its warm-up is dropped. */
export const MIN_HOLD_MS = 5_000;

type Scenario = TestDefinition['scenarios'][string];

function holdsOf(
  start: number,
  stages: readonly { duration: number; target: number }[],
  offsetMs: number,
  perSecond: number,
): Hold[] {
  const holds: Hold[] = [];
  let level = start;
  let at = offsetMs;
  for (const stage of stages) {
    if (stage.target === level && stage.duration > 0) {
      const last = holds.at(-1);
      // Consecutive stages at one level are one plateau.
      if (last && last.toMs === at && last.level === level * perSecond)
        holds[holds.length - 1] = { ...last, toMs: at + stage.duration };
      else holds.push({ fromMs: at, toMs: at + stage.duration, level: level * perSecond });
    }
    level = stage.target;
    at += stage.duration;
  }
  return holds.filter((h) => h.toMs - h.fromMs >= MIN_HOLD_MS);
}

export function stepSchedule(definition: TestDefinition): Schedule {
  const scenarios = Object.values(definition.scenarios) as Scenario[];
  if (scenarios.length !== 1)
    return {
      kind: 'none',
      reason: `capacity is read from one stepped scenario; this test has ${scenarios.length}`,
    };
  const s = scenarios[0] as Scenario;
  switch (s.executor) {
    case 'ramping-arrival-rate':
      return { kind: 'arrival-rate', holds: holdsOf(s.startRate, s.stages, s.startTime, 1_000 / s.timeUnit) };
    case 'ramping-vus':
      return { kind: 'vus', holds: holdsOf(s.startVUs, s.stages, s.startTime, 1) };
    default:
      return {
        kind: 'none',
        reason: `a ${s.executor} scenario holds one load level; capacity needs plateaus of ramping-arrival-rate or ramping-vus (the step preset)`,
      };
  }
}
