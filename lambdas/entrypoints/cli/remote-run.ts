import { randomUUID } from 'node:crypto';
import { remoteApiClient } from '../../composition/remote';
import { cliConfig } from '../../config/cli';
import type { LiveStatus } from '../../model/live';
import type { TestStatus } from '../../model/results';
import { ApiError, type PerformanceApi, type RemoteLive, type RemoteTest } from '../../ports/performance-api';
import { createProgress } from './progress';
import { EXIT, exitCode, loadInput, type RunIo, UsageError, writeOutputs } from './run-io';
import { renderSummary } from './summary';

/** `throughline run --api <url>`: start the test through a deployed performance API, optionally follow it. */

export interface RemoteRunArgs {
  readonly api: string;
  readonly file: string | undefined;
  readonly wait?: boolean | undefined;
  readonly quiet?: boolean | undefined;
  readonly region?: string | undefined;
  readonly 'idempotency-key'?: string | undefined;
  readonly preset?: string | undefined;
  readonly target?: string | undefined;
  readonly vus?: string | undefined;
  readonly duration?: string | undefined;
  readonly rate?: string | undefined;
  readonly out?: string | undefined;
  readonly csv?: string | undefined;
  readonly junit?: string | undefined;
  readonly html?: string | undefined;
}

const POLL_MS = 1_000;
/** Polls that fail (after the client's own retries) are tolerated this long before giving up. */
const POLL_GIVE_UP_MS = 60_000;
const ACTIVE: readonly TestStatus[] = ['queued', 'running'];
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

/** `https://x/v1`, `https://x/v1/`, `https://x/v1/performance` → `https://x/v1`. */
export function apiRoot(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--api: ${JSON.stringify(raw)} is not a URL (e.g. https://abc.execute-api.eu-west-1.amazonaws.com/v1)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--api: ${JSON.stringify(raw)} must be an http:// or https:// URL`);
  if (url.search || url.hash)
    throw new UsageError(`--api: ${JSON.stringify(raw)} must not have a query or fragment`);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/performance$/, '');
  return url;
}

/** `{id}.execute-api.{region}.amazonaws.com` (also VPC endpoint and China names). */
export const regionFromHost = (host: string) =>
  /\.execute-api\.([a-z0-9-]+)\.(vpce\.)?amazonaws\.com(\.cn)?$/i.exec(host)?.[1];

/** What `POST /performance/tests` accepts: the definition as written, or a preset submission. */
async function submission(a: RemoteRunArgs): Promise<unknown> {
  const number = (v: string | undefined) =>
    v === undefined ? undefined : Number.isFinite(Number(v)) ? Number(v) : v;
  if (a.preset !== undefined) {
    if (a.file !== undefined) throw new UsageError('give either a test file or --preset, not both');
    // The API validates and reports every problem; values that are not numbers are sent as given for it to name.
    const preset = {
      preset: a.preset,
      target: a.target,
      vus: number(a.vus),
      duration: a.duration,
      rate: number(a.rate),
    };
    return Object.fromEntries(Object.entries(preset).filter(([, v]) => v !== undefined));
  }
  const misplaced = (['target', 'vus', 'duration', 'rate'] as const).filter((f) => a[f] !== undefined);
  if (misplaced.length > 0)
    throw new UsageError(misplaced.map((f) => `--${f} only applies with --preset`).join('\n'));
  if (a.file === undefined) throw new UsageError('give exactly one test file (or --preset)');
  return loadInput(a.file);
}

export function describeApiError(err: ApiError): string {
  const problems = (err.details as { problems?: unknown } | undefined)?.problems;
  const lines = [`${err.code} (HTTP ${err.status}): ${err.message}`];
  if (Array.isArray(problems))
    for (const p of problems as Record<string, unknown>[]) {
      if (typeof p?.message === 'string') lines.push(`  ${p.path ? `${p.path}: ` : ''}${p.message}`);
      else if (typeof p?.reason === 'string') lines.push(`  ${p.target ? `${p.target}: ` : ''}${p.reason}`);
      else lines.push(`  ${JSON.stringify(p)}`);
    }
  return lines.join('\n');
}

const toLiveStatus = ({ thresholdsAtRisk, ...l }: RemoteLive): LiveStatus => ({
  elapsedMs: l.elapsedMs,
  plannedMs: l.plannedMs,
  vus: l.vus,
  rps: l.rps,
  p95Ms: l.p95Ms,
  p95SoFarMs: l.p95SoFarMs,
  requests: l.requests,
  errors: l.errors,
  errorRate: l.errorRate,
  droppedIterations: l.droppedIterations,
  atRisk: thresholdsAtRisk,
  workers: l.workers,
});

/** Polls once a second until the test ends; the first interrupt (Ctrl-C, SIGTERM) cancels it. */
async function follow(api: PerformanceApi, id: string, a: RemoteRunArgs, io: RunIo): Promise<RemoteTest> {
  const progress = createProgress(io.stderr, a.quiet === true);
  let wake = () => {};
  const cancel = () => {
    io.stderr.write(`cancelling test ${id}; waiting for it to stop\n`);
    wake();
    api.cancelTest(id).catch((err: unknown) => {
      if (!(err instanceof ApiError && err.code === 'E_NOT_CANCELLABLE'))
        io.stderr.write(`throughline: cancelling ${id} failed: ${(err as Error).message}\n`);
    });
  };
  if (io.interrupt.aborted) cancel();
  else io.interrupt.addEventListener('abort', cancel, { once: true });
  let lastOk = Date.now();
  try {
    for (;;) {
      let test: RemoteTest | undefined;
      try {
        test = await api.getTest(id);
        lastOk = Date.now();
      } catch (err) {
        const transient = !(err instanceof ApiError) || err.status >= 500 || err.status === 429;
        if (!transient || Date.now() - lastOk > POLL_GIVE_UP_MS) throw err;
      }
      if (test?.live) progress.update(toLiveStatus(test.live));
      if (test && !ACTIVE.includes(test.status)) return test;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    progress.done();
    io.interrupt.removeEventListener('abort', cancel);
  }
}

export async function remoteRun(a: RemoteRunArgs, io: RunIo): Promise<number> {
  const root = apiRoot(a.api);
  const outputs = (['out', 'csv', 'junit', 'html'] as const).filter((f) => a[f] !== undefined);
  if (!a.wait && outputs.length > 0)
    throw new UsageError(
      `${outputs.map((f) => `--${f}`).join(', ')} ${outputs.length > 1 ? 'need' : 'needs'} --wait: results exist once the test has ended`,
    );
  const body = await submission(a);
  const api = await remoteApiClient(
    root,
    a.region || regionFromHost(root.hostname) || cliConfig().awsRegion,
    LOOPBACK.test(root.hostname),
  );
  if (io.interrupt.aborted) return EXIT.interrupted;
  try {
    const { test, replayed } = await api.createTest(body, a['idempotency-key'] || randomUUID());
    const url = api.testUrl(test.id);
    io.stdout.write(
      a.quiet
        ? `${test.id}\n`
        : `test ${test.id} ${test.status}${replayed ? ' (already started with this idempotency key)' : ''}: ${url}\n`,
    );
    if (!a.wait) {
      if (!io.interrupt.aborted) return EXIT.passed;
      await api.cancelTest(test.id).catch(() => {});
      return EXIT.interrupted;
    }
    const end = await follow(api, test.id, a, io);
    const results = await api.getResults(test.id).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'E_NO_RESULTS') return undefined;
      throw err;
    });
    if (!results) {
      io.stderr.write(
        `throughline: test ${test.id} ended ${end.status} without results${end.error ? `: ${end.error.message}` : ''}\n`,
      );
      return end.status === 'cancelled' ? EXIT.interrupted : EXIT.error;
    }
    await writeOutputs(results, a);
    if (!a.quiet) io.stdout.write(`${renderSummary(results)}results: ${url}/results\n`);
    return exitCode(results);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    io.stderr.write(`throughline: the API at ${root.host} answered ${describeApiError(err)}\n`);
    return EXIT.error;
  }
}
