import { describe, expect, it } from 'vitest';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { PlatformError } from '../../lambdas/core/tests/errors';
import { assertWithinQuotas, peakLoad, type Quotas } from '../../lambdas/core/tests/quotas';
import type { TestDefinition } from '../../lambdas/model/definition';

const requests = [{ url: 'http://127.0.0.1:8080/' }];

/**
 * A definition of the given scenarios (executor options only: every one sends one request). The
 * graceful periods are 0 unless a test sets them, so durations below are the plans alone.
 */
function definition(scenarios: Record<string, Record<string, unknown>>): TestDefinition {
  const noGrace = (s: Record<string, unknown>) => ({
    gracefulStop: '0s',
    ...(s.executor === 'ramping-vus' ? { gracefulRampDown: '0s' } : {}),
    ...s,
  });
  return parseTestDefinition({
    scenarios: Object.fromEntries(
      Object.entries(scenarios).map(([name, s]) => [name, { ...noGrace(s), requests }]),
    ),
  }).definition;
}
const one = (scenario: Record<string, unknown>) => definition({ s: scenario });

const QUOTAS: Quotas = { maxVus: 100, maxRps: 50, maxDurationMs: 600_000, maxConcurrentTests: 1 };

function quotaError(quotas: Quotas, def: TestDefinition): PlatformError {
  try {
    assertWithinQuotas(quotas, def);
  } catch (err) {
    if (err instanceof PlatformError) return err;
    throw err;
  }
  throw new Error('expected E_QUOTA_EXCEEDED');
}

describe('peakLoad per executor', () => {
  it('constant-vus: its VUs, no planned rate', () => {
    expect(peakLoad(one({ executor: 'constant-vus', vus: 7, duration: '30s' }))).toEqual({
      vus: 7,
      rps: 0,
      durationMs: 30_000,
    });
  });

  it('ramping-vus: the larger of startVUs and the highest stage target', () => {
    const stages = [
      { duration: '10s', target: 5 },
      { duration: '20s', target: 25 },
      { duration: '5s', target: 0 },
    ];
    expect(peakLoad(one({ executor: 'ramping-vus', startVUs: 0, stages }))).toEqual({
      vus: 25,
      rps: 0,
      durationMs: 35_000,
    });
    expect(peakLoad(one({ executor: 'ramping-vus', startVUs: 40, stages })).vus).toBe(40);
  });

  it('constant-arrival-rate: rate per timeUnit as per second; maxVUs, else preAllocatedVUs', () => {
    const perMinute = {
      executor: 'constant-arrival-rate',
      rate: 120,
      timeUnit: '1m',
      duration: '2m',
      preAllocatedVUs: 5,
    };
    expect(peakLoad(one({ ...perMinute, maxVUs: 40 }))).toEqual({ vus: 40, rps: 2, durationMs: 120_000 });
    expect(peakLoad(one(perMinute))).toEqual({ vus: 5, rps: 2, durationMs: 120_000 });
    expect(
      peakLoad(one({ executor: 'constant-arrival-rate', rate: 30, duration: '10s', preAllocatedVUs: 1 })).rps,
    ).toBe(30);
    expect(
      peakLoad(
        one({
          executor: 'constant-arrival-rate',
          rate: 10,
          timeUnit: '500ms',
          duration: '10s',
          preAllocatedVUs: 1,
        }),
      ).rps,
    ).toBe(20);
  });

  it('ramping-arrival-rate: the highest of startRate and the stage targets', () => {
    const base = {
      executor: 'ramping-arrival-rate',
      preAllocatedVUs: 20,
      stages: [
        { duration: '10s', target: 200 },
        { duration: '10s', target: 10 },
      ],
    };
    expect(peakLoad(one({ ...base, startRate: 50 }))).toEqual({ vus: 20, rps: 200, durationMs: 20_000 });
    expect(peakLoad(one({ ...base, startRate: 300, maxVUs: 80 }))).toEqual({
      vus: 80,
      rps: 300,
      durationMs: 20_000,
    });
    expect(peakLoad(one({ ...base, timeUnit: '1m' })).rps).toBeCloseTo(200 / 60, 12);
  });

  it('per-vu-iterations: its VUs over maxDuration (10 minutes by default)', () => {
    expect(
      peakLoad(one({ executor: 'per-vu-iterations', vus: 4, iterations: 10, maxDuration: '90s' })),
    ).toEqual({
      vus: 4,
      rps: 0,
      durationMs: 90_000,
    });
    expect(peakLoad(one({ executor: 'per-vu-iterations', vus: 4, iterations: 10 })).durationMs).toBe(600_000);
  });

  it('shared-iterations: its VUs, never more than there are iterations', () => {
    expect(
      peakLoad(one({ executor: 'shared-iterations', vus: 8, iterations: 100, maxDuration: '45s' })),
    ).toEqual({ vus: 8, rps: 0, durationMs: 45_000 });
    expect(peakLoad(one({ executor: 'shared-iterations', vus: 50, iterations: 5 })).vus).toBe(5);
  });
});

describe('peakLoad across scenarios', () => {
  it('sums VUs and rates as if every scenario overlapped', () => {
    const def = definition({
      closed: { executor: 'constant-vus', vus: 10, duration: '1m' },
      open: {
        executor: 'ramping-arrival-rate',
        preAllocatedVUs: 10,
        maxVUs: 30,
        stages: [{ duration: '30s', target: 100 }],
      },
      slow: {
        executor: 'constant-arrival-rate',
        rate: 120,
        timeUnit: '1m',
        duration: '1m',
        preAllocatedVUs: 5,
      },
    });
    expect(peakLoad(def)).toEqual({ vus: 45, rps: 102, durationMs: 60_000 });
  });

  it('takes the longest scenario, its startTime included (not the sum)', () => {
    const def = definition({
      first: { executor: 'constant-vus', duration: '60s' },
      later: { executor: 'constant-vus', duration: '30s', startTime: '50s' },
      short: { executor: 'constant-vus', duration: '5s', startTime: '1s' },
    });
    expect(peakLoad(def).durationMs).toBe(80_000);
  });

  it('counts the graceful stop (and a ramping-vus graceful ramp-down): iterations may run that long', () => {
    expect(peakLoad(one({ executor: 'constant-vus', duration: '10m', gracefulStop: '5m' })).durationMs).toBe(
      900_000,
    );
    expect(
      peakLoad(
        one({
          executor: 'ramping-vus',
          stages: [{ duration: '1m', target: 5 }],
          gracefulStop: '10s',
          gracefulRampDown: '20s',
        }),
      ).durationMs,
    ).toBe(90_000);
    // The defaults (30 s each) apply when a definition leaves them out.
    const defaults = parseTestDefinition({
      scenarios: { s: { executor: 'constant-vus', duration: '1m', requests } },
    });
    expect(peakLoad(defaults.definition).durationMs).toBe(90_000);
  });

  it('counts startTime even for a single scenario', () => {
    expect(peakLoad(one({ executor: 'constant-vus', duration: '10s', startTime: '2m' })).durationMs).toBe(
      130_000,
    );
  });
});

describe('assertWithinQuotas', () => {
  it('returns the peak when the test fits, limits included', () => {
    const def = definition({
      a: { executor: 'constant-vus', vus: 60, duration: '10m' },
      b: { executor: 'constant-arrival-rate', rate: 50, duration: '1m', preAllocatedVUs: 40 },
    });
    expect(assertWithinQuotas(QUOTAS, def)).toEqual({ vus: 100, rps: 50, durationMs: 600_000 });
  });

  it('names a single exceeded quota', () => {
    const err = quotaError(QUOTAS, one({ executor: 'constant-vus', vus: 101, duration: '1m' }));
    expect(err.code).toBe('E_QUOTA_EXCEEDED');
    expect(err.details).toEqual({
      problems: [
        {
          quota: 'maxVus',
          limit: 100,
          requested: 101,
          message: 'the test needs up to 101 VUs; this deployment allows 100',
        },
      ],
    });
    expect(err.message).toBe('the test needs up to 101 VUs; this deployment allows 100');
  });

  it('lists every exceeded quota at once', () => {
    const def = definition({
      many: { executor: 'constant-vus', vus: 90, duration: '5m' },
      fast: {
        executor: 'constant-arrival-rate',
        rate: 200,
        timeUnit: '3s',
        duration: '10m',
        startTime: '1m',
        preAllocatedVUs: 20,
      },
    });
    const err = quotaError(QUOTAS, def);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.code).toBe('E_QUOTA_EXCEEDED');
    const { problems } = err.details as {
      problems: { quota: string; limit: number; requested: number; message: string }[];
    };
    expect(problems.map(({ quota, limit, requested }) => ({ quota, limit, requested }))).toEqual([
      { quota: 'maxVus', limit: 100, requested: 110 },
      { quota: 'maxRps', limit: 50, requested: 66.667 },
      { quota: 'maxDurationMs', limit: 600_000, requested: 660_000 },
    ]);
    expect(err.message).toContain('the test needs up to 110 VUs; this deployment allows 100');
    expect(err.message).toContain('iterations/s; this deployment allows 50');
    expect(err.message).toContain(
      'the test can run for up to 660 s (graceful stop included); this deployment allows 600 s',
    );
    expect(err.message).toBe(problems.map((p) => p.message).join('; '));
  });

  it('does not limit the open-model rate of closed-model scenarios', () => {
    const def = one({ executor: 'per-vu-iterations', vus: 100, iterations: 1_000_000, maxDuration: '10m' });
    expect(assertWithinQuotas({ ...QUOTAS, maxRps: 0 }, def)).toEqual({
      vus: 100,
      rps: 0,
      durationMs: 600_000,
    });
  });
});
