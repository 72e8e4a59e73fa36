import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryHistory } from '../../lambdas/adapters/aws/dynamo-history';
import { createAwsTestStore } from '../../lambdas/adapters/aws/dynamo-test-store';
import { toItem } from '../../lambdas/adapters/aws/test-table';
import type { TestRecord } from '../../lambdas/ports/test-store';
import {
  awsClientConfig,
  createTestBucket,
  createTestTable,
  deleteTestBucket,
  deleteTestTable,
  type Moto,
  startMoto,
} from '../helpers/moto';
import { testStoreContract } from './test-store.contract';
import { makeRecord, sampleResults } from './test-store.fixtures';

// The DynamoDB + S3 adapter against a real moto server: one server for the file, a fresh table and
// bucket for every test.

let moto: Moto;
let dynamo: DynamoDBClient;
let s3: S3Client;
beforeAll(async () => {
  moto = await startMoto();
  dynamo = new DynamoDBClient(awsClientConfig(moto.endpoint));
  s3 = new S3Client(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  dynamo?.destroy();
  s3?.destroy();
  await moto?.stop();
});

async function freshStore(now?: () => number) {
  const suffix = randomUUID().slice(0, 8);
  const tableName = `tests-${suffix}`;
  const bucket = `results-${suffix}`;
  await createTestTable(dynamo, tableName);
  await createTestBucket(s3, bucket);
  const doc = DynamoDBDocumentClient.from(dynamo);
  const store = createAwsTestStore({ dynamo: doc, s3, tableName, bucket, ...(now ? { now } : {}) });
  return {
    store,
    doc,
    tableName,
    bucket,
    // The test item alone, as a writer that bypassed the store (or an older version) left it.
    async bypassPut(record: TestRecord) {
      await doc.send(new PutCommand({ TableName: tableName, Item: toItem(record) }));
      return store;
    },
    async cleanup() {
      await deleteTestTable(dynamo, tableName);
      await deleteTestBucket(s3, bucket);
    },
  };
}

testStoreContract('AWS (DynamoDB + S3 on moto)', () => freshStore());

describe('AWS test store specifics', () => {
  let fixture: Awaited<ReturnType<typeof freshStore>> | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('stops a page after its round trips with a cursor that still makes progress', async () => {
    fixture = await freshStore();
    for (let n = 1; n <= 10; n++)
      await fixture.store.create(makeRecord(n, { tags: { pick: n === 1 ? 'yes' : 'no' } }));
    const tuning = { maxRoundTrips: 2, filteredRead: 2 };
    const query = { limit: 1, tag: { key: 'pick', value: 'yes' } };
    const seen: TestRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryHistory(
        fixture.doc,
        fixture.tableName,
        cursor ? { ...query, cursor } : query,
        tuning,
      );
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    // 10 items, 2 per query, 2 queries per page: the match is found on the third page (a fourth,
    // empty page is allowed when DynamoDB cannot tell that the index ended).
    expect(seen.map((r) => r.id)).toEqual([makeRecord(1).id]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pages).toBeLessThanOrEqual(4);
  });

  it('fills a page across several queries when the filter discards most items', async () => {
    fixture = await freshStore();
    for (let n = 1; n <= 9; n++)
      await fixture.store.create(makeRecord(n, { tags: { pick: n % 4 === 1 ? 'yes' : 'no' } }));
    const page = await queryHistory(
      fixture.doc,
      fixture.tableName,
      { limit: 2, tag: { key: 'pick', value: 'yes' } },
      { maxRoundTrips: 20, filteredRead: 2 },
    );
    expect(page.items.map((r) => r.id)).toEqual([makeRecord(9).id, makeRecord(5).id]);
    expect(page.nextCursor).toBeDefined();
  });

  it('rejects a history limit outside 1–100', async () => {
    fixture = await freshStore();
    for (const limit of [0, 101, 1.5])
      await expect(fixture.store.list({ limit })).rejects.toThrow(RangeError);
  });

  it('lets an expired idempotency key be used again, even before TTL deletes it', async () => {
    let now = Date.parse('2025-01-15T10:00:00Z');
    fixture = await freshStore(() => now);
    await fixture.store.create(makeRecord(1, { idempotencyKey: 'k' }));
    now += 23 * 3_600_000;
    expect((await fixture.store.create(makeRecord(2, { idempotencyKey: 'k' }))).created).toBe(false);
    now += 2 * 3_600_000;
    const again = await fixture.store.create(makeRecord(3, { idempotencyKey: 'k' }));
    expect(again).toEqual({ record: makeRecord(3, { idempotencyKey: 'k' }), created: true });
  });

  it('stores results gzip-compressed as results/<id>.json', async () => {
    fixture = await freshStore();
    await fixture.store.putResults('01JX', sampleResults);
    const head = await s3.send(new HeadObjectCommand({ Bucket: fixture.bucket, Key: 'results/01JX.json' }));
    expect(head.ContentType).toBe('application/json');
    expect(head.ContentEncoding).toBe('gzip');
    expect(head.ContentLength).toBeLessThan(JSON.stringify(sampleResults).length / 2);
  });
});
