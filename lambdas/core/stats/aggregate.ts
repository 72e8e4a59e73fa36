import type { ErrorKind } from '../../model/window';
import { type SeriesWindow, seriesKey, type WindowSnapshot } from '../../model/window';
import { type BucketPairs, decodePairs, newPairs } from './hdr-decode';
import { BucketHistogram, createHistogram, type LatencyHistogram } from './histogram';

/**
 * Counters and histogram of one request series (one window of it, or merged), or of any union of
 * series. A worker's series records into an hdr histogram; a merged one is bucket counts.
 */
export class MergedSeries<H extends LatencyHistogram = LatencyHistogram> {
  requests = 0;
  failed = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly errors: Partial<Record<ErrorKind, number>> = {};
  readonly checks: Record<string, [number, number]> = {};

  constructor(
    readonly scenario: string,
    readonly name: string,
    readonly method: string,
    readonly histogram: H = createHistogram() as H,
  ) {}

  add(other: MergedSeries): void {
    this.addCounts(other);
    this.histogram.add(other.histogram);
  }

  /** Adds the counters of a window or series; its histogram is the caller's to add. */
  addCounts(o: Omit<SeriesWindow, 'latency' | 'scenario' | 'name' | 'method'>): void {
    this.requests += o.requests;
    this.failed += o.failed;
    this.bytesIn += o.bytesIn;
    this.bytesOut += o.bytesOut;
    // for…in, not Object.entries: this runs for every series of every window, and allocates nothing.
    for (const kind in o.errors) {
      const k = kind as ErrorKind;
      this.errors[k] = (this.errors[k] ?? 0) + (o.errors[k] ?? 0);
    }
    for (const check in o.checks) {
      const [pass, fail] = o.checks[check]!;
      const c = this.checks[check] ?? [0, 0];
      c[0] += pass;
      c[1] += fail;
      this.checks[check] = c;
    }
  }

  /** The serializable window form a worker emits. */
  toWindow(): SeriesWindow {
    return {
      scenario: this.scenario,
      name: this.name,
      method: this.method,
      requests: this.requests,
      failed: this.failed,
      errors: this.errors,
      checks: this.checks,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      latency: this.histogram.count > 0 ? this.histogram.encode() : '',
    };
  }

  get checksPassed(): number {
    return Object.values(this.checks).reduce((n, [p]) => n + p, 0);
  }
  get checksFailed(): number {
    return Object.values(this.checks).reduce((n, [, f]) => n + f, 0);
  }
}

export interface ScenarioTotals {
  iterations: number;
  interrupted: number;
  dropped: number;
}

/** One second of the whole test, every worker merged. */
export interface MergedWindow {
  readonly index: number;
  readonly all: MergedSeries<BucketHistogram>;
  vus: number;
  iterations: number;
  dropped: number;
  readonly workers: Set<number>;
}

/**
 * Seconds kept dense at once. Snapshots come in second order (run stores list them so) or nearly
 * (the live monitor): a few dense seconds take every add, and each is compacted once it falls out.
 */
const HOT_WINDOWS = 4;

/**
 * The exact merge of window snapshots from any number of workers, in any order. Histograms are
 * added bucket by bucket; no percentile is computed here, so none is ever averaged. Each encoded
 * histogram is decoded once, into (index, count) pairs, and added to its series and its second.
 */
export class MergedRun {
  readonly series = new Map<string, MergedSeries<BucketHistogram>>();
  readonly scenarios = new Map<string, ScenarioTotals>();
  readonly windows = new Map<number, MergedWindow>();
  /** The dense seconds, least recently added to first. */
  private readonly hot: MergedWindow[] = [];
  private readonly pairs: BucketPairs = newPairs();

  add(snapshot: WindowSnapshot): this {
    const w = this.heat(snapshot.index);
    w.workers.add(snapshot.worker);
    for (const s of snapshot.series) {
      const key = seriesKey(s.scenario, s.name, s.method);
      let merged = this.series.get(key);
      if (!merged) {
        // One per series: dense, as it takes a window from every worker every second.
        merged = new MergedSeries(s.scenario, s.name, s.method, new BucketHistogram(true));
        this.series.set(key, merged);
      }
      // Decoded before anything is added: a corrupt histogram throws with the series as it was.
      const latencies = s.latency === '' ? 0 : decodePairs(s.latency, this.pairs);
      merged.addCounts(s);
      w.all.addCounts(s);
      if (latencies > 0) {
        merged.histogram.addPairs(this.pairs);
        w.all.histogram.addPairs(this.pairs);
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

  /** The second's window, made dense for adds; the least recent dense one is compacted. */
  private heat(index: number): MergedWindow {
    const last = this.hot[this.hot.length - 1];
    if (last?.index === index) return last;
    let w = this.windows.get(index);
    if (!w) {
      w = {
        index,
        all: new MergedSeries('*', '*', '*', new BucketHistogram()),
        vus: 0,
        iterations: 0,
        dropped: 0,
        workers: new Set(),
      };
      this.windows.set(index, w);
    }
    const at = this.hot.indexOf(w);
    if (at >= 0) this.hot.splice(at, 1);
    else {
      // One per second of the run: sparse once done, so a 2-hour soak holds 7,200 small ones.
      const cooled = this.hot.length === HOT_WINDOWS ? this.hot.shift()?.all.histogram.compact() : undefined;
      w.all.histogram.densify(cooled);
    }
    this.hot.push(w);
    return w;
  }

  /** The latest second any worker has reported. */
  get latestWindow(): MergedWindow | undefined {
    let last: MergedWindow | undefined;
    for (const w of this.windows.values()) if (!last || w.index > last.index) last = w;
    return last;
  }

  /** Time covered by the merged windows: up to the end of the latest second any worker reported. */
  get coveredMs(): number {
    return ((this.latestWindow?.index ?? -1) + 1) * 1_000;
  }

  /** The union of every series whose tags match the filter (empty filter: all of them). */
  select(filter: Readonly<Record<string, string>> = {}): MergedSeries<BucketHistogram> {
    const out = new MergedSeries(
      filter.scenario ?? '*',
      filter.name ?? '*',
      filter.method ?? '*',
      new BucketHistogram(),
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
}

/** The one pure merge: any set of windows from any workers gives the same result in any order. */
export function aggregate(windows: Iterable<WindowSnapshot>): MergedRun {
  const run = new MergedRun();
  for (const w of windows) run.add(w);
  return run;
}
