import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ReportPublisher } from '../../lambdas/adapters/aws/s3-report-publisher';
import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { systemClock } from '../../lambdas/adapters/node/clock';
import { REPORT_CSP, renderReport } from '../../lambdas/core/report/rendered';
import { aggregateStep } from '../../lambdas/core/run/aggregate';
import type { PlatformDeps } from '../../lambdas/core/tests/test-service';
import { getResultsHandler } from '../../lambdas/entrypoints/http/handlers';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
import { healthyReport, makeWindow } from '../contract/run-store.contract';
import { apiEvent, lambdaContext } from '../helpers/api-event';
import { storeTest } from '../helpers/definitions';
import { awsClientConfig, createTestBucket, deleteTestBucket, type Moto, startMoto } from '../helpers/moto';

// The aggregate step publishes a finished test's reports where the CDN reads them (S3
// reports/<id>/…, through Origin Access Control; ADR 006): real S3 API (moto), real stores.

let moto: Moto;
let s3: S3Client;
let dir: string;
let tests: TestStore;
let runs: RunStore;
const bucket = `reports-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client(awsClientConfig(moto.endpoint));
  await createTestBucket(s3, bucket);
  dir = await mkdtemp(join(tmpdir(), 'throughline-published-'));
  tests = createFileTestStore(dir);
  runs = createFileRunStore(dir);
});
afterAll(async () => {
  await deleteTestBucket(s3, bucket).catch(() => {});
  s3?.destroy();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

const definition = {
  name: 'published',
  baseUrl: 'http://127.0.0.1:9',
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '3s', requests: [{ path: '/' }] } },
};

/** A run whose two workers wrote three windows each and reported: ready to aggregate. */
async function finishedRun(id: string) {
  await storeTest(tests, runs, id, definition, 'running');
  const startAtMs = Date.now() - 3_000;
  const segments = ['0/1:1/2', '1/2:1/1'];
  await runs.putPlanItems(
    id,
    segments.map((segment, worker) => ({ testId: id, segment, worker, startAtMs, timeoutSeconds: 60 })),
  );
  for (const worker of [0, 1]) {
    for (const index of [0, 1, 2]) await runs.putWindow(id, { ...makeWindow(index, worker) });
    await runs.putWorkerReport(id, healthyReport(worker, segments[worker] as string));
  }
}

async function object(key: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { ...out, text: await out.Body?.transformToString() };
}

const listed = async (prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [])
    .map((o) => o.Key)
    .sort();

describe('published reports', () => {
  it('are every format the API offers, under reports/<id>/, typed, with the CDN TTLs and download names', async () => {
    await finishedRun('pub-1');
    const publisher = createS3ReportPublisher(s3, bucket, { data: 86_400, report: 604_800 });
    const out = await aggregateStep({ tests, runs, clock: systemClock, reports: publisher }, 'pub-1');
    expect(out.status).toBe('passed');
    expect(await listed('reports/pub-1/')).toEqual([
      'reports/pub-1/junit.xml',
      'reports/pub-1/report.html',
      'reports/pub-1/requests.csv',
      'reports/pub-1/results.json',
      'reports/pub-1/timeseries.csv',
    ]);
    const results = await tests.getResults('pub-1');
    if (!results) throw new Error('no results stored');
    const json = await object('reports/pub-1/results.json');
    expect(json.ContentType).toBe('application/json; charset=utf-8');
    expect(json.CacheControl).toBe('public, max-age=86400');
    expect(JSON.parse(json.text ?? '')).toEqual(results);
    const html = await object('reports/pub-1/report.html');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    // The page is shared and viewed: the edge keeps it longer, browsers as long as the data.
    expect(html.CacheControl).toBe('public, max-age=86400, s-maxage=604800');
    expect(html.text).toBe(renderReport('pub-1', results, 'html').body);
    const csv = await object('reports/pub-1/timeseries.csv');
    expect(csv.ContentType).toBe('text/csv; charset=utf-8');
    expect(csv.ContentDisposition).toBe('inline; filename="throughline-pub-1-timeseries.csv"');
    expect(csv.text).toBe(renderReport('pub-1', results, 'csv', 'timeseries').body);
    const junit = await object('reports/pub-1/junit.xml');
    expect(junit.ContentType).toBe('application/xml; charset=utf-8');
    expect(junit.text).toContain('<testsuites');
  });

  it('are the same bytes the API answers for each format', async () => {
    const platform = { store: tests, clock: systemClock } as unknown as PlatformDeps;
    const handler = getResultsHandler({ platform, log: { info: () => {}, error: () => {} } });
    for (const [file, format, table] of [
      ['results.json', 'json', undefined],
      ['requests.csv', 'csv', 'requests'],
      ['timeseries.csv', 'csv', 'timeseries'],
      ['junit.xml', 'junit', undefined],
      ['report.html', 'html', undefined],
    ] as const) {
      const query: Record<string, string> = { format, ...(table ? { table } : {}) };
      const res = await handler(
        apiEvent('GET', '/performance/tests/pub-1/results', { pathParameters: { id: 'pub-1' }, query }),
        lambdaContext,
      );
      const published = await object(`reports/pub-1/${file}`);
      expect(res.statusCode).toBe(200);
      expect(published.text).toBe(res.body);
      expect(published.ContentType).toBe(res.headers?.['content-type']);
      if (format === 'html') expect(res.headers?.['content-security-policy']).toBe(REPORT_CSP);
    }
  });

  it('are published again by a retried aggregate step after a failed upload, the stored results unchanged', async () => {
    await finishedRun('pub-2');
    // The first upload fails (a throttled PutObject): the step fails and Step Functions retries it.
    let failures = 1;
    const flaky = new S3Client(awsClientConfig(moto.endpoint));
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === PutObjectCommand.name && failures-- > 0)
          throw Object.assign(new Error('SlowDown'), { name: 'SlowDown' });
        return next(args);
      },
      { step: 'initialize', name: 'failOnce' },
    );
    const publisher = createS3ReportPublisher(flaky, bucket, { data: 60, report: 600 });
    const deps = { tests, runs, clock: systemClock, reports: publisher };
    await expect(aggregateStep(deps, 'pub-2')).rejects.toThrow('SlowDown');
    const first = await tests.getResults('pub-2');
    expect(first?.status).toBe('passed');
    const retried = await aggregateStep(deps, 'pub-2');
    expect(retried.status).toBe('passed');
    expect(await tests.getResults('pub-2')).toEqual(first);
    expect(await listed('reports/pub-2/')).toHaveLength(5);
    flaky.destroy();
  });

  it('are not published without a publisher (no CDN)', async () => {
    await finishedRun('pub-3');
    await aggregateStep({ tests, runs, clock: systemClock }, 'pub-3');
    expect(await listed('reports/pub-3/')).toEqual([]);
  });
});
