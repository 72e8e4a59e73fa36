import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../../lambdas/config/local';
import { type LocalServer, startLocalServer } from '../../lambdas/entrypoints/local/server';
import { call, isFinished, waitFor } from '../helpers/api-client';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { killPid, runCli, WORKER } from '../helpers/processes';

// `throughline run --api …`: the built CLI against the real local API (in-process) and a loopback
// target; SigV4 is checked on a recording loopback server that answers like the API.

const silent = { info: () => {}, error: () => {} };
let dir: string;
let api: LocalServer;
let target: TestServer;
const children = new Set<number>();

/** No ambient AWS configuration reaches the CLI: only what a test passes. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return {
    ...env,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** The built CLI with a chosen environment; its PID is tracked so afterAll can stop it. */
const cli = (
  args: readonly string[],
  o: { env?: Record<string, string>; timeoutMs?: number; onStart?: (c: ChildProcess) => void } = {},
) =>
  runCli(args, {
    env: cliEnv(o.env),
    timeoutMs: o.timeoutMs ?? 45_000,
    onStart: (child) => {
      const pid = child.pid as number;
      children.add(pid);
      child.once('exit', () => children.delete(pid));
      o.onStart?.(child);
    },
  });

const definition = (name: string, duration: string, thresholds: Record<string, string[]>) => ({
  name,
  baseUrl: target.url,
  scenarios: {
    main: {
      executor: 'constant-arrival-rate',
      rate: 50,
      duration,
      preAllocatedVUs: 5,
      requests: [{ name: 'home', method: 'GET', path: '/', checks: [{ status: 200 }] }],
    },
  },
  thresholds,
});

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(content));
  return path;
}

const idOf = (stdout: string) => /^test (\S+) /m.exec(stdout)?.[1] as string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'throughline-remote-'));
  target = await startHttp((_req, res) => res.end('ok'));
  const config: LocalConfig = {
    port: 0,
    dataDir: join(dir, 'data'),
    workers: 1,
    demoTargetPort: 0,
    policy: {
      targets: { allowedTargets: ['loopback'] },
      quotas: { maxVus: 100, maxRps: 2_000, maxDurationMs: 120_000, maxConcurrentTests: 4 },
    },
  };
  api = await startLocalServer(config, WORKER, silent);
});
afterAll(async () => {
  for (const pid of children) killPid(pid);
  await api?.close();
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('throughline run --api (against the local API)', () => {
  it('--wait follows a passing test and writes the outputs from its results JSON', async () => {
    const def = await file('pass.json', definition('remote-pass', '2s', { http_req_failed: ['rate<0.01'] }));
    const out = join(dir, 'pass-results.json');
    const html = join(dir, 'pass-report.html');
    const junit = join(dir, 'pass-junit.xml');
    const r = await cli([
      'run',
      '--api',
      `${api.url}/performance/`,
      def,
      '--wait',
      '--out',
      out,
      '--html',
      html,
      '--junit',
      junit,
    ]);
    expect(r.stderr).not.toContain('throughline:');
    expect(r.code).toBe(0);
    const id = idOf(r.stdout);
    expect(r.stdout).toContain(`${api.url}/performance/tests/${id}`);
    expect(r.stdout).toContain('remote-pass: PASSED');
    const served = await call(api.url, 'GET', `/performance/tests/${id}/results`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(served.body);
    expect(served.body.totals.requests).toBeGreaterThan(50);
    expect(readFileSync(html, 'utf8')).toContain('<html');
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite');
  });

  it('exits 99 when a threshold fails', async () => {
    const def = await file(
      'fail.json',
      definition('remote-fail', '1s', { http_req_duration: ['p(95)<0.001'] }),
    );
    const r = await cli(['run', '--api', api.url, def, '--wait', '--quiet']);
    expect(r.code).toBe(99);
    const status = await call(api.url, 'GET', `/performance/tests/${r.stdout.trim()}`);
    expect(status.body.status).toBe('failed');
  });

  it('exits 1 on an invalid definition and prints every problem the API found', async () => {
    const bad = {
      name: 'bad',
      baseUrl: 'not a url',
      scenarios: { a: { executor: 'constant-vus', vus: -1, duration: 'soon', requests: [] } },
      thresholds: { http_req_duration: ['p(95)<<2'] },
    };
    const direct = await call(api.url, 'POST', '/performance/tests', { body: bad });
    const problems = direct.body.error.details.problems as { path: string; message: string }[];
    expect(problems.length).toBeGreaterThanOrEqual(4);
    const r = await cli(['run', '--api', api.url, await file('bad.json', bad), '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_INVALID_DEFINITION');
    for (const p of problems) expect(r.stderr).toContain(`  ${p.path}: ${p.message}\n`);
  });

  it('exits 1 naming E_TARGET_NOT_ALLOWED for a target outside the allow-list', async () => {
    const r = await cli([
      'run',
      '--api',
      api.url,
      '--preset',
      'smoke',
      '--target',
      'http://169.254.169.254/',
      '--wait',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_TARGET_NOT_ALLOWED');
    expect(r.stderr).toContain('169.254.169.254');
  });

  it('Ctrl-C during --wait cancels the test on the API and exits 130', async () => {
    const def = await file('long.json', definition('remote-long', '60s', {}));
    let sentAt = 0;
    const r = await cli(['run', '--api', api.url, def, '--wait'], {
      onStart: (child) => {
        let out = '';
        child.stdout?.on('data', async (d: Buffer) => {
          out += d;
          const id = idOf(out);
          if (!id || sentAt) return;
          sentAt = -1;
          try {
            await waitFor(api.url, id, (t) => t.status === 'running' && t.live !== undefined, 15_000);
            sentAt = Date.now();
            child.kill('SIGINT');
          } catch {
            killPid(child.pid as number); // the test then fails on the exit code
          }
        });
      },
    });
    expect(r.code).toBe(130);
    expect(sentAt).toBeGreaterThan(0);
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    expect(r.stderr).toContain('cancelling test');
    const status = await call(api.url, 'GET', `/performance/tests/${idOf(r.stdout)}`);
    expect(status.body.status).toBe('cancelled');
  });

  it('without --wait prints the id and URL and exits 0 at once', async () => {
    const def = await file('nowait.json', definition('remote-nowait', '1s', {}));
    const key = ['--idempotency-key', `ci-${Date.now()}`];
    const r = await cli(['run', '--api', api.url, def, ...key], { timeoutMs: 15_000 });
    expect(r.code).toBe(0);
    const id = idOf(r.stdout);
    expect(r.stdout).toContain(`${api.url}/performance/tests/${id}`);
    // A CI job retried with the same key gets the same test, not a second one.
    const again = await cli(['run', '--api', api.url, def, ...key], { timeoutMs: 15_000 });
    expect(again.code).toBe(0);
    expect(idOf(again.stdout)).toBe(id);
    expect(again.stdout).toContain('already started with this idempotency key');
    const done = await waitFor(api.url, id, isFinished, 20_000);
    expect(done.status).toBe('passed');
  });

  it('rejects --workers with --api and outputs without --wait', async () => {
    const r1 = await cli(['run', '--api', api.url, '--workers', '2', 'x.json']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('--workers does not apply with --api');
    const r2 = await cli(['run', '--api', api.url, 'x.json', '--out', 'x.json']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('--out needs --wait');
  });
});

describe('SigV4 signing', () => {
  interface Seen {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const creds = {
    accessKeyId: 'AKIDTHROUGHLINE',
    secretAccessKey: 'secret/key+test',
    sessionToken: 'token-123',
  };
  const awsEnv = {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
  };
  let fake: TestServer;
  let seen: Seen[] = [];
  /** Status answers to the next POSTs before the 202 (to exercise retries). */
  let postFailures: number[] = [];
  let results: unknown;

  beforeAll(async () => {
    const created = await call(api.url, 'POST', '/performance/tests', {
      body: definition('for-the-fake', '1s', { http_req_failed: ['rate<0.01'] }),
    });
    await waitFor(api.url, created.body.id, isFinished, 20_000);
    results = (await call(api.url, 'GET', `/performance/tests/${created.body.id}/results`)).body;
    fake = await startHttp((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(value));
        };
        const test = { id: 'fake-1', name: 'for-the-fake', phase: 'finished', links: {} };
        if (req.method === 'POST') {
          const failure = postFailures.shift();
          if (failure)
            return json(
              failure,
              { error: { code: 'E_INTERNAL', message: 'try again' } },
              { 'retry-after': '0' },
            );
          return json(202, { ...test, status: 'queued', phase: 'queued' });
        }
        if (req.url === '/v1/performance/tests/fake-1') return json(200, { ...test, status: 'passed' });
        if (req.url === '/v1/performance/tests/fake-1/results') return json(200, results);
        json(404, { error: { code: 'E_NOT_FOUND', message: 'no route' } });
      });
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  const amzDate = (s: string) =>
    new Date(s.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

  /**
   * Signs the request as received again, over exactly the headers it says it signed; the payload
   * hash is computed from the body received, not taken from the request's x-amz-content-sha256.
   */
  async function resign(s: Seen, body = s.body): Promise<string | undefined> {
    const auth = String(s.headers.authorization);
    const signedHeaders = (/SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '').split(';');
    const url = new URL(s.url, fake.url);
    const signer = new SignatureV4({
      service: 'execute-api',
      region: 'eu-west-1',
      credentials: creds,
      sha256: Hash.bind(null, 'sha256'),
    });
    const again = await signer.sign(
      {
        method: s.method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: {
          ...Object.fromEntries(signedHeaders.map((h) => [h, String(s.headers[h])])),
          ...(signedHeaders.includes('x-amz-content-sha256')
            ? { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') }
            : {}),
        },
        ...(body ? { body } : {}),
      },
      { signingDate: amzDate(String(s.headers['x-amz-date'])) },
    );
    return again.headers.authorization;
  }

  it('signs every request for execute-api in the given region with the chain credentials', async () => {
    seen = [];
    postFailures = [503, 429];
    const def = await file('signed.json', definition('for-the-fake', '1s', {}));
    const out = join(dir, 'signed-results.json');
    const r = await cli(
      ['run', '--api', `${fake.url}/v1`, def, '--wait', '--region', 'eu-west-1', '--out', out],
      {
        env: awsEnv,
      },
    );
    expect(r.stderr).not.toContain('throughline:');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(results);
    // Two refusals, then the 202: one logical start, one idempotency key on every attempt.
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(3);
    const key = posts[0]?.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    for (const p of posts) expect(p.headers['idempotency-key']).toBe(key);
    expect(JSON.parse(posts[2]?.body ?? '')).toEqual(JSON.parse(readFileSync(def, 'utf8')));
    expect(seen.map((s) => `${s.method} ${s.url}`).slice(3)).toEqual([
      'GET /v1/performance/tests/fake-1',
      'GET /v1/performance/tests/fake-1/results',
    ]);

    for (const s of seen) {
      const date = String(s.headers['x-amz-date']);
      expect(date).toMatch(/^\d{8}T\d{6}Z$/);
      expect(s.headers['x-amz-security-token']).toBe(creds.sessionToken);
      const auth = String(s.headers.authorization);
      expect(auth).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${date.slice(0, 8)}/eu-west-1/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]*\\bhost\\b[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(await resign(s)).toBe(auth);
    }
    const post = posts[2] as Seen;
    expect(String(post.headers.authorization)).toContain('idempotency-key');
    expect(await resign(post, post.body.replace('for-the-fake', 'tampered'))).not.toBe(
      post.headers.authorization,
    );
  });

  it('sends no signature to loopback when the chain finds no credentials', async () => {
    seen = [];
    const def = await file('unsigned.json', definition('for-the-fake', '1s', {}));
    const r = await cli(['run', '--api', `${fake.url}/v1`, def], { timeoutMs: 15_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${fake.url}/v1/performance/tests/fake-1`);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses a remote API without credentials, naming the credential chain', async () => {
    const def = await file('nocreds.json', definition('nocreds', '1s', {}));
    const r = await cli(['run', '--api', 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1', def], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no AWS credentials');
    expect(r.stderr).toContain('credential chain');
  });
});
