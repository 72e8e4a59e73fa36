import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/core/report/html';
import type { TestResults } from '../../lambdas/model/results';

// Opens the rendered report in a real browser: string assertions cannot tell whether the SVG
// actually lays out, or whether the page tries to reach the network.

const POINTS = 30;
const SCREENSHOT = '/tmp/throughline-report.png';
const SERIES: Readonly<Record<string, readonly string[]>> = {
  rate: ['rps', 'vus'],
  latency: ['p50', 'p90', 'p95', 'p99'],
  errors: ['errors', 'dropped'],
};

function fixture(): TestResults {
  const latency = { min: 2.1, mean: 38.4, p50: 31, p90: 72, p95: 96.5, p99: 188, p999: 412, max: 1_304 };
  const timeseries = Array.from({ length: POINTS }, (_, t) => {
    const ramp = Math.min(1, (t + 1) / 10);
    return {
      t,
      requests: Math.round(480 * ramp + 20 * Math.sin(t)),
      rps: Math.round(480 * ramp + 20 * Math.sin(t)),
      errors: t % 6 === 0 ? 3 : t > 22 ? 1 : 0,
      vus: Math.round(40 * ramp),
      droppedIterations: t > 24 ? 4 : 0,
      latencyMs: {
        p50: 28 + t / 3,
        p90: 64 + t,
        p95: 88 + 1.5 * t,
        p99: 150 + 4 * t + 30 * Math.cos(t),
        max: 400,
      },
      workers: 2,
    };
  });
  return {
    name: 'Checkout <flow> smoke',
    status: 'degraded',
    startedAt: '2024-05-01T12:00:00.000Z',
    endedAt: '2024-05-01T12:00:30.000Z',
    durationMs: 30_000,
    totals: {
      requests: 12_480,
      errors: 17,
      errorRate: 0.00136,
      rps: 416,
      droppedIterations: 20,
      iterations: 6_240,
      interruptedIterations: 2,
      checks: { passed: 12_470, failed: 10, rate: 0.9992 },
      bytesIn: 48_123_456,
      bytesOut: 1_234_567,
    },
    latencyMs: latency,
    errorsByKind: { timeout: 5, http_5xx: 12 },
    byRequest: [
      {
        scenario: 'browse',
        name: 'GET /products?page={n}',
        method: 'GET',
        requests: 9_000,
        errors: 5,
        errorRate: 0.00056,
        rps: 300,
        latencyMs: latency,
        errorsByKind: { timeout: 5 },
        checks: [{ name: 'status is 200', passed: 8_995, failed: 5 }],
        bytesIn: 40_000_000,
        bytesOut: 900_000,
        histogram: '',
      },
      {
        scenario: 'purchase',
        name: 'POST /orders',
        method: 'POST',
        requests: 3_480,
        errors: 12,
        errorRate: 0.00345,
        rps: 116,
        latencyMs: { ...latency, p99: 1_204, max: 2_950 },
        errorsByKind: { http_5xx: 12 },
        checks: [
          { name: 'order created', passed: 3_475, failed: 5 },
          { name: 'has id', passed: 3_480, failed: 0 },
        ],
        bytesIn: 8_123_456,
        bytesOut: 334_567,
        histogram: '',
      },
    ],
    thresholds: [
      { metric: 'http_req_duration', expression: 'p(95)<200', ok: true, value: 96.5, abortOnFail: false },
      {
        metric: 'http_req_duration{name:POST /orders}',
        expression: 'p(99)<1000',
        ok: false,
        value: 1_204,
        abortOnFail: false,
      },
      { metric: 'http_req_failed', expression: 'rate<0.01', ok: true, value: 0.00136, abortOnFail: true },
    ],
    timeseries,
    workers: {
      planned: 4,
      completed: 3,
      failed: 1,
      failures: [
        { worker: 2, segment: '2/4:3/4', error: 'Runtime exited with error: signal: killed (out of memory)' },
      ],
      maxStartLagMs: 640,
      skippedIterations: 0,
    },
    histogram: '',
  };
}

describe('HTML report in a browser', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'throughline-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders offline, without errors, with laid-out charts', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(fixture()));
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.title()).toBe('Checkout <flow> smoke · Throughline report');

    for (const [chartId, names] of Object.entries(SERIES)) {
      const svg = page.locator(`svg[data-chart="${chartId}"]`);
      await expect.poll(() => svg.count()).toBe(1);
      const box = await svg.boundingBox();
      expect(box?.width ?? 0, chartId).toBeGreaterThan(300);
      expect(box?.height ?? 0, chartId).toBeGreaterThan(80);

      const found = await svg.locator('[data-series]').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const coords = el.getAttribute('points') ?? el.getAttribute('d') ?? '';
          return {
            name: el.getAttribute('data-series'),
            width: r.width,
            points: coords.trim().split(/\s+/).length,
          };
        }),
      );
      expect(found.map((s) => s.name)).toEqual(names);
      for (const s of found) {
        expect(s.width, `${chartId}/${s.name}`).toBeGreaterThan(50);
        expect(s.points, `${chartId}/${s.name}`).toBe(POINTS);
      }
    }

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
