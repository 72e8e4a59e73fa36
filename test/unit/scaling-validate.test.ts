import { describe, expect, it } from 'vitest';
import { configProblems, scalingConfigBodySchema, toChange } from '../../lambdas/core/scaling/validate';
import type { ScalableTargetRef } from '../../lambdas/model/scaling';

const shards: ScalableTargetRef = {
  id: 'cache-main-shards',
  kind: 'elasticache-shards',
  serviceNamespace: 'elasticache',
  resourceId: 'replication-group/main',
  scalableDimension: 'elasticache:replication-group:NodeGroups',
  limits: { min: 1, max: 500 },
};
const pc: ScalableTargetRef = {
  id: 'api-get-test',
  kind: 'lambda-provisioned-concurrency',
  serviceNamespace: 'lambda',
  resourceId: 'function:throughline-GetTest:live',
  scalableDimension: 'lambda:function:ProvisionedConcurrency',
  limits: { min: 0, max: 1000 },
};
const now = { min: 2, max: 10 };
const body = (b: Record<string, unknown>) => toChange(scalingConfigBodySchema.parse({ target: 'x', ...b }));

describe('configProblems', () => {
  it('accepts a change within the limits and the ranges AWS allows', () => {
    expect(
      configProblems(shards, now, body({ min: 1, max: 20, targetValue: 60, scaleInCooldownSeconds: 600 })),
    ).toEqual([]);
    expect(configProblems(pc, now, body({ targetValue: 0.7 }))).toEqual([]);
  });

  it('holds ElastiCache targets to 35–70 % and provisioned concurrency to 0.1–0.9', () => {
    expect(configProblems(shards, now, body({ targetValue: 80 }))).toEqual([
      'targetValue: 80 is outside 35–70, the range AWS accepts for elasticache-shards',
    ]);
    expect(configProblems(pc, now, body({ targetValue: 70 }))).toHaveLength(1);
  });

  it('checks min against the present max when only min is given, and every schedule', () => {
    expect(configProblems(shards, now, body({ min: 12 }))).toEqual(['min (12) is greater than max (10)']);
    const problems = configProblems(
      shards,
      now,
      body({
        schedules: [
          { name: 'night', schedule: 'cron(0 22 * * ? *)', min: 5, max: 2 },
          { name: 'night', schedule: 'rate(1 day)' },
          { name: 'huge', schedule: 'at(2026-12-24T18:00:00)', max: 501 },
        ],
      }),
    );
    expect(problems).toEqual([
      'schedules[0]: min (5) is greater than max (2)',
      'schedules[1].name: "night" is used twice',
      'schedules[1]: set min, max or both',
      "schedules[2].max: 501 is outside cache-main-shards's limits 1–500",
    ]);
  });

  it('refuses schedule expressions Application Auto Scaling does not take', () => {
    for (const schedule of ['cron(0 22 * * ?)', 'rate(0 minutes)', 'at(2026-12-24 18:00)', 'every day'])
      expect(
        scalingConfigBodySchema.safeParse({ target: 'x', schedules: [{ name: 'a', schedule, min: 1 }] })
          .success,
      ).toBe(false);
  });

  it('toChange drops the target, the reason and absent fields', () => {
    expect(
      body({ min: 1, reason: 'why', schedules: [{ name: 'a', schedule: 'rate(5 minutes)', max: 3 }] }),
    ).toEqual({
      min: 1,
      schedules: [{ name: 'a', schedule: 'rate(5 minutes)', max: 3 }],
    });
  });
});
