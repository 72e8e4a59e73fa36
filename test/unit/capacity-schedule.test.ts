import { describe, expect, it } from 'vitest';
import { stepSchedule } from '../../lambdas/core/capacity/schedule';
import { presetDefinition } from '../../lambdas/core/load/presets';
import { parseTestDefinition } from '../../lambdas/core/load/validate';

// Where a stepped test holds its load: the plateaus capacity is measured on.

const scheduleOf = (definition: unknown) => stepSchedule(parseTestDefinition(definition).definition);

describe('step schedule', () => {
  it('the step preset holds five rising arrival rates, each after its short ramp', () => {
    const s = scheduleOf(
      presetDefinition('step', { target: 'http://127.0.0.1:8080/', rate: 20, durationMs: 300_000 }),
    );
    expect(s.kind).toBe('arrival-rate');
    if (s.kind === 'none') return;
    expect(s.holds.map((h) => h.level)).toEqual([20, 40, 60, 80, 100]);
    // 60 s plateaus: a 10 s ramp, then 50 s held (the first starts at its rate: held throughout).
    expect(s.holds.map((h) => [h.fromMs, h.toMs])).toEqual([
      [0, 60_000],
      [70_000, 120_000],
      [130_000, 180_000],
      [190_000, 240_000],
      [250_000, 300_000],
    ]);
  });

  it('reads ramping VUs with the scenario start time, joins held stages, drops holds under 5 s', () => {
    const s = scheduleOf({
      baseUrl: 'http://127.0.0.1:8080',
      scenarios: {
        s: {
          executor: 'ramping-vus',
          startVUs: 2,
          startTime: '10s',
          stages: [
            { duration: '10s', target: 2 },
            { duration: '5s', target: 2 },
            { duration: '1s', target: 8 },
            { duration: '4s', target: 8 },
            { duration: '1s', target: 16 },
            { duration: '30s', target: 16 },
          ],
          requests: [{ path: '/' }],
        },
      },
    });
    expect(s).toEqual({
      kind: 'vus',
      holds: [
        { fromMs: 10_000, toMs: 25_000, level: 2 },
        { fromMs: 31_000, toMs: 61_000, level: 16 },
      ],
    });
  });

  it('says why a test holding one level or running several scenarios has no plateaus', () => {
    const flat = scheduleOf({
      baseUrl: 'http://127.0.0.1:8080',
      scenarios: { s: { executor: 'constant-vus', vus: 5, duration: '1m', requests: [{ path: '/' }] } },
    });
    expect(flat).toMatchObject({
      kind: 'none',
      reason: expect.stringContaining('constant-vus scenario holds one load level'),
    });
    const two = scheduleOf({
      baseUrl: 'http://127.0.0.1:8080',
      scenarios: {
        a: { executor: 'constant-vus', vus: 1, duration: '1m', requests: [{ path: '/' }] },
        b: { executor: 'constant-vus', vus: 1, duration: '1m', requests: [{ path: '/' }] },
      },
    });
    expect(two).toMatchObject({ kind: 'none', reason: expect.stringContaining('this test has 2') });
  });
});
