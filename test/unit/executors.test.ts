import { describe, expect, it } from 'vitest';
import {
  type ClosedSchedule,
  type OpenSchedule,
  plannedDurationMs,
  type Schedule,
  scheduleFor,
} from '../../lambdas/core/load/executors/index';
import { type ExecutionSegment, FULL_SEGMENT, nthOfSegments } from '../../lambdas/core/load/segment';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import type { Scenario } from '../../lambdas/model/definition';

/** One scenario through the real parser, so defaults and duration parsing are part of what is tested. */
function scenario(raw: Record<string, unknown>): Scenario {
  const { definition } = parseTestDefinition({
    baseUrl: 'http://127.0.0.1:8080',
    scenarios: { s: { requests: [{ path: '/' }], ...raw } },
  });
  const s = definition.scenarios.s;
  if (!s) throw new Error('test setup: scenario missing');
  return s;
}
const workers = (n: number): ExecutionSegment[] => Array.from({ length: n }, (_, k) => nthOfSegments(k, n));
function open(s: Schedule): OpenSchedule {
  if (s.model !== 'open') throw new Error('expected an open schedule');
  return s;
}
function closed(s: Schedule): ClosedSchedule {
  if (s.model !== 'closed') throw new Error('expected a closed schedule');
  return s;
}
function arrivals(s: Schedule): number[] {
  const out: number[] = [];
  const it = open(s).arrivals();
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}
const ascending = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x >= (xs[i - 1] as number));
const numeric = (a: number, b: number) => a - b;
const perSecond = (times: readonly number[], seconds: number) => {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of times) {
    const s = Math.floor(t / 1_000);
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
};

// Protects open-model exactness: every planned arrival is sent once, by exactly one worker, on time.
describe('constant-arrival-rate', () => {
  const config = scenario({
    executor: 'constant-arrival-rate',
    rate: 200,
    timeUnit: '1s',
    duration: '30s',
    preAllocatedVUs: 50,
    maxVUs: 500,
  });
  const single = arrivals(scheduleFor(config, FULL_SEGMENT));

  it('plans exactly 6000 arrivals at i * 5 ms', () => {
    expect(single).toHaveLength(6_000);
    expect(single).toEqual(Array.from({ length: 6_000 }, (_, i) => i * 5));
    expect(scheduleFor(config, FULL_SEGMENT).durationMs).toBe(30_000);
  });

  it.each([3, 7])('split over %i workers loses and duplicates nothing', (n) => {
    const lists = workers(n).map((seg) => arrivals(scheduleFor(config, seg)));
    for (const list of lists) expect(ascending(list)).toBe(true);
    expect(lists.flat().sort(numeric)).toEqual(single);
    const sizes = lists.map((l) => l.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('splits preAllocatedVUs and maxVUs exactly', () => {
    for (const n of [3, 7]) {
      const schedules = workers(n).map((seg) => open(scheduleFor(config, seg)));
      expect(schedules.reduce((s, x) => s + x.preAllocatedVus, 0)).toBe(50);
      expect(schedules.reduce((s, x) => s + x.maxVus, 0)).toBe(500);
    }
  });

  it('honours timeUnit: rate 3 per 1m is one arrival every 20 s', () => {
    const slow = scenario({
      executor: 'constant-arrival-rate',
      rate: 3,
      timeUnit: '1m',
      duration: '2m',
      preAllocatedVUs: 1,
    });
    expect(arrivals(scheduleFor(slow, FULL_SEGMENT))).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(open(scheduleFor(slow, FULL_SEGMENT)).maxVus).toBe(1);
  });
});

// Protects the ramping open model: arrival density follows the integral of the rate profile.
describe('ramping-arrival-rate', () => {
  const config = scenario({
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnit: '1s',
    preAllocatedVUs: 20,
    stages: [
      { duration: '10s', target: 100 },
      { duration: '10s', target: 100 },
      { duration: '10s', target: 0 },
    ],
  });
  const single = arrivals(scheduleFor(config, FULL_SEGMENT));
  /** Expected arrivals before t ms: the integral of the rate profile (per ms). */
  const integral = (t: number): number => {
    if (t <= 10_000) return (t * t) / 200_000;
    if (t <= 20_000) return 500 + (t - 10_000) / 10;
    const u = t - 20_000;
    return 1_500 + u / 10 - (u * u) / 200_000;
  };

  it('plans 2000 arrivals (500 + 1000 + 500), ascending, within the duration', () => {
    expect(Math.abs(single.length - 2_000)).toBeLessThanOrEqual(1);
    expect(ascending(single)).toBe(true);
    // k6: with startRate 0 nothing starts at t = 0; the first iteration waits for the integral to reach 1.
    expect(single[0]).toBeGreaterThan(0);
    expect(single.every((t) => t > 0 && t <= 30_000)).toBe(true);
  });

  it('matches the profile second by second', () => {
    const counts = perSecond(single, 30);
    for (let s = 0; s < 30; s++) {
      const expected = integral((s + 1) * 1_000) - integral(s * 1_000);
      expect(Math.abs((counts[s] as number) - expected), `second ${s}`).toBeLessThanOrEqual(1);
    }
    expect(counts[0]).toBeLessThanOrEqual(6);
    expect(Math.abs((counts[5] as number) - 55)).toBeLessThanOrEqual(1);
    for (let s = 10; s < 20; s++) expect(Math.abs((counts[s] as number) - 100)).toBeLessThanOrEqual(1);
    expect(counts[29]).toBeLessThanOrEqual(6);
  });

  it('places arrival k where the integral reaches k + 1 (k6)', () => {
    for (const k of [0, 1, 10, 250, 499, 500, 900, 1_500, 1_800, 1_990])
      expect(Math.abs(integral(single[k] as number) - (k + 1)), `arrival ${k}`).toBeLessThan(1e-6);
  });

  it('union over 4 workers equals the single-worker list', () => {
    const lists = workers(4).map((seg) => arrivals(scheduleFor(config, seg)));
    for (const list of lists) expect(ascending(list)).toBe(true);
    expect(lists.flat().sort(numeric)).toEqual(single);
  });

  it('a non-zero startRate adds its share: 50/s held then ramped to 150/s over 10 s', () => {
    const c = scenario({
      executor: 'ramping-arrival-rate',
      startRate: 50,
      preAllocatedVUs: 5,
      stages: [{ duration: '10s', target: 150 }],
    });
    const all = arrivals(scheduleFor(c, FULL_SEGMENT));
    expect(Math.abs(all.length - 1_000)).toBeLessThanOrEqual(1);
    const counts = perSecond(all, 10);
    expect(Math.abs((counts[0] as number) - 55)).toBeLessThanOrEqual(1);
    expect(Math.abs((counts[9] as number) - 145)).toBeLessThanOrEqual(1);
  });
});

// Protects the closed ramp: active VUs follow floor(profile) and workers add up to it at every instant.
describe('ramping-vus', () => {
  const config = scenario({
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { duration: '10s', target: 20 },
      { duration: '5s', target: 20 },
      { duration: '10s', target: 5 },
    ],
  });
  const full = closed(scheduleFor(config, FULL_SEGMENT));
  const profile = (t: number): number => {
    if (t < 10_000) return (20 * t) / 10_000;
    if (t < 15_000) return 20;
    if (t < 25_000) return 20 - (15 * (t - 15_000)) / 10_000;
    return 5;
  };

  it('activeVus(t) is the floor of the linear profile and 0 after the stages', () => {
    for (let t = 0; t < 25_000; t += 137)
      expect(full.activeVus(t), `t=${t}`).toBe(Math.floor(profile(t) + 1e-9));
    expect(full.activeVus(0)).toBe(0);
    expect(full.activeVus(500)).toBe(1);
    expect(full.activeVus(499)).toBe(0);
    expect(full.activeVus(12_000)).toBe(20);
    expect(full.activeVus(25_000)).toBe(0);
    expect(full.durationMs).toBe(25_000);
    expect(full.maxVus).toBe(20);
    expect(full.gracefulRampDownMs).toBe(30_000);
  });

  it.each([2, 3, 5, 7])('the sum over %i workers equals the full count at every t', (n) => {
    const parts = workers(n).map((seg) => closed(scheduleFor(config, seg)));
    for (let t = 0; t <= 26_000; t += 50) {
      const sum = parts.reduce((s, p) => s + p.activeVus(t), 0);
      if (sum !== full.activeVus(t)) expect({ t, sum }).toEqual({ t, sum: full.activeVus(t) });
    }
    expect(parts.reduce((s, p) => s + p.maxVus, 0)).toBe(20);
  });

  it('peak counts startVUs when it exceeds every target', () => {
    const down = scenario({ executor: 'ramping-vus', startVUs: 9, stages: [{ duration: '4s', target: 1 }] });
    expect(closed(scheduleFor(down, FULL_SEGMENT)).maxVus).toBe(9);
    expect(workers(4).reduce((s, seg) => s + closed(scheduleFor(down, seg)).maxVus, 0)).toBe(9);
    expect(closed(scheduleFor(down, FULL_SEGMENT)).activeVus(2_000)).toBe(5);
  });
});

// Protects the fixed-size closed executors: VUs and iteration budgets are split exactly.
describe('constant-vus, per-vu-iterations, shared-iterations', () => {
  it.each([1, 3, 7, 10])('constant-vus: 10 VUs over %i workers sum to 10, all stop at duration', (n) => {
    const config = scenario({ executor: 'constant-vus', vus: 10, duration: '30s' });
    const parts = workers(n).map((seg) => closed(scheduleFor(config, seg)));
    expect(parts.reduce((s, p) => s + p.maxVus, 0)).toBe(10);
    expect(parts.reduce((s, p) => s + p.activeVus(29_999), 0)).toBe(10);
    expect(parts.reduce((s, p) => s + p.activeVus(30_000), 0)).toBe(0);
    for (const p of parts) expect(p.iterations).toBeUndefined();
  });

  it.each([1, 4, 6])('per-vu-iterations: 25 VUs × 3 iterations over %i workers', (n) => {
    const config = scenario({ executor: 'per-vu-iterations', vus: 25, iterations: 3, maxDuration: '1m' });
    const parts = workers(n).map((seg) => closed(scheduleFor(config, seg)));
    expect(parts.reduce((s, p) => s + p.maxVus, 0)).toBe(25);
    const total = parts.reduce((s, p) => {
      const it = p.iterations;
      if (!it || !('perVu' in it)) throw new Error('expected per-VU iterations');
      return s + p.maxVus * it.perVu;
    }, 0);
    expect(total).toBe(75);
    expect(parts[0]?.durationMs).toBe(60_000);
  });

  it.each([
    [8, 100, 3],
    [12, 1_000, 5],
    [2, 5, 7],
    [1, 3, 4],
    [10, 4, 3],
  ])('shared-iterations: %i VUs, %i iterations over %i workers', (vus, iterations, n) => {
    const config = scenario({ executor: 'shared-iterations', vus, iterations });
    const parts = workers(n).map((seg) => closed(scheduleFor(config, seg)));
    const shares = parts.map((p) => {
      const it = p.iterations;
      if (!it || !('shared' in it)) throw new Error('expected shared iterations');
      return it.shared;
    });
    expect(shares.reduce((a, b) => a + b, 0)).toBe(iterations);
    parts.forEach((p, i) => {
      const mine = shares[i] as number;
      // A worker with iterations but no VU would never run them; one with VUs but no work wastes them.
      if (mine > 0) expect(p.maxVus).toBeGreaterThanOrEqual(1);
      else expect(p.maxVus).toBe(0);
      expect(p.maxVus).toBeLessThanOrEqual(mine);
    });
    if (vus >= n && vus <= iterations) expect(parts.reduce((s, p) => s + p.maxVus, 0)).toBe(vus);
    expect(parts[0]?.durationMs).toBe(600_000);
  });
});

// Protects progress/planning: the planned length includes the scenario's start offset.
describe('plannedDurationMs', () => {
  it('adds startTime to the executor duration', () => {
    expect(plannedDurationMs(scenario({ executor: 'constant-vus', duration: '30s', startTime: '5s' }))).toBe(
      35_000,
    );
    expect(plannedDurationMs(scenario({ executor: 'constant-vus', duration: '30s' }))).toBe(30_000);
    expect(
      plannedDurationMs(
        scenario({
          executor: 'ramping-vus',
          startTime: '1m',
          stages: [
            { duration: '10s', target: 5 },
            { duration: '20s', target: 0 },
          ],
        }),
      ),
    ).toBe(90_000);
    expect(plannedDurationMs(scenario({ executor: 'per-vu-iterations', startTime: 250 }))).toBe(600_250);
  });
});
