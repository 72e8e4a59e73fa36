// (c) Aggregation at scale: can one Lambda (10,240 MB, 900 s) merge WORKERS × WINDOWS one-second
// window snapshots exactly and build the results document? Snapshots are made, untimed, by the real
// WindowRecorder for PROFILES distinct workers (latency distributions, 2–3 request series, ~100–500
// requests a second) and kept as the JSON text a worker writes to S3; worker k reuses profile
// k % PROFILES with only its worker index changed (the merge does the same work for any content of
// the same shape). A fresh child process then reads them one at a time in index order, as
// RunStore.eachWindow hands them over (JSON.parse, histogram decode, MergedRun via aggregate()),
// calls buildResults and serializes the document: wall and CPU time, peak RSS, heap after. Peers in the same run, each in its own fresh child, on the same latencies:
// the dense reference merge (the merge as it was before the sparse one: every window decoded into
// a full hdr-histogram-js histogram; test/helpers/dense-merge.ts), whose results document must be
// identical to ours or the benchmark fails; a Locust-style merge (workers send {latency rounded as
// Locust does: count} per series and second, the aggregator adds the maps) and the naive average
// of per-worker per-second p95s.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, round } from './lib.mjs';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 1_000);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 600);
const PROFILES = Number(process.env.BENCH_PROFILES ?? 8);
const LAMBDA = { maxMemoryMB: 10_240, timeoutSeconds: 900 };
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Child: one merge, measured. Input: the distinct snapshot texts split around the worker index.
// ---------------------------------------------------------------------------------------------

async function child(mode, dir) {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8'));
  /** texts[profile][window] = [text before the worker index, text after it] */
  // The reference merge reads the very snapshots ours reads.
  const input = mode === 'reference' ? 'throughline' : mode;
  const texts = JSON.parse(await readFile(join(dir, `${input}.json`), 'utf8'));
  const merger = await MERGERS[mode](dir, meta);
  const rssBeforeMB = process.memoryUsage().rss / MB;

  let inputBytes = 0;
  let parseMs = 0;
  // What the aggregate Lambda does (RunStore.eachWindow): every window in index order, one at a
  // time, merged and dropped, never all of them held.
  function* snapshots() {
    for (let i = 0; i < meta.windows; i++) {
      for (let k = 0; k < meta.workers; k++) {
        const [before, after] = texts[k % meta.profiles][i];
        const text = before + k + after;
        inputBytes += text.length; // ASCII: characters are bytes
        const t = performance.now();
        const snapshot = JSON.parse(text);
        parseMs += performance.now() - t;
        yield snapshot;
      }
    }
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const merged = merger.aggregate(snapshots());
  const t1 = performance.now();
  const doc = merger.results(merged);
  const t2 = performance.now();
  const json = JSON.stringify(doc);
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const heapUsedMB = process.memoryUsage().heapUsed / MB;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  // After the measurement: the parent compares the documents of the exact merges.
  if (merger.exact) await writeFile(join(dir, `${mode}-results.json`), json);
  console.log(
    JSON.stringify({
      inputBytes,
      resultsBytes: json.length,
      wallSeconds: (t3 - t0) / 1_000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      phases: {
        parseSeconds: parseMs / 1_000,
        mergeSeconds: (t1 - t0 - parseMs) / 1_000,
        buildResultsSeconds: (t2 - t1) / 1_000,
        stringifySeconds: (t3 - t2) / 1_000,
      },
      rssBeforeMB,
      peakRssMB,
      heapUsedMB,
      check: merger.check(doc),
    }),
  );
}

const percentileOfMap = (m, p) => {
  const keys = [...m.keys()].sort((a, b) => a - b);
  const total = keys.reduce((n, k) => n + m.get(k), 0);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const k of keys) {
    seen += m.get(k);
    if (seen >= rank) return k;
  }
  return 0;
};
const addMap = (into, from) => {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
};
const mapSummary = (m) => ({
  p50: percentileOfMap(m, 50),
  p90: percentileOfMap(m, 90),
  p95: percentileOfMap(m, 95),
  p99: percentileOfMap(m, 99),
  max: Math.max(0, ...m.keys()),
});

/** An exact merger: a MergedRun-like merge and buildResults, its document kept for comparison. */
function exactMerger(aggregate, build, decodeHistogram, meta) {
  return {
    exact: true,
    aggregate,
    results: (run) =>
      build(run, {
        name: 'aggregate-bench',
        status: 'passed',
        startedAtMs: 0,
        endedAtMs: meta.windows * 1_000,
        thresholds: [],
        workers: {
          planned: meta.workers,
          completed: meta.workers,
          failed: 0,
          failures: [],
          maxStartLagMs: 0,
          skippedIterations: 0,
        },
      }),
    check: (doc) => ({
      requests: doc.totals.requests,
      latencies: decodeHistogram(doc.histogram).count,
      byRequestLatencies: doc.byRequest.reduce((n, r) => n + decodeHistogram(r.histogram).count, 0),
      timeseriesRequests: doc.timeseries.reduce((n, t) => n + t.requests, 0),
      windows: doc.timeseries.length,
      minWorkersPerWindow: Math.min(...doc.timeseries.map((t) => t.workers)),
      p95Ms: doc.latencyMs.p95,
      p99Ms: doc.latencyMs.p99,
    }),
  };
}

/**
 * Where two results documents differ (deep equality of the JSON), or undefined. The document has
 * no timing field of its own (start, end and duration come from the same meta), so all of it counts.
 */
function firstDifference(a, b, path = '$') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  if (typeof a !== 'object' || a === null)
    return Object.is(a, b)
      ? undefined
      : `${path}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (!(k in a) || !(k in b))
      return `${path}.${k}: only in ${k in a ? 'the sparse' : 'the reference'} document`;
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

const MERGERS = {
  /** The real code: aggregate() → MergedRun, then buildResults(). */
  async throughline(dir, meta) {
    const { aggregate, buildResults, decodeHistogram } = await import(
      pathToFileURL(join(dir, 'stats.mjs')).href
    );
    return exactMerger(aggregate, (run, doc) => buildResults(run, doc), decodeHistogram, meta);
  },

  /** The merge as it was: every window decoded into a full hdr-histogram-js histogram, then added. */
  async reference(dir, meta) {
    const { denseAggregate, buildResults, decodeHistogram } = await import(
      pathToFileURL(join(dir, 'stats.mjs')).href
    );
    return exactMerger(
      denseAggregate,
      (run, doc) => buildResults(run.asMergedRun(), doc),
      decodeHistogram,
      meta,
    );
  },

  /** Locust's master: per series and per second, add the workers' {rounded ms: count} maps. */
  async locust() {
    return {
      aggregate(snapshots) {
        const series = new Map();
        const windows = new Map();
        for (const s of snapshots) {
          let w = windows.get(s.index);
          if (!w) {
            w = { requests: 0, failed: 0, times: new Map(), workers: new Set() };
            windows.set(s.index, w);
          }
          w.workers.add(s.worker);
          for (const x of s.series) {
            const key = `${x.scenario}\u0000${x.name}\u0000${x.method}`;
            let m = series.get(key);
            if (!m) {
              m = {
                scenario: x.scenario,
                name: x.name,
                method: x.method,
                requests: 0,
                failed: 0,
                times: new Map(),
              };
              series.set(key, m);
            }
            m.requests += x.requests;
            m.failed += x.failed;
            w.requests += x.requests;
            w.failed += x.failed;
            for (const [ms, n] of Object.entries(x.response_times)) {
              const v = Number(ms);
              m.times.set(v, (m.times.get(v) ?? 0) + n);
              w.times.set(v, (w.times.get(v) ?? 0) + n);
            }
          }
        }
        return { series, windows };
      },
      results({ series, windows }) {
        const all = new Map();
        for (const s of series.values()) addMap(all, s.times);
        const requests = [...series.values()].reduce((n, s) => n + s.requests, 0);
        return {
          totals: { requests, errors: [...series.values()].reduce((n, s) => n + s.failed, 0) },
          latencyMs: mapSummary(all),
          byRequest: [...series.values()].map((s) => ({
            scenario: s.scenario,
            name: s.name,
            method: s.method,
            requests: s.requests,
            errors: s.failed,
            latencyMs: mapSummary(s.times),
            responseTimes: Object.fromEntries(s.times),
          })),
          timeseries: [...windows]
            .sort((a, b) => a[0] - b[0])
            .map(([t, w]) => ({
              t,
              requests: w.requests,
              errors: w.failed,
              latencyMs: mapSummary(w.times),
              workers: w.workers.size,
            })),
          responseTimes: Object.fromEntries(all),
        };
      },
      check: (doc) => ({
        requests: doc.totals.requests,
        latencies: Object.values(doc.responseTimes).reduce((n, c) => n + c, 0),
        windows: doc.timeseries.length,
        minWorkersPerWindow: Math.min(...doc.timeseries.map((t) => t.workers)),
        p95Ms: doc.latencyMs.p95,
        p99Ms: doc.latencyMs.p99,
      }),
    };
  },

  /** Cheap but wrong: every worker reports its own p95/p99 each second; the aggregator averages them. */
  async naive() {
    const avg = (a) => ({ p95: a.p95 / a.n, p99: a.p99 / a.n });
    return {
      aggregate(snapshots) {
        const series = new Map();
        const windows = new Map();
        const all = { requests: 0, failed: 0, p95: 0, p99: 0, n: 0 };
        const add = (a, x) => {
          a.requests += x.requests;
          a.failed += x.failed;
          if (x.p95 === null) return;
          a.p95 += x.p95;
          a.p99 += x.p99;
          a.n++;
        };
        for (const s of snapshots) {
          let w = windows.get(s.index);
          if (!w) {
            w = { requests: 0, failed: 0, p95: 0, p99: 0, n: 0, workers: new Set() };
            windows.set(s.index, w);
          }
          w.workers.add(s.worker);
          add(w, s.all);
          add(all, s.all);
          for (const x of s.series) {
            const key = `${x.scenario}\u0000${x.name}\u0000${x.method}`;
            let m = series.get(key);
            if (!m) {
              m = {
                scenario: x.scenario,
                name: x.name,
                method: x.method,
                requests: 0,
                failed: 0,
                p95: 0,
                p99: 0,
                n: 0,
              };
              series.set(key, m);
            }
            add(m, x);
          }
        }
        return { series, windows, all };
      },
      results: ({ series, windows, all }) => ({
        totals: { requests: all.requests, errors: all.failed },
        latencyMs: avg(all),
        byRequest: [...series.values()].map((s) => ({
          scenario: s.scenario,
          name: s.name,
          method: s.method,
          requests: s.requests,
          errors: s.failed,
          latencyMs: avg(s),
        })),
        timeseries: [...windows]
          .sort((a, b) => a[0] - b[0])
          .map(([t, w]) => ({ t, requests: w.requests, latencyMs: avg(w), workers: w.workers.size })),
      }),
      check: (doc) => ({
        requests: doc.totals.requests,
        windows: doc.timeseries.length,
        minWorkersPerWindow: Math.min(...doc.timeseries.map((t) => t.workers)),
        p95Ms: doc.latencyMs.p95,
        p99Ms: doc.latencyMs.p99,
      }),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Parent: bundle the TypeScript, generate the snapshots (untimed), run each merge in a fresh child.
// ---------------------------------------------------------------------------------------------

const SERIES = [
  { scenario: 'browse', name: 'home', method: 'GET', share: 0.5, factor: 0.6 },
  { scenario: 'browse', name: 'product', method: 'GET', share: 0.35, factor: 1 },
  { scenario: 'checkout', name: 'cart', method: 'POST', share: 0.15, factor: 1.8 },
];
const MEDIANS_MS = [8, 15, 25, 40, 60, 90, 140, 220];

/** A worker profile: where it runs and what it meets (its latency distribution and its load). */
const profileOf = (p) => ({
  medianMs: MEDIANS_MS[p % 8] * (1 + Math.floor(p / 8)),
  sigma: 0.25 + 0.08 * (p % 7),
  slowShare: 0.005 + 0.005 * (p % 5), // a slow mode: cold caches, GC pauses, a lagging instance
  slowFactor: 6 + 2 * (p % 4),
  rate: 100 + ((p * 157) % 321), // requests per second, ±15 % over time: ~100–500 a window
  series: p % 3 === 2 ? SERIES.slice(0, 2) : SERIES,
});

/** Locust's rounding of a response time (ms) before counting it (locust/stats.py). */
const locustRound = (ms) =>
  ms < 100
    ? Math.round(ms)
    : ms < 1_000
      ? Math.round(ms / 10) * 10
      : ms < 10_000
        ? Math.round(ms / 100) * 100
        : Math.round(ms / 1_000) * 1_000;
const nearestRank = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

/** Splits `{"index":i,"worker":0,…}` around the worker index, so a child can set any index. */
function splitAtWorker(text) {
  const marker = '"worker":0,';
  const at = text.indexOf(marker);
  if (at < 0 || text.indexOf(marker, at + 1) >= 0)
    throw new Error(`no single worker field in ${text.slice(0, 80)}`);
  return [text.slice(0, at + '"worker":'.length), text.slice(at + marker.length - 1)];
}

function generate(stats, p) {
  const prof = profileOf(p);
  // The engine's seeded PRNG (mulberry32): every run merges the same input.
  const rnd = stats.seededRandom(0x5eed + p);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const shares = prof.series.reduce((n, s) => n + s.share, 0);
  const keyed = prof.series.map((s) => ({ ...s, key: stats.seriesKey(s.scenario, s.name, s.method) }));
  const out = { throughline: [], naive: [], locust: [], requests: 0, latencies: [], perWindow: [] };
  const recorder = new stats.WindowRecorder(0, 0, (w) =>
    out.throughline.push(splitAtWorker(JSON.stringify(w))),
  );
  for (let i = 0; i < WINDOWS; i++) {
    const n = Math.round(prof.rate * (0.85 + 0.15 * Math.sin(i / 37 + p)));
    const values = new Map(keyed.map((s) => [s.key, { s, us: [], requests: 0, failed: 0 }]));
    recorder.setActiveVus('browse', Math.ceil(n / 8), i * 1_000);
    if (keyed.length === 3) recorder.setActiveVus('checkout', Math.ceil(n / 40), i * 1_000);
    for (let r = 0; r < n; r++) {
      let pick = rnd() * shares;
      let s = keyed[keyed.length - 1];
      for (const x of keyed) {
        pick -= x.share;
        if (pick < 0) {
          s = x;
          break;
        }
      }
      const at = i * 1_000 + Math.min(999.999, rnd() * 1_000);
      const slow = rnd() < prof.slowShare ? prof.slowFactor : 1;
      const ms = prof.medianMs * s.factor * slow * Math.exp(prof.sigma * gauss());
      const u = rnd();
      const errorKind = u < 0.001 ? 'timeout' : u < 0.006 ? 'http_5xx' : undefined;
      const latencyUs = errorKind === 'timeout' ? undefined : Math.max(1, Math.round(ms * 1_000));
      const sample = {
        key: s.key,
        scenario: s.scenario,
        name: s.name,
        method: s.method,
        latencyUs,
        failed: errorKind !== undefined,
        errorKind,
        bytesIn: errorKind === 'timeout' ? 0 : 1_500 + Math.floor(rnd() * 1_000),
        bytesOut: s.method === 'POST' ? 420 : 160,
      };
      recorder.request(sample, at);
      if (latencyUs !== undefined) recorder.check(sample, 'status is 2xx', errorKind === undefined, at);
      if (s.name !== 'home') recorder.iteration(s.scenario, true, at);
      const v = values.get(s.key);
      v.requests++;
      if (errorKind) v.failed++;
      if (latencyUs !== undefined) {
        v.us.push(latencyUs);
        out.latencies.push(latencyUs);
      }
    }
    recorder.flush((i + 1) * 1_000);
    out.requests += n;
    out.perWindow.push(n);

    // The same latencies as the peers' workers would send them.
    const ms3 = (us) => Math.round(us) / 1_000;
    const pcts = (us) => {
      const sorted = Float64Array.from(us).sort();
      return sorted.length === 0
        ? { p95: null, p99: null }
        : { p95: ms3(nearestRank(sorted, 95)), p99: ms3(nearestRank(sorted, 99)) };
    };
    const vs = [...values.values()].filter((v) => v.requests > 0);
    const id = (v) => ({
      scenario: v.s.scenario,
      name: v.s.name,
      method: v.s.method,
      requests: v.requests,
      failed: v.failed,
    });
    out.naive.push(
      splitAtWorker(
        JSON.stringify({
          index: i,
          worker: 0,
          series: vs.map((v) => ({ ...id(v), ...pcts(v.us) })),
          all: {
            requests: vs.reduce((a, v) => a + v.requests, 0),
            failed: vs.reduce((a, v) => a + v.failed, 0),
            ...pcts(vs.flatMap((v) => v.us)),
          },
        }),
      ),
    );
    out.locust.push(
      splitAtWorker(
        JSON.stringify({
          index: i,
          worker: 0,
          series: vs.map((v) => {
            const times = {};
            for (const us of v.us) {
              const t = locustRound(us / 1_000);
              times[t] = (times[t] ?? 0) + 1;
            }
            return { ...id(v), response_times: times };
          }),
        }),
      ),
    );
  }
  if (out.throughline.length !== WINDOWS) throw new Error(`profile ${p}: ${out.throughline.length} windows`);
  return out;
}

/** True percentiles (ms) of every latency of every worker: profile p's values count once per worker. */
function truth(profiles, weights) {
  const n = profiles.reduce((a, x) => a + x.latencies.length, 0);
  const keys = new Float64Array(n); // value × 16 + profile: exact in a double, sorts by value
  let j = 0;
  profiles.forEach((x, p) => {
    for (const us of x.latencies) keys[j++] = us * 16 + p;
  });
  keys.sort();
  const total = profiles.reduce((a, x, p) => a + x.latencies.length * weights[p], 0);
  const at = (pct) => {
    const rank = Math.ceil((pct / 100) * total);
    let seen = 0;
    for (const k of keys) {
      seen += weights[k % 16];
      if (seen >= rank) return Math.floor(k / 16) / 1_000;
    }
    return 0;
  };
  return { p50: at(50), p95: at(95), p99: at(99) };
}

function runChild(mode, dir) {
  process.stderr.write(`aggregate: merging ${WORKERS * WINDOWS} snapshots (${mode})…\n`);
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * MB,
  });
  if (r.status !== 0) throw new Error(`${mode} merge exited with ${r.status ?? r.signal}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  if (PROFILES > 16) throw new Error('BENCH_PROFILES ≤ 16');
  const dir = await mkdtemp(join(tmpdir(), 'tl-aggregate-'));
  try {
    // The TypeScript under test, bundled with its dependencies (hdr-histogram-js) into the temp dir.
    await build({
      stdin: {
        contents: [
          "export { WindowRecorder } from './lambdas/core/stats/recorder';",
          "export { MergedRun, aggregate } from './lambdas/core/stats/aggregate';",
          "export { decodeHistogram } from './lambdas/core/stats/histogram';",
          "export { seriesKey } from './lambdas/model/window';",
          "export { buildResults } from './lambdas/core/load/results';",
          "export { denseAggregate } from './test/helpers/dense-merge';",
          "export { seededRandom } from './lambdas/core/load/iteration';",
        ].join('\n'),
        resolveDir: ROOT,
        loader: 'ts',
        sourcefile: 'aggregate-bench-entry.ts',
      },
      outfile: join(dir, 'stats.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    const stats = await import(pathToFileURL(join(dir, 'stats.mjs')).href);

    process.stderr.write(`aggregate: recording ${PROFILES} worker profiles × ${WINDOWS} windows…\n`);
    const profiles = Array.from({ length: PROFILES }, (_, p) => generate(stats, p));
    const weights = profiles.map((_, p) => Math.floor(WORKERS / PROFILES) + (p < WORKERS % PROFILES ? 1 : 0));
    const expected = {
      requests: profiles.reduce((a, x, p) => a + x.requests * weights[p], 0),
      latencies: profiles.reduce((a, x, p) => a + x.latencies.length * weights[p], 0),
    };
    const trueMs = truth(profiles, weights);
    await writeFile(
      join(dir, 'meta.json'),
      JSON.stringify({ workers: WORKERS, windows: WINDOWS, profiles: PROFILES }),
    );
    for (const mode of ['throughline', 'locust', 'naive'])
      await writeFile(join(dir, `${mode}.json`), JSON.stringify(profiles.map((x) => x[mode])));
    const perWindow = profiles.flatMap((x) => x.perWindow);
    const distinctBytes = (mode) =>
      profiles.reduce((a, x) => a + x[mode].reduce((b, [s, t]) => b + s.length + t.length + 1, 0), 0);
    const averageSnapshotBytes = round(distinctBytes('throughline') / (PROFILES * WINDOWS), 0);
    for (const x of profiles) x.latencies = null; // the children need the parent's memory more

    // One after the other, never in parallel (2 cores).
    const tl = runChild('throughline', dir);
    const reference = runChild('reference', dir);
    const locust = runChild('locust', dir);
    const naive = runChild('naive', dir);
    const ours = await readFile(join(dir, 'throughline-results.json'), 'utf8');
    const theirs = await readFile(join(dir, 'reference-results.json'), 'utf8');
    const difference = firstDifference(JSON.parse(ours), JSON.parse(theirs));
    const exactness = {
      what: 'results document of the sparse merge deep-equal to that of the dense reference merge',
      identical: difference === undefined,
      sameText: ours === theirs,
      comparedKB: round(ours.length / 1024, 1),
      ...(difference ? { firstDifference: difference } : {}),
    };

    const c = tl.check;
    const checks = {
      requests: { expected: expected.requests, merged: c.requests, timeseries: c.timeseriesRequests },
      latencies: { expected: expected.latencies, merged: c.latencies, byRequest: c.byRequestLatencies },
      windows: { expected: WINDOWS, merged: c.windows },
      workersPerWindow: { expected: WORKERS, min: c.minWorkersPerWindow },
      peers: {
        locustRequests: locust.check.requests,
        locustLatencies: locust.check.latencies,
        naiveRequests: naive.check.requests,
      },
    };
    checks.exactness = exactness;
    checks.ok =
      exactness.identical &&
      c.requests === expected.requests &&
      c.timeseriesRequests === expected.requests &&
      c.latencies === expected.latencies &&
      c.byRequestLatencies === expected.latencies &&
      c.windows === WINDOWS &&
      c.minWorkersPerWindow === WORKERS &&
      locust.check.requests === expected.requests &&
      locust.check.latencies === expected.latencies &&
      naive.check.requests === expected.requests;

    const peer = (r) => ({
      wallSeconds: round(r.wallSeconds),
      cpuSeconds: round(r.cpuSeconds),
      peakRssMB: round(r.peakRssMB, 0),
      inputMB: round(r.inputBytes / MB, 1),
      resultsKB: round(r.resultsBytes / 1024, 1),
    });
    const acc = (r) => ({
      p95: round(r.check.p95Ms / trueMs.p95, 3),
      p99: round(r.check.p99Ms / trueMs.p99, 3),
    });
    console.log(
      JSON.stringify(
        {
          bench: 'aggregate',
          workers: WORKERS,
          windows: WINDOWS,
          snapshots: WORKERS * WINDOWS,
          inputMB: round(tl.inputBytes / MB, 1),
          wallSeconds: round(tl.wallSeconds),
          cpuSeconds: round(tl.cpuSeconds),
          peakRssMB: round(tl.peakRssMB, 0),
          heapUsedMB: round(tl.heapUsedMB, 0),
          resultsKB: round(tl.resultsBytes / 1024, 1),
          lambda: {
            ...LAMBDA,
            fitsMemory: tl.peakRssMB < LAMBDA.maxMemoryMB,
            fitsTime: tl.wallSeconds < LAMBDA.timeoutSeconds,
            headroomMemory: round(LAMBDA.maxMemoryMB / tl.peakRssMB, 1),
            headroomTime: round(LAMBDA.timeoutSeconds / tl.wallSeconds, 1),
          },
          phases: Object.fromEntries(Object.entries(tl.phases).map(([k, v]) => [k, round(v)])),
          rssBeforeMergeMB: round(tl.rssBeforeMB, 0),
          checks,
          input: {
            profiles: PROFILES,
            distinctSnapshots: PROFILES * WINDOWS,
            averageSnapshotBytes,
            requestsPerWindow: {
              min: Math.min(...perWindow),
              max: Math.max(...perWindow),
              mean: round(perWindow.reduce((a, n) => a + n, 0) / perWindow.length, 0),
            },
            note:
              `worker k re-reads profile k % ${PROFILES}'s snapshots with only its worker index changed: ` +
              'every snapshot is still parsed, decoded and merged, so the merge cost is that of distinct ' +
              'snapshots of the same shape; S3 GETs and network time are not included',
          },
          peers: {
            denseReference: {
              what:
                'the merge before the sparse one (test/helpers/dense-merge.ts): each window decoded into a full ' +
                '23,552-counter hdr-histogram-js histogram, added to a full one per series and a packed one per second',
              ...peer(reference),
              phases: Object.fromEntries(Object.entries(reference.phases).map(([k, v]) => [k, round(v)])),
            },
            locustStyle: {
              what:
                "Locust's master: workers send per series and second a {response time rounded as Locust does " +
                '(1 ms < 100 ms, 10 ms < 1 s, 100 ms < 10 s): count} map, the aggregator adds the maps and ' +
                'reads percentiles off the sorted keys (same outputs: per request, per second); plain JS, not Locust',
              ...peer(locust),
            },
            naiveAverageP95: {
              what: 'each worker reports its own p95/p99 per series and second; the aggregator averages them (wrong)',
              ...peer(naive),
            },
          },
          ratio: {
            wallThroughlineVsDenseReference: round(tl.wallSeconds / reference.wallSeconds, 3),
            // CPU too: on a shared machine a child's wall time includes waiting for a core.
            cpuThroughlineVsDenseReference: round(tl.cpuSeconds / reference.cpuSeconds, 3),
            cpuThroughlineVsLocustStyle: round(tl.cpuSeconds / locust.cpuSeconds),
            peakRssThroughlineVsDenseReference: round(tl.peakRssMB / reference.peakRssMB),
            wallThroughlineVsLocustStyle: round(tl.wallSeconds / locust.wallSeconds),
            wallThroughlineVsNaive: round(tl.wallSeconds / naive.wallSeconds),
            peakRssThroughlineVsLocustStyle: round(tl.peakRssMB / locust.peakRssMB),
            inputThroughlineVsLocustStyle: round(tl.inputBytes / locust.inputBytes),
          },
          accuracy: {
            trueMs,
            reportedOverTrue: { throughline: acc(tl), locustStyle: acc(locust), naiveAverage: acc(naive) },
          },
          machine: '2 cores, shared; single-threaded merge',
        },
        null,
        2,
      ),
    );
    if (!exactness.identical) {
      console.error(`aggregate: THE SPARSE MERGE DIFFERS FROM THE DENSE REFERENCE at ${difference}`);
      process.exitCode = 1;
    } else if (!checks.ok) {
      console.error('aggregate: merged counts differ from the inputs');
      process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
