import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/core/report/html';
import type { TestResults, TimeseriesPoint } from '../../lambdas/model/results';

// Fixtures are written by hand (not produced by the engine) so the renderer is tested against
// exactly the shapes it must handle, including hostile and degenerate ones.

const point = (t: number, over: Partial<TimeseriesPoint> = {}): TimeseriesPoint => ({
  t,
  requests: 100 + t * 10,
  rps: 100 + t * 10,
  errors: t % 7 === 0 ? 2 : 0,
  vus: Math.min(50, 5 + t * 2),
  droppedIterations: t > 25 ? 3 : 0,
  latencyMs: { p50: 20 + t, p90: 40 + t, p95: 55 + t, p99: 90 + 2 * t, max: 150 + 3 * t },
  workers: 2,
  ...over,
});

function results(over: Partial<TestResults> = {}): TestResults {
  const latency = { min: 3, mean: 31.2, p50: 28, p90: 60, p95: 71.5, p99: 140, p999: 380, max: 912 };
  return {
    name: 'checkout smoke',
    status: 'failed',
    startedAt: '2024-05-01T12:00:00.000Z',
    endedAt: '2024-05-01T12:00:30.000Z',
    durationMs: 30_000,
    totals: {
      requests: 7_350,
      errors: 10,
      errorRate: 0.00136,
      rps: 245,
      droppedIterations: 12,
      iterations: 3_675,
      interruptedIterations: 1,
      checks: { passed: 3_670, failed: 5, rate: 0.99864 },
      bytesIn: 12_345_678,
      bytesOut: 456_789,
    },
    latencyMs: latency,
    errorsByKind: { timeout: 4, http_5xx: 6 },
    byRequest: [
      {
        scenario: 'browse',
        name: 'GET /products',
        method: 'GET',
        requests: 5_000,
        errors: 4,
        errorRate: 0.0008,
        rps: 166.67,
        latencyMs: latency,
        errorsByKind: { timeout: 4 },
        checks: [{ name: 'status is 200', passed: 4_996, failed: 4 }],
        bytesIn: 10_000_000,
        bytesOut: 300_000,
        histogram: '',
      },
      {
        scenario: 'buy',
        name: 'POST /orders',
        method: 'POST',
        requests: 2_350,
        errors: 6,
        errorRate: 0.00255,
        rps: 78.33,
        latencyMs: { ...latency, p99: 1_250, max: 2_400 },
        errorsByKind: { http_5xx: 6 },
        checks: [],
        bytesIn: 2_345_678,
        bytesOut: 156_789,
        histogram: '',
      },
    ],
    thresholds: [
      { metric: 'http_req_duration', expression: 'p(95)<200', ok: true, value: 71.5, abortOnFail: false },
      { metric: 'http_req_failed', expression: 'rate<0.001', ok: false, value: 0.00136, abortOnFail: true },
      { metric: 'checks', expression: 'rate>0.99', ok: true, value: 0.99864, abortOnFail: false },
    ],
    timeseries: Array.from({ length: 30 }, (_, t) => point(t)),
    workers: {
      planned: 2,
      completed: 1,
      failed: 1,
      failures: [{ worker: 1, segment: '1/2:1', error: 'Task timed out after 900.00 seconds' }],
      maxStartLagMs: 412,
      skippedIterations: 0,
    },
    histogram: '',
    ...over,
  };
}

const empty = (): TestResults =>
  results({
    status: 'error',
    durationMs: 0,
    totals: {
      requests: 0,
      errors: 0,
      errorRate: 0,
      rps: 0,
      droppedIterations: 0,
      iterations: 0,
      interruptedIterations: 0,
      checks: { passed: 0, failed: 0, rate: 0 },
      bytesIn: 0,
      bytesOut: 0,
    },
    latencyMs: { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 },
    errorsByKind: {},
    byRequest: [],
    thresholds: [],
    timeseries: [],
    workers: { planned: 0, completed: 0, failed: 0, failures: [], maxStartLagMs: 0, skippedIterations: 0 },
  });

/** The markup of one chart, located by its data-chart attribute. */
function chart(html: string, id: string): string {
  const match = new RegExp(`<svg[^>]*data-chart="${id}"[\\s\\S]*?</svg>`).exec(html);
  expect(match, `chart ${id}`).not.toBeNull();
  return match?.[0] ?? '';
}

/** series name → number of points in its polyline. */
function series(svg: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of svg.matchAll(/<polyline[^>]*data-series="([^"]+)"[^>]*points="([^"]*)"/g)) {
    out[m[1] ?? ''] = (m[2] ?? '').split(' ').filter(Boolean).length;
  }
  return out;
}

const expectClean = (html: string) => {
  expect(html).not.toMatch(/NaN|Infinity|undefined|null/);
  // Self-contained: nothing that could make the browser fetch (the SVG namespace is an identifier).
  expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(
    /<script|<link|<img|<iframe|url\(|src=|href=|https?:\/\//i,
  );
};

describe('renderHtml', () => {
  it('renders a complete, self-contained document for a normal run', () => {
    const html = renderHtml(results());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>checkout smoke · Throughline report</title>');
    expect(html).toContain("default-src 'none'");
    expectClean(html);
  });

  it('draws the three charts with one line per series and one point per window', () => {
    const html = renderHtml(results());
    expect(series(chart(html, 'rate'))).toEqual({ rps: 30, vus: 30 });
    expect(series(chart(html, 'latency'))).toEqual({ p50: 30, p90: 30, p95: 30, p99: 30 });
    expect(series(chart(html, 'errors'))).toEqual({ errors: 30, dropped: 30 });
    for (const id of ['rate', 'latency', 'errors']) {
      const svg = chart(html, id);
      expect(svg).toMatch(/class="tick"[^>]*>0s</); // x axis starts at the first window
      expect(svg).toMatch(/class="legend-item"/);
      expect(svg).not.toContain('No data');
    }
    // VUs have their own right-hand axis (max 50), independent of requests/s (max 390).
    expect(chart(html, 'rate')).toMatch(/class="tick tick-right"[^>]*>50</);
    expect(chart(html, 'rate')).toMatch(/class="tick"[^>]*>400</);
  });

  it('lists thresholds, the abort reason, workers and requests', () => {
    const html = renderHtml(
      results({
        status: 'aborted',
        abortedBy: [
          {
            metric: 'http_req_failed',
            expression: 'rate<0.001',
            ok: false,
            value: 0.00136,
            abortOnFail: true,
          },
        ],
      }),
    );
    expect(html.match(/<tr data-threshold/g)).toHaveLength(3);
    expect(html).toContain('data-ok="false"');
    expect(html).toContain('✗ fail');
    expect(html).toContain('✓ pass');
    expect(html).toContain('71.5 ms');
    expect(html).toMatch(/data-aborted-by>[\s\S]*rate&lt;0\.001[\s\S]*0\.00136 \(0\.14%\)/);
    expect(html).toContain('badge-bad');
    expect(html.match(/<tr data-request/g)).toHaveLength(2);
    expect(html).toContain('timeout 4');
    expect(html).toContain('http_5xx 6');
    expect(html).toContain('✗ status is 200 4,996/5,000');
    expect(html).toContain('1.25 s'); // p99 of POST /orders, switched to seconds
    expect(html).toContain('Task timed out after 900.00 seconds');
    expect(html).toContain('<code>1/2:1</code>');
  });

  it('colours the status badge by outcome', () => {
    expect(renderHtml(results({ status: 'passed' }))).toContain('badge-good');
    expect(renderHtml(results({ status: 'degraded' }))).toContain('badge-warn');
    expect(renderHtml(results({ status: 'interrupted' }))).toContain('badge-warn');
    expect(renderHtml(results({ status: 'error' }))).toContain('badge-bad');
  });

  it('escapes every user-provided string', () => {
    const evil = '<script>alert("x")</script>';
    const html = renderHtml(
      results({
        name: evil,
        byRequest: (results().byRequest ?? []).map((r) => ({
          ...r,
          scenario: `"><img src=x onerror=alert(1)>`,
          name: evil,
          checks: [{ name: evil, passed: 1, failed: 1 }],
        })),
        thresholds: [{ metric: evil, expression: "p(95)<200'", ok: false, value: 1, abortOnFail: true }],
        workers: {
          ...results().workers,
          failures: [{ worker: 0, segment: evil, error: `boom ${evil} & more` }],
        },
      }),
    );
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('boom &lt;script&gt;');
    expect(html).toContain('&amp; more');
    expect(html).toContain('p(95)&lt;200&#39;');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('renders empty charts as a frame with a note', () => {
    const html = renderHtml(empty());
    expectClean(html);
    for (const id of ['rate', 'latency', 'errors']) {
      const svg = chart(html, id);
      expect(svg).toContain('No data');
      expect(svg).toMatch(/class="tick"[^>]*>0(ms)?</); // a 0–1 frame, not a collapsed one
      expect(series(svg)).toEqual({});
    }
    expect(html).toContain('No thresholds were defined');
    expect(html).toContain('No requests were recorded');
    expect(html).toContain('no checks defined');
  });

  it('handles a single point, all-zero and huge values without breaking geometry', () => {
    const single = renderHtml(results({ timeseries: [point(5)] }));
    expectClean(single);
    expect(series(chart(single, 'latency'))).toEqual({ p50: 1, p90: 1, p95: 1, p99: 1 });
    expect(chart(single, 'rate')).toContain('<circle');

    const zero = point(0, {
      requests: 0,
      rps: 0,
      errors: 0,
      vus: 0,
      droppedIterations: 0,
      latencyMs: { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 },
    });
    const zeros = renderHtml(results({ timeseries: Array.from({ length: 10 }, (_, t) => ({ ...zero, t })) }));
    expectClean(zeros);
    expect(series(chart(zeros, 'errors'))).toEqual({ errors: 10, dropped: 10 });

    const huge = renderHtml(
      results({
        timeseries: Array.from({ length: 30 }, (_, t) =>
          point(t * 60, {
            rps: 2_500_000 + t * 1_000,
            vus: 40_000,
            latencyMs: { p50: 900, p90: 4_000, p95: 9_000, p99: 45_000, max: 60_000 },
          }),
        ),
      }),
    );
    expectClean(huge);
    expect(chart(huge, 'rate')).toMatch(/class="tick"[^>]*>\d(\.\d)?M</);
    expect(chart(huge, 'rate')).toMatch(/class="tick tick-right"[^>]*>\d+k</);
    expect(chart(huge, 'latency')).toMatch(/class="tick"[^>]*>\d+s</);
    expect(chart(huge, 'latency')).toMatch(/class="tick"[^>]*>25m</); // x axis in minutes
  });

  it('never leaks NaN or Infinity from malformed numbers', () => {
    const bad = results({
      durationMs: Number.NaN,
      startedAt: 'not a date',
      totals: { ...results().totals, rps: Number.POSITIVE_INFINITY, errorRate: Number.NaN },
      latencyMs: { ...results().latencyMs, p99: Number.NaN },
      thresholds: [
        { metric: 'http_reqs', expression: 'rate>1', ok: false, value: Number.NaN, abortOnFail: false },
      ],
      timeseries: [point(0), point(1, { rps: Number.NaN, vus: Number.POSITIVE_INFINITY }), point(Number.NaN)],
    });
    const html = renderHtml(bad);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    expect(series(chart(html, 'rate'))).toEqual({ rps: 3, vus: 3 });
  });
});
