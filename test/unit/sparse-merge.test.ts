import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lambdas/core/load/iteration';
import { buildResults, type ResultsMeta } from '../../lambdas/core/load/results';
import { evaluateThresholds, parseThresholds } from '../../lambdas/core/load/thresholds';
import { aggregate, type MergedRun } from '../../lambdas/core/stats/aggregate';
import type { LatencyHistogram } from '../../lambdas/core/stats/histogram';
import { WindowRecorder } from '../../lambdas/core/stats/recorder';
import type { ErrorKind } from '../../lambdas/model/window';
import { seriesKey, type WindowSnapshot } from '../../lambdas/model/window';
import { denseAggregate } from '../helpers/dense-merge';

// Protects the sparse merge's exactness: the same windows merged the old way (hdr-histogram-js,
// dense) and the new way (sparse pairs) give identical figures and an identical results document.

const T0 = 1_700_000_000_000;
const PERCENTILES = [0, 1, 50, 90, 95, 99, 99.9, 99.99, 100];
const SERIES = [
  { scenario: 'browse', name: 'home', method: 'GET', ms: 12, sigma: 0.4 },
  { scenario: 'browse', name: 'search', method: 'GET', ms: 140, sigma: 0.9 },
  { scenario: 'buy', name: 'cart', method: 'POST', ms: 3, sigma: 0.2 },
];

/** Windows of `workers` workers over `seconds` seconds, each worker with its own latency shape. */
function windows(seed: number, workers: number, seconds: number): WindowSnapshot[] {
  const out: WindowSnapshot[] = [];
  for (let k = 0; k < workers; k++) {
    const r = seededRandom(seed * 1_000 + k);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const slow = 1 + 3 * r();
    const rec = new WindowRecorder(T0, k, (w) => out.push(w));
    for (let i = 0; i < seconds; i++) {
      rec.setActiveVus('browse', 5 + k, T0 + i * 1_000);
      const n = Math.floor(r() * 120); // some seconds empty
      for (let j = 0; j < n; j++) {
        const s = SERIES[Math.floor(r() * (k % 2 === 0 ? 3 : 2))]!;
        const at = T0 + i * 1_000 + r() * 999;
        const tail = r() < 0.01 ? 50 * slow : 1;
        const u = r();
        const errorKind: ErrorKind | undefined = u < 0.01 ? 'timeout' : u < 0.03 ? 'http_5xx' : undefined;
        const sample = {
          key: seriesKey(s.scenario, s.name, s.method),
          ...s,
          latencyUs:
            errorKind === 'timeout' ? undefined : s.ms * 1_000 * slow * tail * Math.exp(s.sigma * gauss()),
          failed: errorKind !== undefined,
          errorKind,
          bytesIn: 500,
          bytesOut: 80,
        };
        rec.request(sample, at);
        rec.check(sample, 'ok', errorKind === undefined, at);
        rec.iteration(s.scenario, true, at);
        if (r() < 0.02) rec.dropped(s.scenario, at);
      }
      rec.flush(T0 + (i + 1) * 1_000);
    }
    rec.flush(T0 + (seconds + 1) * 1_000, true);
  }
  return out;
}

const figures = (h: LatencyHistogram) => ({
  count: h.count,
  min: h.min,
  max: h.max,
  mean: h.mean,
  percentiles: PERCENTILES.map((p) => h.percentile(p)),
});
/** Every histogram figure of a merge: per series, per second, and of the selections thresholds use. */
const everything = (run: MergedRun) => ({
  // Sorted: the map's order is the order series first appeared in, which follows the input order.
  series: [...run.series]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, s]) => [k, s.requests, figures(s.histogram), s.histogram.encode()]),
  windows: [...run.windows.values()]
    .sort((a, b) => a.index - b.index)
    .map((w) => [w.index, w.vus, w.workers.size, w.all.requests, figures(w.all.histogram)]),
  all: figures(run.select().histogram),
  browse: figures(run.select({ scenario: 'browse' }).histogram),
  post: figures(run.select({ method: 'post' }).histogram),
});

const meta = (workers: number): ResultsMeta => ({
  name: 'exactness',
  status: 'passed',
  startedAtMs: T0,
  endedAtMs: T0 + 30_000,
  thresholds: [],
  workers: {
    planned: workers,
    completed: workers,
    failed: 0,
    failures: [],
    maxStartLagMs: 0,
    skippedIterations: 0,
  },
});
const spec = (threshold: string) => ({ threshold, abortOnFail: false, delayAbortEval: 0 });
const { thresholds } = parseThresholds({
  http_req_duration: [spec('p(95)<200'), spec('avg<90'), spec('max<9000')],
  'http_req_duration{scenario:buy}': [spec('p(99.9)<10'), spec('min>1')],
});

describe('sparse merge against the dense hdr-histogram-js merge', () => {
  for (const [seed, workers, seconds] of [
    [1, 1, 5],
    [2, 8, 20],
    [3, 30, 6],
  ] as const) {
    const input = windows(seed, workers, seconds);
    const dense = denseAggregate(input).asMergedRun();
    let expected: { figures: unknown; results: string } | undefined;
    const reference = () => {
      expected ??= {
        figures: everything(dense),
        results: JSON.stringify(buildResults(dense, meta(workers))),
      };
      return expected;
    };

    it(`${workers} workers × ${seconds} s: identical figures of every series, second and selection`, () => {
      expect(everything(aggregate(input))).toEqual(reference().figures);
    });

    it(`${workers} workers × ${seconds} s: identical results document and threshold values`, () => {
      const sparse = aggregate(input);
      expect(JSON.stringify(buildResults(sparse, meta(workers)))).toBe(reference().results);
      expect(evaluateThresholds(thresholds, sparse, 30_000)).toEqual(
        evaluateThresholds(thresholds, dense, 30_000),
      );
    });

    it(`${workers} workers × ${seconds} s: the same in worker order and shuffled (seconds leave and re-enter the dense set)`, () => {
      const byWorker = [...input].sort((a, b) => a.worker - b.worker || a.index - b.index);
      const shuffle = seededRandom(seed + 77);
      const shuffled = input
        .map((w) => [shuffle(), w] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, w]) => w);
      for (const order of [byWorker, shuffled, [...input].reverse()]) {
        const run = aggregate(order);
        expect(everything(run)).toEqual(reference().figures);
        expect(JSON.stringify(buildResults(run, meta(workers)))).toBe(reference().results);
      }
    });
  }

  it('gives the live figures as it merges: each second as soon as it is added', () => {
    const input = windows(4, 4, 8);
    const sparse = aggregate([]);
    const dense = denseAggregate([]);
    for (const w of input) {
      sparse.add(w);
      dense.add(w);
      const a = sparse.windows.get(w.index)?.all.histogram;
      const b = dense.windows.get(w.index)?.all.histogram;
      expect(a && figures(a)).toEqual(b && figures(b));
    }
    expect(figures(sparse.select().histogram)).toEqual(figures(dense.select().histogram));
  });
});
