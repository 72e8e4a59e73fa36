import { createHistogram } from '../../lambdas/core/stats/histogram';
import type { LiveStatus } from '../../lambdas/model/live';
import type { TestResults } from '../../lambdas/model/results';
import type { TestRecord } from '../../lambdas/ports/test-store';

/** Data for the TestStore contract: records, live figures and a results document, all deterministic. */

/** An ISO instant at `minute` past 10:00 on a fixed day. */
export const at = (minute: number) => new Date(Date.UTC(2025, 0, 15, 10, minute, 0, 0)).toISOString();

/** Record `n` (1-based): created at minute n, so a higher n is newer. */
export function makeRecord(n: number, over: Partial<TestRecord> = {}): TestRecord {
  return {
    id: `01JTEST${String(n).padStart(4, '0')}`,
    name: 'checkout',
    status: 'queued',
    createdAt: at(n),
    updatedAt: at(n),
    tags: {},
    definition: { name: 'checkout', scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s' } } },
    ...over,
  };
}

export const live: LiveStatus = {
  elapsedMs: 12_345.678,
  plannedMs: 30_000,
  vus: 42,
  rps: 199.5,
  p95Ms: 87.125,
  p95SoFarMs: 74.5,
  requests: 2_468,
  errors: 3,
  errorRate: 0.0012155591572123178,
  droppedIterations: 0,
  atRisk: [
    { metric: 'http_req_duration', expression: 'p(95)<80', ok: false, value: 87.125, abortOnFail: true },
  ],
  workers: { running: 3, failed: 0 },
};

/** A real compressed HdrHistogram (what workers and aggregate write), deterministic. */
const histogram = (() => {
  const h = createHistogram();
  for (let i = 1; i <= 6_000; i++) h.record(1_000 + ((i * 7_919) % 50_000));
  return h.encode();
})();

const latencyMs = {
  min: 1.024,
  mean: 23.456,
  p50: 20.1,
  p90: 40.2,
  p95: 55.3,
  p99: 120.9,
  p999: 480.5,
  max: 1_003.2,
};

/** A realistic results document of a finished, failed run. */
export const sampleResults: TestResults = {
  name: 'checkout',
  status: 'failed',
  startedAt: '2025-01-15T10:01:00.000Z',
  endedAt: '2025-01-15T10:01:30.250Z',
  durationMs: 30_250,
  totals: {
    requests: 6_000,
    errors: 7,
    errorRate: 0.001167,
    rps: 198.35,
    droppedIterations: 2,
    iterations: 6_002,
    interruptedIterations: 1,
    checks: { passed: 5_990, failed: 10, rate: 0.998333 },
    bytesIn: 12_345_678,
    bytesOut: 456_789,
  },
  latencyMs,
  errorsByKind: { timeout: 5, reset: 2 },
  byRequest: [
    {
      scenario: 'buy',
      name: 'home',
      method: 'GET',
      requests: 6_000,
      errors: 7,
      errorRate: 0.001167,
      rps: 198.35,
      latencyMs,
      errorsByKind: { timeout: 5, reset: 2 },
      checks: [{ name: 'status is 200', passed: 5_990, failed: 10 }],
      bytesIn: 12_345_678,
      bytesOut: 456_789,
      histogram,
    },
  ],
  thresholds: [
    { metric: 'http_req_duration', expression: 'p(95)<50', ok: false, value: 55.3, abortOnFail: false },
    { metric: 'http_req_failed', expression: 'rate<0.01', ok: true, value: 0.001167, abortOnFail: false },
  ],
  timeseries: Array.from({ length: 31 }, (_, t) => ({
    t,
    requests: 200 - (t % 3),
    rps: 200 - (t % 3),
    errors: t === 7 ? 7 : 0,
    vus: 50,
    droppedIterations: t === 0 ? 2 : 0,
    latencyMs: { p50: 20 + t / 10, p90: 40.2, p95: 55.3, p99: 120.9, max: 300 + t },
    workers: 3,
  })),
  workers: { planned: 3, completed: 3, failed: 0, failures: [], maxStartLagMs: 4.5, skippedIterations: 0 },
  histogram,
};
