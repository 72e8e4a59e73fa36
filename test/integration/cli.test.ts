import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, runCli, startTargetProcess, type Target } from '../helpers/processes';

// The CLI as a user runs it: real processes, the bundled demo target on loopback, real files.

let target: Target;
let dir: string;

beforeAll(async () => {
  target = await startTargetProcess(['--delay', '2ms']);
  dir = mkdtempSync(join(tmpdir(), 'tl-cli-'));
});
afterAll(() => target.stop());

/** examples/<file> with its baseUrl pointed at this run's target. */
function example(file: string, patch: (d: Record<string, unknown>) => void = () => {}): string {
  const def = JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) as Record<string, unknown>;
  def.baseUrl = target.url;
  patch(def);
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${file}`);
  writeFileSync(path, JSON.stringify(def));
  return path;
}

const outputs = (name: string) => {
  const files = {
    out: join(dir, `${name}.json`),
    csv: join(dir, `${name}.csv`),
    junit: join(dir, `${name}.xml`),
    html: join(dir, `${name}.html`),
  };
  return {
    files,
    args: ['--out', files.out, '--csv', files.csv, '--junit', files.junit, '--html', files.html],
  };
};

describe('throughline run', () => {
  it('runs examples/checkout.json and writes JSON, CSV, JUnit and HTML', async () => {
    const { files, args } = outputs('checkout');
    const r = await runCli(['run', example('checkout.json'), ...args]);
    expect(r.stderr).toContain('running'); // plain progress lines when not on a terminal
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(files.out, 'utf8'));
    expect(results.status).toBe('passed');
    expect(results.totals.requests).toBeGreaterThan(500);
    // constant-arrival-rate 50/s for 10 s: exactly 500 iterations of the browse scenario.
    const browse = results.byRequest.filter((q: { scenario: string }) => q.scenario === 'browse');
    expect(browse.reduce((n: number, q: { requests: number }) => n + q.requests, 0)).toBe(500);
    for (const key of ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'])
      expect(results.latencyMs[key]).toBeGreaterThan(0);
    expect(results.totals).toMatchObject({ errors: 0, errorRate: 0, droppedIterations: 0 });
    expect(results.thresholds).toHaveLength(4);
    expect(results.timeseries.length).toBeGreaterThanOrEqual(10);
    expect(results.workers).toMatchObject({ planned: 1, completed: 1, failed: 0 });
    // Captured token used by the next request: every cart request was authorized.
    const cart = results.byRequest.find((q: { name: string }) => q.name === 'add to cart');
    expect(cart.requests).toBeGreaterThan(10);
    expect(cart.errors).toBe(0);
    expect(readFileSync(files.csv, 'utf8').split('\n')[0]).toContain('p95_ms');
    expect(
      readFileSync(files.csv.replace('.csv', '-timeseries.csv'), 'utf8').split('\n').length,
    ).toBeGreaterThan(10);
    const junit = readFileSync(files.junit, 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(5);
    expect(junit).not.toContain('<failure');
    expect(readFileSync(files.html, 'utf8')).toContain('data-chart="latency"');
  });

  it('exits 99 when a threshold fails, with the failure in JUnit', async () => {
    const { files, args } = outputs('failing');
    const file = example('checkout.json', (d) => {
      d.thresholds = { http_req_duration: ['p(95)<0.001'] };
      (d.scenarios as Record<string, Record<string, unknown>>).browse!.duration = '2s';
      delete (d.scenarios as Record<string, unknown>).buy;
    });
    const r = await runCli(['run', file, ...args]);
    expect(r.code).toBe(99);
    expect(JSON.parse(readFileSync(files.out, 'utf8')).status).toBe('failed');
    expect(readFileSync(files.junit, 'utf8')).toContain('<failure');
    expect(r.stdout).toContain('✗ http_req_duration p(95)<0.001');
  });

  it('aborts the whole run on an abortOnFail threshold', async () => {
    const { files, args } = outputs('abort');
    const file = example('checkout.json', (d) => {
      d.thresholds = {
        http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '1s' }],
      };
      const browse = (d.scenarios as Record<string, Record<string, unknown>>).browse!;
      browse.duration = '30s';
      browse.flows = [{ requests: [{ name: 'missing', path: '/nope' }] }];
      delete (d.scenarios as Record<string, unknown>).buy;
    });
    const started = Date.now();
    const r = await runCli(['run', file, ...args]);
    expect(r.code).toBe(99);
    expect(Date.now() - started).toBeLessThan(15_000);
    const results = JSON.parse(readFileSync(files.out, 'utf8'));
    expect(results.status).toBe('aborted');
    expect(results.abortedBy[0].expression).toBe('rate<0.01');
    expect(results.errorsByKind.http_4xx).toBeGreaterThan(0);
  });

  it('lists every problem of an invalid definition with its path and exits 1', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        scenarios: {
          checkout: {
            executor: 'ramping-vus',
            stages: [
              { duration: '1s', target: 1 },
              { duration: '10x', target: 2 },
            ],
            requests: [{ path: '/' }],
          },
          burst: {
            executor: 'constant-arrival-rate',
            rate: 10,
            duration: '5s',
            preAllocatedVUs: 20,
            maxVUs: 5,
            requests: [{ url: 'ftp://x' }],
          },
        },
        thresholds: { http_req_duration: ['p(95)<>1'] },
      }),
    );
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('scenarios.checkout.stages[1].duration: "10x" is not a duration');
    expect(r.stderr).toContain(
      'scenarios.checkout.requests[0].path: a relative "path" needs a top-level "baseUrl"',
    );
    expect(r.stderr).toContain('scenarios.burst.maxVUs: must be at least preAllocatedVUs (20)');
    expect(r.stderr).toContain('scenarios.burst.requests[0].url');
    expect(r.stderr).toContain('thresholds.http_req_duration[0]');
  });

  it('exits 1 with a clear message for unreadable input and unknown flags', async () => {
    const missing = await runCli(['run', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "scenarios": ');
    const broken = await runCli(['run', notJson]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
    const flag = await runCli(['run', notJson, '--bogus']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("Unknown option '--bogus'");
  });

  it('reports an unreachable target as errors by kind, not a crash', async () => {
    const port = await freePort();
    const { files, args } = outputs('refused');
    const file = join(dir, 'refused.json');
    writeFileSync(
      file,
      JSON.stringify({
        scenarios: {
          s: {
            executor: 'per-vu-iterations',
            vus: 2,
            iterations: 5,
            requests: [{ url: `http://127.0.0.1:${port}/` }],
          },
        },
      }),
    );
    const r = await runCli(['run', file, ...args]);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(files.out, 'utf8'));
    expect(results.errorsByKind).toEqual({ refused: 10 });
    expect(results.totals).toMatchObject({ requests: 10, errors: 10, errorRate: 1 });
  });

  it('spreads a test over worker threads and merges exactly', async () => {
    const { files, args } = outputs('workers');
    const file = join(dir, 'workers.json');
    writeFileSync(
      file,
      JSON.stringify({
        baseUrl: target.url,
        scenarios: {
          open: {
            executor: 'constant-arrival-rate',
            rate: 150,
            duration: '3s',
            preAllocatedVUs: 10,
            requests: [{ path: '/' }],
          },
          closed: {
            executor: 'shared-iterations',
            vus: 7,
            iterations: 101,
            requests: [{ path: '/api/products' }],
          },
        },
      }),
    );
    const r = await runCli(['run', file, '--workers', '3', ...args]);
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(files.out, 'utf8'));
    expect(results.workers).toMatchObject({ planned: 3, completed: 3, failed: 0 });
    // Workers are given time to load, so none starts late and charges its start-up to the target.
    expect(results.workers.maxStartLagMs).toBeLessThan(250);
    const count = (scenario: string) =>
      results.byRequest.find((q: { scenario: string }) => q.scenario === scenario).requests;
    // Every planned arrival is accounted for exactly once: sent, or dropped for want of a VU.
    expect(count('open') + results.totals.droppedIterations).toBe(450);
    expect(results.totals.droppedIterations).toBeLessThan(10);
    expect(count('closed')).toBe(101);
    expect(results.totals.iterations + results.totals.droppedIterations).toBe(551);
  });

  it('runs a YAML definition and a preset with overrides', async () => {
    const yaml = join(dir, 'ramp.yaml');
    writeFileSync(
      yaml,
      readFileSync(join(ROOT, 'examples', 'ramp.yaml'), 'utf8')
        .replace('http://127.0.0.1:8080', target.url)
        .replace('{ duration: 10s, target: 20 }', '{ duration: 1s, target: 20 }')
        .replaceAll('duration: 5s', 'duration: 1s'),
    );
    const { files, args } = outputs('yaml');
    expect((await runCli(['run', yaml, ...args])).code).toBe(0);
    expect(JSON.parse(readFileSync(files.out, 'utf8')).totals.checks.passed).toBeGreaterThan(0);

    const preset = outputs('preset');
    const p = await runCli([
      'run',
      '--preset',
      'smoke',
      '--target',
      `${target.url}/`,
      '--vus',
      '3',
      '--duration',
      '2s',
      ...preset.args,
    ]);
    expect(p.code).toBe(0);
    const results = JSON.parse(readFileSync(preset.files.out, 'utf8'));
    expect(Math.max(...results.timeseries.map((w: { vus: number }) => w.vus))).toBe(3);
    const bad = await runCli(['run', '--preset', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not one of smoke');
    expect(bad.stderr).toContain('--preset needs --target');
  });

  it('stops gracefully on Ctrl-C, still writes results and exits 130', async () => {
    const { files, args } = outputs('interrupted');
    const file = example('checkout.json', (d) => {
      (d.scenarios as Record<string, Record<string, unknown>>).browse!.duration = '60s';
    });
    const r = await runCli(['run', file, ...args], {
      onStart: (child) => setTimeout(() => child.kill('SIGINT'), 2_500),
    });
    expect(r.code).toBe(130);
    const results = JSON.parse(readFileSync(files.out, 'utf8'));
    expect(results.status).toBe('interrupted');
    expect(results.totals.requests).toBeGreaterThan(50);
    expect(results.durationMs).toBeLessThan(10_000);
  });
});
