import type { ErrorKind } from '../../model/window';
import { type SeriesWindow, seriesKey, type WindowSnapshot } from '../../model/window';
import { createHistogram, decodeHistogram, type LatencyHistogram } from './histogram';

/** Counters and histogram of one request series (one window of it, or merged), or of any union of series. */
export class MergedSeries {
  requests = 0;
  failed = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly errors: Partial<Record<ErrorKind, number>> = {};
  readonly checks: Record<string, [number, number]> = {};
  readonly histogram: LatencyHistogram;

  constructor(
    readonly scenario: string,
    readonly name: string,
    readonly method: string,
    compact = false,
  ) {
    this.histogram = createHistogram(compact);
  }

  /** Adds one worker's window of this series (its histogram already decoded, once). */
  addWindow(w: SeriesWindow, histogram: LatencyHistogram | undefined): void {
    this.addCounts(w);
    if (histogram) this.histogram.add(histogram);
  }

  add(other: MergedSeries): void {
    this.addCounts(other);
    this.histogram.add(other.histogram);
  }

  private addCounts(o: Omit<SeriesWindow, 'latency' | 'scenario' | 'name' | 'method'>): void {
    this.requests += o.requests;
    this.failed += o.failed;
    this.bytesIn += o.bytesIn;
    this.bytesOut += o.bytesOut;
    for (const [kind, n] of Object.entries(o.errors) as [ErrorKind, number][])
      this.errors[kind] = (this.errors[kind] ?? 0) + n;
    for (const [check, [pass, fail]] of Object.entries(o.checks)) {
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
  readonly all: MergedSeries;
  vus: number;
  iterations: number;
  dropped: number;
  readonly workers: Set<number>;
}

/**
 * The exact merge of window snapshots from any number of workers, in any order. Histograms are
 * added bucket by bucket; no percentile is computed here, so none is ever averaged.
 */
export class MergedRun {
  readonly series = new Map<string, MergedSeries>();
  readonly scenarios = new Map<string, ScenarioTotals>();
  readonly windows = new Map<number, MergedWindow>();

  add(snapshot: WindowSnapshot): this {
    let w = this.windows.get(snapshot.index);
    if (!w) {
      w = {
        index: snapshot.index,
        // One per second of the run: compact, so a 2-hour soak does not hold 7,200 full histograms.
        all: new MergedSeries('*', '*', '*', true),
        vus: 0,
        iterations: 0,
        dropped: 0,
        workers: new Set(),
      };
      this.windows.set(snapshot.index, w);
    }
    w.workers.add(snapshot.worker);
    for (const s of snapshot.series) {
      const key = seriesKey(s.scenario, s.name, s.method);
      let merged = this.series.get(key);
      if (!merged) {
        merged = new MergedSeries(s.scenario, s.name, s.method);
        this.series.set(key, merged);
      }
      const histogram = s.latency === '' ? undefined : decodeHistogram(s.latency);
      merged.addWindow(s, histogram);
      w.all.addWindow(s, histogram);
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
  select(filter: Readonly<Record<string, string>> = {}): MergedSeries {
    const out = new MergedSeries(filter.scenario ?? '*', filter.name ?? '*', filter.method ?? '*');
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
