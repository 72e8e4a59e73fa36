import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lambdas/core/load/iteration';
import { aggregate, type MergedRun, type MergedSeries } from '../../lambdas/core/stats/aggregate';
import { createHistogram, decodeHistogram, type LatencyHistogram } from '../../lambdas/core/stats/histogram';
import { type RequestSample, WindowRecorder } from '../../lambdas/core/stats/recorder';
import type { ErrorKind } from '../../lambdas/model/window';
import { seriesKey, type WindowSnapshot } from '../../lambdas/model/window';

const PERCENTILES = [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];
const T0 = 1_700_000_000_000;

/** Deterministic PRNG (the engine's own mulberry32) so a failure can be replayed. */
const rng = seededRandom;

const sample = (
  name: string,
  latencyUs: number | undefined,
  over: Partial<RequestSample> = {},
): RequestSample => ({
  key: seriesKey('shop', name, 'GET'),
  scenario: 'shop',
  name,
  method: 'GET',
  latencyUs,
  failed: false,
  errorKind: undefined,
  bytesIn: 100,
  bytesOut: 10,
  ...over,
});
const stats = (h: LatencyHistogram) => ({
  count: h.count,
  min: h.min,
  max: h.max,
  mean: h.mean,
  percentiles: PERCENTILES.map((p) => h.percentile(p)),
});
const summary = (run: MergedRun) => {
  const all: MergedSeries = run.select();
  return {
    all: { ...stats(all.histogram), requests: all.requests, failed: all.failed, bytesIn: all.bytesIn },
    errors: all.errors,
    checks: all.checks,
    series: [...run.series.keys()].sort(),
    totals: run.totals,
    windows: [...run.windows.values()]
      .sort((a, b) => a.index - b.index)
      .map((w) => ({
        index: w.index,
        iterations: w.iterations,
        dropped: w.dropped,
        ...stats(w.all.histogram),
      })),
  };
};

// Protects the histogram's stated accuracy: ≤ 0.1 % relative error at every percentile.
describe('LatencyHistogram', () => {
  const h = createHistogram();
  for (let v = 1; v <= 100_000; v++) h.record(v);

  it('reports percentiles of 1..100000 µs within 0.1 % of the exact value', () => {
    for (const p of PERCENTILES) {
      const exact = Math.max(1, Math.ceil((p / 100) * 100_000));
      expect(Math.abs(h.percentile(p) - exact) / exact, `p(${p})`).toBeLessThanOrEqual(0.001);
    }
    expect(h.count).toBe(100_000);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100_000);
    expect(Math.abs(h.mean - 50_000.5) / 50_000.5).toBeLessThanOrEqual(0.001);
  });

  it('encode → decode keeps count, min, percentiles exactly and max/mean within 0.1 %', () => {
    const d = decodeHistogram(h.encode());
    expect(d.count).toBe(h.count);
    expect(d.min).toBe(h.min);
    for (const p of PERCENTILES) expect(d.percentile(p), `p(${p})`).toBe(h.percentile(p));
    // The encoding stores buckets, not the raw max: it comes back as its bucket's upper edge.
    expect(d.max).toBeGreaterThanOrEqual(h.max);
    expect((d.max - h.max) / h.max).toBeLessThanOrEqual(0.001);
    expect(Math.abs(d.mean - h.mean) / h.mean).toBeLessThanOrEqual(0.001);
  });

  it('is empty-safe and clamps out-of-range values instead of throwing', () => {
    const e = createHistogram();
    expect(stats(e)).toEqual({ count: 0, min: 0, max: 0, mean: 0, percentiles: PERCENTILES.map(() => 0) });
    expect(decodeHistogram('').count).toBe(0);
    e.record(0);
    e.record(0.4);
    e.record(7_200_000_000);
    expect(e.count).toBe(3);
    expect(e.min).toBe(1);
    expect(e.max).toBeGreaterThanOrEqual(3_600_000_000);
    expect(e.max).toBeLessThan(3_700_000_000);
    e.reset();
    expect(e.count).toBe(0);
  });
});

/** 30 000 requests over 10 s in 3 series, with failures, checks, iterations and drops. */
function workload() {
  const next = rng(42);
  return Array.from({ length: 30_000 }, (_, i) => {
    const name = ['home', 'login', 'buy'][i % 3] as string;
    const slow = next() < 0.02;
    const latency = slow ? 200_000 + next() * 800_000 : 500 + next() * 20_000;
    const failed = next() < 0.01;
    return {
      at: T0 + next() * 10_000,
      s: sample(
        name,
        next() < 0.005 ? undefined : latency,
        failed ? { failed, errorKind: 'http_5xx' as ErrorKind } : {},
      ),
      checkPassed: next() < 0.97,
      dropped: next() < 0.01,
    };
  });
}
function feed(rec: WindowRecorder, item: ReturnType<typeof workload>[number]): void {
  rec.request(item.s, item.at);
  rec.check(item.s, 'status 200', item.checkPassed, item.at);
  rec.iteration('shop', !item.s.failed, item.at);
  if (item.dropped) rec.dropped('shop', item.at);
}

// Protects the distributed merge: any split across workers aggregates to exactly the single-worker result.
describe('aggregate() over WindowRecorder snapshots', () => {
  const items = workload();
  const reference: WindowSnapshot[] = [];
  const one = new WindowRecorder(T0, 0, (w) => reference.push(w));
  for (const item of [...items].sort((a, b) => a.at - b.at)) feed(one, item);
  one.flush(T0 + 11_000, true);

  const split: WindowSnapshot[] = [];
  const pick = rng(7);
  const recorders = Array.from({ length: 5 }, (_, w) => new WindowRecorder(T0, w + 1, (s) => split.push(s)));
  for (const item of items) feed(recorders[Math.floor(pick() * 5)] as WindowRecorder, item);
  recorders.forEach((r, w) => {
    r.flush(T0 + 4_000 + w * 1_000);
    r.flush(T0 + 11_000, true);
  });

  it('gives exactly the same counts and percentiles as one histogram', () => {
    const expected = summary(aggregate(reference));
    const merged = summary(aggregate(split));
    expect(merged).toEqual(expected);
    expect(merged.all.requests).toBe(30_000);
    expect(merged.windows.map((w) => w.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(merged.series).toHaveLength(3);
  });

  it('matches a histogram fed every latency directly', () => {
    const direct = createHistogram();
    for (const { s } of items) if (s.latencyUs !== undefined) direct.record(s.latencyUs);
    const merged = aggregate(split).select().histogram;
    expect(merged.count).toBe(direct.count);
    expect(merged.min).toBe(direct.min);
    for (const p of PERCENTILES) expect(merged.percentile(p), `p(${p})`).toBe(direct.percentile(p));
  });

  it('does not depend on snapshot order', () => {
    const expected = summary(aggregate(split));
    const shuffle = rng(99);
    for (let round = 0; round < 3; round++) {
      const order = [...split].sort(() => shuffle() - 0.5);
      expect(summary(aggregate(order))).toEqual(expected);
    }
    expect(summary(aggregate([...split].reverse()))).toEqual(expected);
  });

  it('records which workers contributed to each window', () => {
    const run = aggregate(split);
    for (const w of run.windows.values()) expect([...w.workers].sort()).toEqual([1, 2, 3, 4, 5]);
    // Every snapshot is one (second, worker) pair, none lost or merged twice.
    expect([...run.windows.values()].reduce((n, w) => n + w.workers.size, 0)).toBe(split.length);
  });

  it('select() filters by scenario, name and method (method case-insensitively)', () => {
    const run = aggregate(split);
    const login = run.select({ name: 'login' });
    expect(login.requests).toBe(10_000);
    expect(run.select({ name: 'login', method: 'get' }).requests).toBe(10_000);
    expect(run.select({ method: 'POST' }).requests).toBe(0);
    expect(run.select({ scenario: 'other' }).histogram.count).toBe(0);
  });
});

// Protects "never average percentiles": with skewed workers only the bucket merge is right.
describe('merging versus averaging percentiles', () => {
  it('a worker holding all slow samples moves the true p99, not the mean of p99s', () => {
    const fast = createHistogram();
    const slow = createHistogram();
    for (let i = 0; i < 9_800; i++) fast.record(1_000);
    for (let i = 0; i < 200; i++) slow.record(500_000);
    const snapshots: WindowSnapshot[] = [fast, slow].map((h, worker) => ({
      index: 0,
      worker,
      scenarios: [],
      series: [
        { ...sample('x', 0), requests: h.count, failed: 0, errors: {}, checks: {}, latency: h.encode() },
      ],
    }));
    const averagedP99 = (fast.percentile(99) + slow.percentile(99)) / 2;
    const merged = aggregate(snapshots).select().histogram;
    // Exact: 200 of 10 000 samples are slow, so p(99) (rank 9 900) is a slow one and p(95) a fast one.
    expect(Math.abs(merged.percentile(99) - 500_000) / 500_000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(merged.percentile(95) - 1_000) / 1_000).toBeLessThanOrEqual(0.001);
    expect(Math.abs(averagedP99 - merged.percentile(99)) / merged.percentile(99)).toBeGreaterThan(0.4);
    expect(merged.count).toBe(10_000);
  });
});

// Protects the recorder's windowing: no holes, nothing lost, every counter kept.
describe('WindowRecorder', () => {
  const setup = () => {
    const out: WindowSnapshot[] = [];
    return { out, rec: new WindowRecorder(T0, 3, (w) => out.push(w)) };
  };

  it('emits closed seconds only, including empty ones, each once', () => {
    const { out, rec } = setup();
    rec.request(sample('a', 1_000), T0 + 500);
    rec.flush(T0 + 999);
    expect(out).toEqual([]);
    rec.flush(T0 + 4_200);
    expect(out.map((w) => w.index)).toEqual([0, 1, 2, 3]);
    expect(out.map((w) => w.series.length)).toEqual([1, 0, 0, 0]);
    expect(out.every((w) => w.worker === 3)).toBe(true);
    rec.flush(T0 + 4_900);
    expect(out).toHaveLength(4);
  });

  it('uses the boundary at whole seconds from the common start', () => {
    const { out, rec } = setup();
    rec.request(sample('a', 1), T0 + 999);
    rec.request(sample('a', 1), T0 + 1_000);
    rec.request(sample('a', 1), T0 - 50);
    rec.flush(T0 + 2_000);
    expect(out.map((w) => w.series[0]?.requests)).toEqual([2, 1]);
  });

  it('flush(now, true) emits the still-open windows', () => {
    const { out, rec } = setup();
    rec.request(sample('a', 1), T0 + 2_500);
    rec.flush(T0 + 2_000);
    rec.flush(T0 + 2_600, true);
    expect(out.map((w) => w.index)).toEqual([0, 1, 2]);
    expect(out[2]?.series[0]?.requests).toBe(1);
  });

  it('puts late samples into the oldest open window and never loses them', () => {
    const { out, rec } = setup();
    rec.flush(T0 + 3_000);
    rec.request(sample('a', 10), T0 + 1_500);
    rec.dropped('shop', T0 + 100);
    rec.flush(T0 + 5_000, true);
    const late = out.find((w) => w.index === 3);
    expect(late?.series[0]?.requests).toBe(1);
    expect(late?.scenarios[0]?.dropped).toBe(1);
    expect(aggregate(out).select().requests).toBe(1);
  });

  it('counts checks, iterations, interruptions, drops, errors, bytes and active VUs', () => {
    const { out, rec } = setup();
    const bad = sample('a', 5_000, { failed: true, errorKind: 'timeout', bytesIn: 0, bytesOut: 7 });
    rec.setActiveVus('shop', 12, T0 + 5);
    rec.setActiveVus('shop', 3, T0 + 6); // the window reports its peak
    rec.setActiveVus('idle', 4, T0 + 5);
    rec.request(sample('a', 2_000), T0 + 10);
    rec.request(bad, T0 + 20);
    rec.check(bad, 'ok', true, T0 + 30);
    rec.check(bad, 'ok', false, T0 + 31);
    rec.check(bad, 'ok', false, T0 + 32);
    rec.iteration('shop', true, T0 + 40);
    rec.iteration('shop', false, T0 + 41);
    rec.dropped('shop', T0 + 42);
    rec.flush(T0 + 1_000, true);
    const w = out[0];
    expect(w?.series[0]).toMatchObject({
      requests: 2,
      failed: 1,
      errors: { timeout: 1 },
      checks: { ok: [1, 2] },
    });
    expect(w?.series[0]).toMatchObject({ bytesIn: 100, bytesOut: 17 });
    expect(decodeHistogram(w?.series[0]?.latency ?? '').count).toBe(2);
    expect(w?.scenarios).toEqual(
      expect.arrayContaining([
        { scenario: 'shop', iterations: 1, interrupted: 1, dropped: 1, vus: 12 },
        { scenario: 'idle', iterations: 0, interrupted: 0, dropped: 0, vus: 4 },
      ]),
    );
  });

  it('leaves latency empty for a window with requests but no recorded latency', () => {
    const { out, rec } = setup();
    rec.request(sample('a', undefined, { failed: true, errorKind: 'refused' }), T0);
    rec.flush(T0 + 1_000);
    expect(out[0]?.series[0]?.latency).toBe('');
    expect(aggregate(out).select()).toMatchObject({ requests: 1, failed: 1, errors: { refused: 1 } });
  });
});
