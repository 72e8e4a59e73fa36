import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { aggregate, type MergedRun } from '../../lambdas/core/stats/aggregate';
import { type RequestSample, WindowRecorder } from '../../lambdas/core/stats/recorder';
import { seriesKey, type WindowSnapshot } from '../../lambdas/model/window';
import type { RunStore, WorkerReport } from '../../lambdas/ports/run-store';

/**
 * The RunStore contract (DESIGN.md §6.2): every adapter runs this suite, each test on an empty store
 * from `setup()`. Windows come from the real WindowRecorder, so they carry real encoded histograms.
 */

export interface RunStoreFixture {
  readonly store: RunStore;
  cleanup(): Promise<void>;
}

const SERIES = [
  { scenario: 'buy', name: 'Grüße · チェックアウト 🚀', method: 'POST' },
  { scenario: 'browse', name: 'home', method: 'GET' },
] as const;

/** mulberry32: the same windows on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One worker's window as the recorder emits it: latencies, failures, errors, checks, VUs, drops. */
export function makeWindow(index: number, worker: number, requests = 20): WindowSnapshot {
  const emitted: WindowSnapshot[] = [];
  const recorder = new WindowRecorder(0, worker, (w) => emitted.push(w));
  const rnd = random(index * 7_919 + worker + 1);
  const at = index * 1_000;
  recorder.setActiveVus('buy', 3 + worker, at);
  for (let i = 0; i < requests; i++) {
    const s = SERIES[i % SERIES.length] as (typeof SERIES)[number];
    const failed = rnd() < 0.15;
    const refused = failed && rnd() < 0.3;
    const sample: RequestSample = {
      key: seriesKey(s.scenario, s.name, s.method),
      ...s,
      latencyUs: refused ? undefined : Math.round(300 + rnd() ** 3 * 250_000),
      failed,
      errorKind: refused ? 'refused' : failed ? 'http_5xx' : undefined,
      bytesIn: refused ? 0 : 512 + i,
      bytesOut: 128,
    };
    recorder.request(sample, at + i);
    recorder.check(sample, 'status is 2xx ✓', !failed, at + i);
    recorder.iteration(s.scenario, !failed, at + i);
  }
  if (worker % 2 === 1) recorder.dropped('buy', at);
  recorder.flush(at + 1_000, true);
  const window = emitted.find((w) => w.index === index);
  if (!window) throw new Error(`the recorder emitted no window ${index}`);
  return window;
}

/** A second in which a worker sent nothing: no series, only its scenario's VUs. */
const quietWindow = (index: number, worker: number): WindowSnapshot => ({
  index,
  worker,
  series: [],
  scenarios: [{ scenario: 'buy', iterations: 0, interrupted: 0, dropped: 0, vus: 2 }],
});

/** A healthy worker's report (idle resources, nothing skipped) after `windows` seconds. */
export function healthyReport(worker: number, segment: string, windows = 3): WorkerReport {
  return {
    worker,
    segment,
    outcome: 'completed',
    startLagMs: 0,
    skippedIterations: 0,
    windows,
    resources: { cpuPercentMax: 10, cpuPercentMean: 5, rssMbMax: 80, eventLoopDelayP99Ms: 1 },
  };
}

function makeReport(worker: number, overrides: Partial<WorkerReport> = {}): WorkerReport {
  return {
    worker,
    segment: `${worker}/4:${worker + 1}/4`,
    outcome: 'completed',
    startLagMs: 12 + worker,
    skippedIterations: worker * 3,
    windows: 30,
    resources: { cpuPercentMax: 93.5, cpuPercentMean: 61.25, rssMbMax: 212, eventLoopDelayP99Ms: 4.75 },
    ...overrides,
  };
}

const keys = (windows: readonly WindowSnapshot[]) => windows.map((w) => `${w.index}/${w.worker}`);
const position = (fields: unknown) => Buffer.from(JSON.stringify(fields)).toString('base64url');

function summary(run: MergedRun, filter: Record<string, string> = {}) {
  const s = run.select(filter);
  const h = s.histogram;
  return {
    requests: s.requests,
    failed: s.failed,
    errors: s.errors,
    checks: s.checks,
    bytes: [s.bytesIn, s.bytesOut],
    latency: [h.count, h.min, h.max, h.mean, ...[50, 90, 95, 99, 99.9].map((p) => h.percentile(p))],
    totals: run.totals,
    windows: run.windows.size,
  };
}

export function runStoreContract(name: string, setup: () => Promise<RunStoreFixture>): void {
  describe(`RunStore contract: ${name}`, () => {
    let fixture: RunStoreFixture;
    let store: RunStore;
    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });
    const putAll = (testId: string, windows: readonly WindowSnapshot[]) =>
      Promise.all(windows.map((w) => store.putWindow(testId, w)));

    describe('windows', () => {
      it('round-trips realistic windows exactly', async () => {
        const written = [makeWindow(0, 0), makeWindow(1, 0), makeWindow(1, 1, 200), quietWindow(2, 1)];
        expect(written[2]?.series[0]?.latency).not.toBe('');
        expect(Object.keys(written[2]?.series[0]?.errors ?? {})).not.toHaveLength(0);
        await putAll('run', written);
        expect((await store.readWindows('run')).windows).toEqual(written);
      });

      it('returns windows in (index, worker) order, whatever order several workers wrote them in', async () => {
        const all = [0, 1, 9, 10, 100].flatMap((index) =>
          [0, 2, 10].map((worker) => quietWindow(index, worker)),
        );
        const rnd = random(42);
        const shuffled = [...all].sort(() => rnd() - 0.5);
        for (const worker of [10, 0, 2])
          await putAll(
            'run',
            shuffled.filter((w) => w.worker === worker),
          );
        expect(keys((await store.readWindows('run')).windows)).toEqual(keys(all));
        const streamed: typeof all = [];
        expect(await store.eachWindow('run', (w) => streamed.push(w))).toBe(all.length);
        expect(keys(streamed)).toEqual(keys(all));
        expect(await store.eachWindow('other-run', () => {})).toBe(0);
      });

      it('replaces a window written again for the same worker and index', async () => {
        await putAll('run', [makeWindow(0, 0), makeWindow(0, 1), makeWindow(1, 0)]);
        const again = makeWindow(0, 1, 5);
        await store.putWindow('run', again);
        const { windows } = await store.readWindows('run');
        expect(keys(windows)).toEqual(['0/0', '0/1', '1/0']);
        expect(windows[1]).toEqual(again);
      });

      it('keeps test ids apart, even when one id starts with the other', async () => {
        await putAll('run', [quietWindow(0, 0), quietWindow(1, 0)]);
        await putAll('run-a', [quietWindow(5, 3)]);
        await store.putWorkerReport('run-a', makeReport(3));
        expect(keys((await store.readWindows('run')).windows)).toEqual(['0/0', '1/0']);
        expect(keys((await store.readWindows('run-a')).windows)).toEqual(['5/3']);
        expect(await store.workerReports('run')).toEqual([]);
        expect(await store.workerReports('run-a')).toEqual([makeReport(3)]);
      });

      it('returns no windows and no reports for an empty run, and a position that reads from the start', async () => {
        const page = await store.readWindows('run');
        expect(page.windows).toEqual([]);
        expect(await store.workerReports('run')).toEqual([]);
        await putAll('run', [quietWindow(0, 0), quietWindow(3, 1)]);
        expect(keys((await store.readWindows('run', page.position)).windows)).toEqual(['0/0', '3/1']);
      });

      it('rejects unsafe test ids', async () => {
        for (const id of ['../escape', 'a/b', '', 'x'.repeat(65), 'a b', 'grüße']) {
          await expect(store.putWindow(id, quietWindow(0, 0))).rejects.toThrow(/unsafe test id/);
          await expect(store.readWindows(id)).rejects.toThrow(/unsafe test id/);
          await expect(store.putWorkerReport(id, makeReport(0))).rejects.toThrow(/unsafe test id/);
          await expect(store.workerReports(id)).rejects.toThrow(/unsafe test id/);
        }
      });

      it('rejects indexes and worker numbers outside 0–999,999', async () => {
        for (const [index, worker] of [
          [-1, 0],
          [1.5, 0],
          [1_000_000, 0],
          [Number.NaN, 0],
          [0, -1],
          [0, 1_000_000],
        ] as const)
          await expect(store.putWindow('run', quietWindow(index, worker))).rejects.toThrow(RangeError);
        await expect(store.putWorkerReport('run', makeReport(-1))).rejects.toThrow(RangeError);
      });
    });

    describe('incremental reads', () => {
      it('returns exactly what was written since the last page, late windows included, then nothing', async () => {
        const first = [0, 1, 2, 3].flatMap((index) => [makeWindow(index, 0), makeWindow(index, 1)]);
        await putAll('run', first);
        const page1 = await store.readWindows('run');
        expect(page1.windows).toEqual(first);

        // New indexes, and windows for indexes ≤ 3 (the highest read) that arrived late.
        const later = [
          makeWindow(5, 0),
          makeWindow(4, 1),
          makeWindow(4, 0),
          makeWindow(3, 2),
          makeWindow(1, 2),
        ];
        await putAll('run', later);
        const page2 = await store.readWindows('run', page1.position);
        expect(keys(page2.windows)).toEqual(['1/2', '3/2', '4/0', '4/1', '5/0']);
        expect(page2.windows).toEqual([later[4], later[3], later[2], later[1], later[0]]);

        const page3 = await store.readWindows('run', page2.position);
        expect(page3.windows).toEqual([]);
        const page4 = await store.readWindows('run', page3.position);
        expect(page4.windows).toEqual([]);
        await store.putWindow('run', makeWindow(5, 1));
        expect(keys((await store.readWindows('run', page4.position)).windows)).toEqual(['5/1']);
      });

      it('returns a late window only while it is within 5 indexes of the highest one read', async () => {
        await putAll(
          'run',
          Array.from({ length: 11 }, (_, index) => quietWindow(index, 0)),
        );
        const page1 = await store.readWindows('run');
        await putAll('run', [quietWindow(4, 1), quietWindow(5, 1)]);
        // Index 4 is 6 behind the highest read (10): only a read without a position returns it.
        expect(keys((await store.readWindows('run', page1.position)).windows)).toEqual(['5/1']);
        expect(keys((await store.readWindows('run')).windows)).toContain('4/1');
      });

      it('rejects a position from another test, or one it did not issue, with E_INVALID_POSITION', async () => {
        await putAll('other', [quietWindow(0, 0)]);
        await putAll('run', [quietWindow(3, 0)]);
        const own = await store.readWindows('run');
        const foreign = await store.readWindows('other');
        const bad = [
          foreign.position,
          'garbage',
          '',
          '!!!',
          position(null),
          position([]),
          position({}),
          position({ v: 2, t: 'run', h: 3, w: {} }),
          position({ v: 1, t: 'run', h: '3', w: {} }),
          position({ v: 1, t: 'run', h: 3.5, w: {} }),
          position({ v: 1, t: 'run', h: -2, w: {} }),
          position({ v: 1, t: 'run', h: 3, w: [] }),
          position({ v: 1, t: 'run', h: 3, w: { 9: '0' } }),
          position({ v: 1, t: 'run', h: 9, w: { 3: '0' } }),
          position({ v: 1, t: 'run', h: 3, w: { '03': '0' } }),
          position({ v: 1, t: 'run', h: 3, w: { 3: '2-1' } }),
          position({ v: 1, t: 'run', h: 3, w: { 3: '1,1' } }),
          position({ v: 1, t: 'run', h: 3, w: { 3: 0 } }),
          position({ v: 1, t: 'run', h: 3, w: { 3: 'x' } }),
        ];
        for (const p of bad)
          await expect(store.readWindows('run', p), p).rejects.toMatchObject({ code: 'E_INVALID_POSITION' });
        expect((await store.readWindows('run', own.position)).windows).toEqual([]);
      });
    });

    describe('merging', () => {
      it('merges what was read, over several pages, exactly as what was written', async () => {
        const written = [0, 1, 2, 3, 4, 5].flatMap((index) =>
          [0, 1, 2].map((worker) => makeWindow(index, worker, 150)),
        );
        await putAll('run', written.slice(0, 8));
        const page1 = await store.readWindows('run');
        await putAll('run', written.slice(8));
        const page2 = await store.readWindows('run', page1.position);
        const full = await store.readWindows('run');

        const expected = aggregate(written);
        for (const read of [full.windows, [...page1.windows, ...page2.windows]]) {
          const merged = aggregate(read);
          expect(summary(merged)).toEqual(summary(expected));
          expect(summary(merged, { name: SERIES[0].name })).toEqual(
            summary(expected, { name: SERIES[0].name }),
          );
          expect(summary(merged).requests).toBe(written.length * 150);
        }
      });
    });

    describe('spec', () => {
      it('round-trips the validated test exactly (with and without an allow-list), and has none for an unknown run', async () => {
        const test = parseTestDefinition({
          name: 'Grüße 🚀',
          baseUrl: 'http://127.0.0.1:8080',
          scenarios: {
            s: {
              executor: 'ramping-vus',
              stages: [{ duration: '10s', target: 5 }],
              requests: [{ path: '/' }],
            },
          },
          thresholds: { http_req_duration: [{ threshold: 'p(95)<200', abortOnFail: true }] },
        });
        expect(await store.spec('run')).toBeUndefined();
        await store.putSpec({ testId: 'run', test, targets: { allowedTargets: ['loopback', '10.0.0.0/8'] } });
        await store.putSpec({ testId: 'cli-run', test });
        expect(await store.spec('run')).toEqual({
          testId: 'run',
          test,
          targets: { allowedTargets: ['loopback', '10.0.0.0/8'] },
        });
        expect(await store.spec('cli-run')).toEqual({ testId: 'cli-run', test });
        expect(await store.spec('other-run')).toBeUndefined();
      });
    });

    describe('plan items', () => {
      it('round-trips the plan, replaces it, and has none for an unplanned run', async () => {
        const items = [0, 1, 2].map((worker) => ({
          testId: 'run',
          segment: `${worker}/3:${worker + 1}/3`,
          worker,
          startAtMs: 1_800_000_000_000,
          timeoutSeconds: 900,
        }));
        expect(await store.planItems('run')).toBeUndefined();
        await store.putPlanItems('run', items);
        expect(await store.planItems('run')).toEqual(items);
        await store.putPlanItems('run', items.slice(0, 1));
        expect(await store.planItems('run')).toEqual(items.slice(0, 1));
        expect(await store.planItems('other-run')).toBeUndefined();
      });
    });

    describe('worker reports', () => {
      it('round-trip in worker order, a report written again replacing the first', async () => {
        const failed = makeReport(2, {
          outcome: 'failed',
          error: 'connect ECONNREFUSED · Grüße 🚀',
          windows: 7,
        });
        await Promise.all(
          [makeReport(10), makeReport(2), makeReport(0)].map((r) => store.putWorkerReport('run', r)),
        );
        await store.putWorkerReport('run', failed);
        expect(await store.workerReports('run')).toEqual([makeReport(0), failed, makeReport(10)]);
      });
    });
  });
}
