import { describe, expect, it } from 'vitest';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { type CapacityConfig, DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { planTest } from '../../lambdas/core/run/planner';

const requests = [{ url: 'https://api.example.com/' }];
const def = (scenario: Record<string, unknown>) =>
  parseTestDefinition({ scenarios: { s: { gracefulStop: '0s', ...scenario, requests } } }).definition;
const openRate = (rate: number, duration: string) =>
  def({
    executor: 'constant-arrival-rate',
    rate,
    duration,
    preAllocatedVUs: 10,
    maxVUs: Math.max(10, rate / 5),
  });
const NOW = 1_800_000_000_000;

describe('planTest', () => {
  it('runs a small short test on one Lambda, starting after the cold start', () => {
    const p = planTest(openRate(100, '1m'), DEFAULT_CAPACITY, NOW);
    expect(p).toMatchObject({
      runtime: 'lambda',
      workers: 1,
      sizedBy: 'minimum',
      map: { maxConcurrency: 1 },
    });
    expect(p.segments).toEqual(['0/1:1/1']);
    expect(p.startAtMs).toBe(NOW + DEFAULT_CAPACITY.lambda.coldStartMs + 2_000);
    expect(p.warnings).toEqual([]);
  });

  it('sizes by rate: 1M req/s for 10 min is 200 Lambda workers of 5,000 req/s, as many Map children at once', () => {
    const p = planTest(openRate(1_000_000, '10m'), DEFAULT_CAPACITY, NOW);
    expect(p).toMatchObject({
      runtime: 'lambda',
      workers: 200,
      perWorker: { rps: 5_000 },
      map: { maxConcurrency: 200 },
    });
    expect(p.segments).toHaveLength(200);
    expect(new Set(p.segments).size).toBe(200);
    expect(p.segments[0]).toBe('0/1:1/200');
  });

  it('moves runs longer than 13 minutes to Fargate and waits for its start-up', () => {
    const p = planTest(openRate(1_000_000, '15m'), DEFAULT_CAPACITY, NOW);
    expect(p).toMatchObject({ runtime: 'fargate', workers: 100, sizedBy: 'rps' });
    // 100 tasks at 20 launches/s = 5 s, plus 60 s of task start-up.
    expect(p.fanOutMs).toBe(65_000);
    expect(p.warnings).toContain('Fargate needs 200 vCPU of On-Demand quota in the region');
  });

  it('sizes by VUs and staggers Lambda scaling by 1,000 environments per 10 s', () => {
    const p = planTest(
      def({ executor: 'constant-vus', vus: 2_500_000, duration: '5m', thinkTime: '5s' }),
      DEFAULT_CAPACITY,
      NOW,
    );
    expect(p).toMatchObject({ runtime: 'lambda', workers: 2_500, sizedBy: 'vus' });
    expect(p.fanOutMs).toBe(2 * 10_000 + DEFAULT_CAPACITY.lambda.coldStartMs);
    expect(p.warnings.some((w) => w.includes('concurrency quota of 1000'))).toBe(true);
  });

  it('warns when a closed model has no think time to bound its rate, not when it has enough', () => {
    const fast = planTest(
      def({ executor: 'constant-vus', vus: 1_000, duration: '1m' }),
      DEFAULT_CAPACITY,
      NOW,
    );
    expect(fast.warnings.some((w) => w.startsWith('closed-model'))).toBe(true);
    const paced = planTest(
      def({ executor: 'constant-vus', vus: 1_000, duration: '1m', thinkTime: '1s' }),
      DEFAULT_CAPACITY,
      NOW,
    );
    expect(paced.warnings).toEqual([]);
  });

  it('prices a run from the capacity config, Spot cheaper than On-Demand', () => {
    const onDemand = planTest(openRate(1_000_000, '15m'), DEFAULT_CAPACITY, NOW);
    const spotCapacity: CapacityConfig = {
      ...DEFAULT_CAPACITY,
      fargate: { ...DEFAULT_CAPACITY.fargate, spot: true },
    };
    const spot = planTest(openRate(1_000_000, '15m'), spotCapacity, NOW);
    // 100 tasks × (900 + 65 + 2 + 60 s) × (2 vCPU × $0.03238 + 4 GB × $0.00356) per hour.
    expect(onDemand.cost.computeUsd).toBeCloseTo((100 * 1_027 * (2 * 0.03238 + 4 * 0.00356)) / 3_600, 2);
    expect(spot.cost.computeUsd).toBeCloseTo(onDemand.cost.computeUsd * 0.3, 1);
    expect(onDemand.cost.totalUsd).toBeCloseTo(
      onDemand.cost.computeUsd +
        onDemand.cost.requestsUsd +
        onDemand.cost.stepFunctionsUsd +
        onDemand.cost.storageRequestsUsd,
      1,
    );
    // 100 workers × 900 windows, each written and read once.
    expect(onDemand.cost.storageRequestsUsd).toBeCloseTo(100 * 900 * (0.000005 + 0.0000004), 2);
  });
});
