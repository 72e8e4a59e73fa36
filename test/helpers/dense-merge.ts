import * as hdr from 'hdr-histogram-js';
import type { MergedRun, MergedWindow, ScenarioTotals } from '../../lambdas/core/stats/aggregate';
import { MergedSeries } from '../../lambdas/core/stats/aggregate';
import type { LatencyHistogram } from '../../lambdas/core/stats/histogram';
import { seriesKey, type WindowSnapshot } from '../../lambdas/model/window';

/**
 * The reference merge: the dense merge MergedRun did before the sparse one (a full 32-bit
 * hdr-histogram-js histogram per decoded window, added into a full histogram per series and a
 * packed one per second), kept so that tests and bench/aggregate.mjs can check that the sparse
 * merge gives the very same figures and results document. Not for production: it is the slow path.
 */

const HIGHEST_US = 3_600_000_000;

const build = (bitBucketSize: 32 | 'packed') =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize,
    useWebAssembly: false,
    autoResize: false,
  });

/** hdr-histogram-js behind LatencyHistogram, as histogram.ts wrapped it. */
export class DenseHistogram implements LatencyHistogram {
  constructor(readonly inner: hdr.Histogram = build(32)) {}
  record(micros: number): void {
    this.inner.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(micros))));
  }
  add(other: LatencyHistogram): void {
    if (other.count > 0) this.inner.add((other as DenseHistogram).inner);
  }
  get count(): number {
    return this.inner.totalCount;
  }
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.inner.getValueAtPercentile(p);
  }
  get min(): number {
    return this.count === 0 ? 0 : this.inner.minNonZeroValue;
  }
  get max(): number {
    return this.count === 0 ? 0 : this.inner.maxValue;
  }
  get mean(): number {
    return this.count === 0 ? 0 : this.inner.mean;
  }
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.inner);
  }
  reset(): void {
    this.inner.reset();
  }
  *buckets(): Iterable<readonly [number, number]> {
    if (this.count === 0) return;
    const it = (this.inner as unknown as hdr.JsHistogram).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      yield [v.valueIteratedTo, v.countAddedInThisIterationStep] as const;
    }
  }
}

/** decodeHistogram as it was: decode into a full histogram, then add it to a fresh full one. */
export function denseDecode(encoded: string): DenseHistogram {
  const into = new DenseHistogram();
  if (encoded !== '') into.add(new DenseHistogram(hdr.decodeFromCompressedBase64(encoded, 32, false)));
  return into;
}

type DenseSeries = MergedSeries<DenseHistogram>;

/** MergedRun as it was; typed as a MergedRun for buildResults, which reads only what both have. */
export class DenseMergedRun {
  readonly series = new Map<string, DenseSeries>();
  readonly scenarios = new Map<string, ScenarioTotals>();
  readonly windows = new Map<number, Omit<MergedWindow, 'all'> & { all: DenseSeries }>();

  add(snapshot: WindowSnapshot): this {
    let w = this.windows.get(snapshot.index);
    if (!w) {
      const all = new MergedSeries('*', '*', '*', new DenseHistogram(build('packed')));
      w = { index: snapshot.index, all, vus: 0, iterations: 0, dropped: 0, workers: new Set() };
      this.windows.set(snapshot.index, w);
    }
    w.workers.add(snapshot.worker);
    for (const s of snapshot.series) {
      const key = seriesKey(s.scenario, s.name, s.method);
      let merged = this.series.get(key);
      if (!merged) {
        merged = new MergedSeries(s.scenario, s.name, s.method, new DenseHistogram());
        this.series.set(key, merged);
      }
      const histogram = s.latency === '' ? undefined : denseDecode(s.latency);
      for (const into of [merged, w.all]) {
        into.addCounts(s);
        if (histogram) into.histogram.add(histogram);
      }
    }
    for (const sc of snapshot.scenarios) {
      const totals = this.scenarios.get(sc.scenario) ?? { iterations: 0, interrupted: 0, dropped: 0 };
      totals.iterations += sc.iterations;
      totals.interrupted += sc.interrupted;
      totals.dropped += sc.dropped;
      this.scenarios.set(sc.scenario, totals);
      w.vus += sc.vus;
      w.iterations += sc.iterations;
      w.dropped += sc.dropped;
    }
    return this;
  }

  select(filter: Readonly<Record<string, string>> = {}): DenseSeries {
    const out = new MergedSeries(
      filter.scenario ?? '*',
      filter.name ?? '*',
      filter.method ?? '*',
      new DenseHistogram(),
    );
    for (const s of this.series.values()) {
      if (filter.scenario !== undefined && s.scenario !== filter.scenario) continue;
      if (filter.name !== undefined && s.name !== filter.name) continue;
      if (filter.method !== undefined && s.method !== filter.method.toUpperCase()) continue;
      out.add(s);
    }
    return out;
  }

  get totals(): ScenarioTotals {
    const t = { iterations: 0, interrupted: 0, dropped: 0 };
    for (const s of this.scenarios.values()) {
      t.iterations += s.iterations;
      t.interrupted += s.interrupted;
      t.dropped += s.dropped;
    }
    return t;
  }

  /** For buildResults, evaluateThresholds and liveStatus, which read only series, windows, totals, select. */
  asMergedRun(): MergedRun {
    return this as unknown as MergedRun;
  }
}

export function denseAggregate(windows: Iterable<WindowSnapshot>): DenseMergedRun {
  const run = new DenseMergedRun();
  for (const w of windows) run.add(w);
  return run;
}
