import { describe, expect, it } from 'vitest';
import {
  evaluateThresholds,
  parseThresholds,
  thresholdsAtRisk,
  thresholdsToAbort,
  thresholdValue,
} from '../../lambdas/core/load/thresholds';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { aggregate, type MergedRun } from '../../lambdas/core/stats/aggregate';
import { createHistogram } from '../../lambdas/core/stats/histogram';
import type { ThresholdSpec } from '../../lambdas/model/definition';
import { InvalidDefinitionError } from '../../lambdas/model/definition';
import type { ParsedThreshold } from '../../lambdas/model/thresholds';
import type { SeriesWindow, WindowSnapshot } from '../../lambdas/model/window';

const spec = (threshold: string, over: Partial<ThresholdSpec> = {}): ThresholdSpec => ({
  threshold,
  abortOnFail: false,
  delayAbortEval: 0,
  ...over,
});
function one(metricKey: string, threshold: string, over: Partial<ThresholdSpec> = {}): ParsedThreshold {
  const { thresholds, problems } = parseThresholds({ [metricKey]: [spec(threshold, over)] });
  expect(problems).toEqual([]);
  const t = thresholds[0];
  if (!t) throw new Error('test setup: no threshold parsed');
  return t;
}
function series(
  scenario: string,
  name: string,
  method: string,
  latenciesUs: readonly number[],
  over: Partial<SeriesWindow> = {},
): SeriesWindow {
  const h = createHistogram();
  for (const v of latenciesUs) h.record(v);
  return {
    scenario,
    name,
    method,
    requests: latenciesUs.length,
    failed: 0,
    errors: {},
    checks: {},
    bytesIn: 0,
    bytesOut: 0,
    latency: h.count > 0 ? h.encode() : '',
    ...over,
  };
}
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/**
 * Two workers, two windows, 10 s elapsed. login (POST, scenario "x"): 100 requests 1..100 ms, 3 failed.
 * home (GET, scenario "y"): 900 requests at 10 ms, 7 failed. 1000 requests total, 10 failed.
 */
function fixture(): MergedRun {
  const snapshots: WindowSnapshot[] = [
    {
      index: 0,
      worker: 0,
      series: [
        series(
          'x',
          'login',
          'POST',
          range(50, (i) => (i + 1) * 1_000),
          { failed: 3, checks: { ok: [40, 10] } },
        ),
        series(
          'y',
          'home',
          'GET',
          range(450, () => 10_000),
          { failed: 2 },
        ),
      ],
      scenarios: [{ scenario: 'x', iterations: 50, interrupted: 0, dropped: 4, vus: 5 }],
    },
    {
      index: 1,
      worker: 1,
      series: [
        series(
          'x',
          'login',
          'POST',
          range(50, (i) => (i + 51) * 1_000),
          { checks: { ok: [50, 0] } },
        ),
        series(
          'y',
          'home',
          'GET',
          range(450, () => 10_000),
          { failed: 5 },
        ),
      ],
      scenarios: [
        { scenario: 'x', iterations: 50, interrupted: 1, dropped: 1, vus: 5 },
        { scenario: 'y', iterations: 900, interrupted: 0, dropped: 0, vus: 9 },
      ],
    },
  ];
  return aggregate(snapshots);
}
const ELAPSED = 10_000;
const within = (actual: number, expected: number, rel = 0.001) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel + 1e-12);

// Protects the k6 expression grammar: metric, aggregation, percentile, operator, limit and tag filters.
describe('parseThresholds', () => {
  it.each([
    ['http_req_duration', 'p(95)<200', { aggregation: 'p', percentile: 95, op: '<', limit: 200 }],
    ['http_req_duration', 'p(99.9)<=5', { aggregation: 'p', percentile: 99.9, op: '<=', limit: 5 }],
    ['http_req_duration', 'avg<100', { aggregation: 'avg', op: '<', limit: 100 }],
    ['http_req_duration', 'med<50', { aggregation: 'med', op: '<', limit: 50 }],
    ['http_req_duration', 'min>0', { aggregation: 'min', op: '>', limit: 0 }],
    [
      'http_req_duration',
      ' max < 1000 ',
      { aggregation: 'max', op: '<', limit: 1_000, expression: 'max < 1000' },
    ],
    ['http_req_failed', 'rate<0.01', { aggregation: 'rate', op: '<', limit: 0.01 }],
    ['http_reqs', 'count>10', { aggregation: 'count', op: '>', limit: 10 }],
    ['http_reqs', 'rate>5', { aggregation: 'rate', op: '>', limit: 5 }],
    ['checks', 'rate>=0.99', { aggregation: 'rate', op: '>=', limit: 0.99 }],
    ['dropped_iterations', 'count==0', { aggregation: 'count', op: '==', limit: 0 }],
    ['iterations', 'count!=-1', { aggregation: 'count', op: '!=', limit: -1 }],
  ])('%s: %j', (metric, expression, expected) => {
    const t = one(metric, expression);
    expect(t).toMatchObject({ metric, metricKey: metric, tags: {}, ...expected });
    if (expected.aggregation !== 'p') expect(t.percentile).toBeUndefined();
  });

  it('parses tag filters', () => {
    expect(one('http_req_duration{name:login}', 'p(95)<1').tags).toEqual({ name: 'login' });
    const t = one('http_req_duration{scenario:x,method:post}', 'p(95)<1');
    expect(t).toMatchObject({ metric: 'http_req_duration', tags: { scenario: 'x', method: 'post' } });
    expect(one('http_reqs{name: a:b }', 'count>0').tags).toEqual({ name: 'a:b' });
  });

  it('keeps abortOnFail and delayAbortEval', () => {
    expect(one('http_req_failed', 'rate<0.1', { abortOnFail: true, delayAbortEval: 5_000 })).toMatchObject({
      abortOnFail: true,
      delayAbortEvalMs: 5_000,
    });
  });

  it('reports every invalid metric, tag, expression and percentile with its path', () => {
    const { thresholds, problems } = parseThresholds({
      http_req_duration: [spec('p(95)<200'), spec('p95<200'), spec('p(101)<1'), spec('rate<0.1')],
      latency: [spec('p(95)<1')],
      'http_req_duration{host:a}': [spec('avg<1')],
      'http_reqs{name}': [spec('count>1')],
      http_req_failed: [spec('rate<'), spec('avg<1')],
      checks: [spec('rate<0.1 ms')],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'thresholds.http_req_duration[1]',
      'thresholds.http_req_duration[2]',
      'thresholds.http_req_duration[3]',
      'thresholds.latency',
      'thresholds.http_req_duration{host:a}',
      'thresholds.http_reqs{name}',
      'thresholds.http_req_failed[0]',
      'thresholds.http_req_failed[1]',
      'thresholds.checks[0]',
    ]);
    expect(problems[1]?.message).toContain('percentile 101');
    expect(problems[3]?.message).toContain('unknown metric');
    expect(problems[6]?.message).toContain('not a threshold for http_req_failed');
    expect(thresholds.map((t) => t.expression)).toEqual(['p(95)<200', 'avg<1', 'count>1']);
  });
});

// Protects the end-to-end path: bad thresholds in a definition are all listed, with paths, in one error.
describe('threshold validation through parseTestDefinition', () => {
  const base = {
    baseUrl: 'http://127.0.0.1:8080',
    scenarios: { s: { executor: 'constant-vus', duration: '1s', requests: [{ path: '/' }] } },
  };
  const problemsOf = (definition: unknown) => {
    try {
      parseTestDefinition(definition);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidDefinitionError);
      return (e as InvalidDefinitionError).problems;
    }
    throw new Error('expected the definition to be rejected');
  };

  it('accepts strings and objects, applying abortOnFail/delayAbortEval defaults', () => {
    const { thresholds } = parseTestDefinition({
      ...base,
      thresholds: {
        http_req_duration: [
          'p(95)<200',
          { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' },
        ],
        'http_req_failed{scenario:s}': [{ threshold: 'rate<0.01' }],
      },
    });
    expect(thresholds.map((t) => [t.expression, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['p(95)<200', false, 0],
      ['p(99)<500', true, 10_000],
      ['rate<0.01', false, 0],
    ]);
  });

  it('lists bad metrics, tags and expressions together', () => {
    const problems = problemsOf({
      ...base,
      thresholds: { nope: ['p(95)<1'], 'http_req_duration{region:eu}': ['p(95)<1'], http_reqs: ['p(95)<1'] },
    });
    expect(problems.map((p) => p.path)).toEqual([
      'thresholds.nope',
      'thresholds.http_req_duration{region:eu}',
      'thresholds.http_reqs[0]',
    ]);
  });

  it('still lists threshold problems when the rest of the definition is invalid too', () => {
    const problems = problemsOf({ ...base, timeout: '10x', thresholds: { http_req_failed: ['p(95)<1'] } });
    expect(problems.map((p) => p.path)).toEqual(['timeout', 'thresholds.http_req_failed[0]']);
  });
});

// Protects evaluation units and filters: ms for durations, 0–1 for rates, per second for http_reqs rate.
describe('evaluateThresholds on an aggregated run', () => {
  const run = fixture();
  const value = (metricKey: string, expression: string) =>
    thresholdValue(one(metricKey, expression), run, ELAPSED);

  it('computes latency aggregations in milliseconds over every worker', () => {
    // 1000 samples: 900 at 10 ms, 100 at 1..100 ms. Sorted, rank 500 is 10 ms; rank 950 is 50 ms.
    within(value('http_req_duration', 'med<1'), 10);
    within(value('http_req_duration', 'p(95)<1'), 50);
    within(value('http_req_duration', 'p(99)<1'), 90);
    within(value('http_req_duration', 'min>0'), 1);
    within(value('http_req_duration', 'max<1'), 100);
    within(value('http_req_duration', 'avg<1'), (900 * 10 + 5_050) / 1_000);
  });

  it('filters by name, scenario and method tags', () => {
    within(value('http_req_duration{name:login}', 'p(50)<1'), 50);
    within(value('http_req_duration{scenario:x,method:post}', 'max<1'), 100);
    within(value('http_req_duration{name:home}', 'max<1'), 10);
    expect(value('http_reqs{scenario:y}', 'count>0')).toBe(900);
    expect(value('http_reqs{name:login,method:GET}', 'count>0')).toBe(0);
    expect(value('http_req_duration{name:missing}', 'p(95)<1')).toBe(0);
  });

  it('computes rates as fractions and http_reqs/iterations rate per second', () => {
    expect(value('http_req_failed', 'rate<0.01')).toBeCloseTo(0.01, 12);
    expect(value('http_req_failed{name:login}', 'rate<0.01')).toBeCloseTo(0.03, 12);
    expect(value('checks', 'rate>0.9')).toBeCloseTo(0.9, 12);
    expect(value('http_reqs', 'rate>5')).toBe(100);
    expect(value('http_reqs', 'count>10')).toBe(1_000);
    expect(value('iterations', 'count>0')).toBe(1_000);
    expect(value('iterations{scenario:x}', 'rate>0')).toBe(10);
    expect(value('dropped_iterations', 'count<1')).toBe(5);
    expect(value('http_req_failed{name:missing}', 'rate<0.01')).toBe(0);
  });

  it('compares with each operator, boundary values included', () => {
    const results = evaluateThresholds(
      parseThresholds({
        http_reqs: [
          spec('count>10'),
          spec('count<1000'),
          spec('count<=1000'),
          spec('count==1000'),
          spec('count!=1000'),
        ],
        http_req_failed: [spec('rate<0.01'), spec('rate<=0.01'), spec('rate>=0.01')],
        'http_req_duration{name:home}': [spec('p(95)<200'), spec('max<10')],
      }).thresholds,
      run,
      ELAPSED,
    );
    expect(results.map((r) => [r.metric, r.expression, r.ok])).toEqual([
      ['http_reqs', 'count>10', true],
      ['http_reqs', 'count<1000', false],
      ['http_reqs', 'count<=1000', true],
      ['http_reqs', 'count==1000', true],
      ['http_reqs', 'count!=1000', false],
      ['http_req_failed', 'rate<0.01', false],
      ['http_req_failed', 'rate<=0.01', true],
      ['http_req_failed', 'rate>=0.01', true],
      ['http_req_duration{name:home}', 'p(95)<200', true],
      ['http_req_duration{name:home}', 'max<10', false],
    ]);
  });
});

// Protects abortOnFail: only failing abort thresholds whose delay has elapsed stop the test.
describe('thresholdsToAbort', () => {
  const run = fixture();
  const { thresholds } = parseThresholds({
    http_req_failed: [spec('rate<0.001', { abortOnFail: true, delayAbortEval: 5_000 })],
    http_reqs: [spec('count<10', { abortOnFail: false }), spec('count>1', { abortOnFail: true })],
    'http_req_duration{name:login}': [spec('p(99)<20', { abortOnFail: true })],
  });

  it('ignores failing thresholds without abortOnFail and passing ones with it', () => {
    const aborting = thresholdsToAbort(thresholds, run, ELAPSED, ELAPSED);
    expect(aborting.map((r) => r.expression)).toEqual(['rate<0.001', 'p(99)<20']);
    expect(aborting.every((r) => !r.ok && r.abortOnFail)).toBe(true);
  });

  it('waits for delayAbortEval before a threshold may abort', () => {
    expect(thresholdsToAbort(thresholds, run, 4_999, ELAPSED).map((r) => r.expression)).toEqual(['p(99)<20']);
    expect(thresholdsToAbort(thresholds, run, 5_000, ELAPSED).map((r) => r.expression)).toEqual([
      'rate<0.001',
      'p(99)<20',
    ]);
  });
});

// Protects healthy runs from an abort on the first tick: metrics with no samples are not judged yet.
describe('thresholds judged while running', () => {
  const { thresholds } = parseThresholds({
    checks: [spec('rate>0.99', { abortOnFail: true })],
    'http_req_duration{name:nobody}': [spec('p(95)<1', { abortOnFail: true })],
  });
  it('does not abort on metrics that have no samples yet', () => {
    expect(thresholdsToAbort(thresholds, aggregate([]), 10_000, 0)).toEqual([]);
    expect(thresholdsAtRisk(thresholds, aggregate([]), 0)).toEqual([]);
  });
});
