import type { ErrorKind } from '../../model/window';
import { type ScenarioWindow, seriesKey, type WindowSnapshot } from '../../model/window';
import { MergedSeries } from './aggregate';

export interface RequestSample {
  /** seriesKey(scenario, name, method), computed once per request step. */
  readonly key: string;
  readonly scenario: string;
  readonly name: string;
  readonly method: string;
  /** Undefined when the request produced no latency worth recording (refused, DNS, …). */
  readonly latencyUs: number | undefined;
  readonly failed: boolean;
  readonly errorKind: ErrorKind | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

interface ScenarioCounters {
  iterations: number;
  interrupted: number;
  dropped: number;
}

class WindowBuilder {
  readonly series = new Map<string, MergedSeries>();
  /** Highest active-VU count seen per scenario during the window. */
  readonly vusPeak = new Map<string, number>();
  readonly scenarios = new Map<string, ScenarioCounters>();
  scenario(name: string): ScenarioCounters {
    let s = this.scenarios.get(name);
    if (!s) {
      s = { iterations: 0, interrupted: 0, dropped: 0 };
      this.scenarios.set(name, s);
    }
    return s;
  }
  seriesOf(
    scenario: string,
    name: string,
    method: string,
    key = seriesKey(scenario, name, method),
  ): MergedSeries {
    let s = this.series.get(key);
    if (!s) {
      s = new MergedSeries(scenario, name, method);
      this.series.set(key, s);
    }
    return s;
  }
}

/**
 * Buckets one worker's samples into 1-second windows counted from the test's common start, and
 * hands each window on once it has closed. Histograms live only while their window is open.
 */
export class WindowRecorder {
  private readonly open = new Map<number, WindowBuilder>();
  private readonly activeVus = new Map<string, number>();
  /** Active VUs when the last emitted window closed: the next window starts with them. */
  private readonly carried = new Map<string, number>();
  private flushedBefore = 0;

  constructor(
    private readonly startAtMs: number,
    private readonly worker: number,
    private readonly emit: (window: WindowSnapshot) => void,
  ) {}

  private windowAt(atMs: number): WindowBuilder {
    // Samples that land in an already emitted window go to the oldest open one: never lost.
    const index = Math.max(this.flushedBefore, Math.floor((atMs - this.startAtMs) / 1_000));
    let w = this.open.get(index);
    if (!w) {
      w = new WindowBuilder();
      this.open.set(index, w);
    }
    return w;
  }

  request(sample: RequestSample, atMs: number): void {
    const s = this.windowAt(atMs).seriesOf(sample.scenario, sample.name, sample.method, sample.key);
    s.requests++;
    if (sample.failed) s.failed++;
    if (sample.errorKind) s.errors[sample.errorKind] = (s.errors[sample.errorKind] ?? 0) + 1;
    if (sample.latencyUs !== undefined) s.histogram.record(sample.latencyUs);
    s.bytesIn += sample.bytesIn;
    s.bytesOut += sample.bytesOut;
  }

  check(sample: RequestSample, check: string, passed: boolean, atMs: number): void {
    const s = this.windowAt(atMs).seriesOf(sample.scenario, sample.name, sample.method, sample.key);
    const counts = s.checks[check] ?? [0, 0];
    counts[passed ? 0 : 1]++;
    s.checks[check] = counts;
  }

  iteration(scenario: string, completed: boolean, atMs: number): void {
    const c = this.windowAt(atMs).scenario(scenario);
    if (completed) c.iterations++;
    else c.interrupted++;
  }

  dropped(scenario: string, atMs: number): void {
    this.windowAt(atMs).scenario(scenario).dropped++;
  }

  setActiveVus(scenario: string, vus: number, atMs: number): void {
    this.activeVus.set(scenario, vus);
    const peaks = this.windowAt(atMs).vusPeak;
    if (vus > (peaks.get(scenario) ?? -1)) peaks.set(scenario, vus);
  }

  /** Emits every window that ended at or before `nowMs`; with `all`, every open window. */
  flush(nowMs: number, all = false): void {
    const current = Math.floor((nowMs - this.startAtMs) / 1_000);
    const due = [...this.open.keys()].filter((i) => all || i < current);
    // An empty second still gets a window, so that time series have no holes.
    const upTo = all ? Math.max(current, ...due.map((i) => i + 1)) : current;
    for (let i = Math.max(0, this.flushedBefore); i < upTo; i++) if (!this.open.has(i)) due.push(i);
    due.sort((a, b) => a - b);
    for (const index of due) {
      const w = this.open.get(index) ?? new WindowBuilder();
      this.open.delete(index);
      for (const scenario of this.activeVus.keys()) w.scenario(scenario);
      const scenarios: ScenarioWindow[] = [...w.scenarios].map(([scenario, c]) => ({
        scenario,
        ...c,
        // The window's peak; a window with no change carries the count it started with.
        vus: Math.max(w.vusPeak.get(scenario) ?? 0, this.carried.get(scenario) ?? 0),
      }));
      this.emit({
        index,
        worker: this.worker,
        series: [...w.series.values()].map((s) => s.toWindow()),
        scenarios,
      });
      this.flushedBefore = Math.max(this.flushedBefore, index + 1);
      for (const [scenario, vus] of this.activeVus) this.carried.set(scenario, vus);
    }
  }
}
