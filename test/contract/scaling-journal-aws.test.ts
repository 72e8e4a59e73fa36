import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDynamoScalingJournal,
  ScalingJournalError,
} from '../../lambdas/adapters/aws/dynamo-scaling-journal';
import { createAwsTestStore } from '../../lambdas/adapters/aws/dynamo-test-store';
import type { ScalingJournalEntry } from '../../lambdas/ports/scaling';
import {
  awsClientConfig,
  createTestBucket,
  createTestTable,
  deleteTestBucket,
  deleteTestTable,
  type Moto,
  startMoto,
} from '../helpers/moto';
import { scalingJournalContract } from './scaling-journal.contract';
import { makeRecord } from './test-store.fixtures';

// The DynamoDB journal against a real moto server, in the test store's own table: one server for
// the file, a fresh table for every test.

let moto: Moto;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  moto = await startMoto();
  dynamo = new DynamoDBClient(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  dynamo?.destroy();
  await moto?.stop();
});

async function freshJournal() {
  const tableName = `journal-${randomUUID().slice(0, 8)}`;
  await createTestTable(dynamo, tableName);
  const doc = DynamoDBDocumentClient.from(dynamo);
  return {
    journal: createDynamoScalingJournal({ dynamo: doc, tableName }),
    doc,
    tableName,
    cleanup: () => deleteTestTable(dynamo, tableName),
  };
}

scalingJournalContract('AWS (DynamoDB on moto)', freshJournal);

const entry = (n: number, target = 'api-get-test'): ScalingJournalEntry => ({
  id: `01JE${n}`,
  target,
  at: new Date(Date.UTC(2025, 2, 10, 8, n)).toISOString(),
  action: 'manual',
  actor: 'local',
  capacity: n,
  before: { min: 1, max: 4, current: 1 },
});

describe('DynamoDB scaling journal specifics', () => {
  let fixture: Awaited<ReturnType<typeof freshJournal>> | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('rejects a duplicate id with a stable code and the SDK error as cause', async () => {
    fixture = await freshJournal();
    await fixture.journal.record(entry(1));
    const err = await fixture.journal
      .record({ ...entry(1, 'cache-shards'), at: entry(7).at })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ScalingJournalError);
    expect(err.code).toBe('E_DUPLICATE_JOURNAL_ID');
    expect((err.cause as Error).name).toBe('TransactionCanceledException');
  });

  it('lives beside tests without showing up in their history or status queries', async () => {
    fixture = await freshJournal();
    const s3 = new S3Client(awsClientConfig(moto.endpoint));
    const bucket = `journal-${randomUUID().slice(0, 8)}`;
    await createTestBucket(s3, bucket);
    try {
      const store = createAwsTestStore({ dynamo: fixture.doc, s3, tableName: fixture.tableName, bucket });
      await store.create(makeRecord(1));
      await fixture.journal.record(entry(1));
      await fixture.journal.record(entry(2, 'cache-shards'));
      expect((await store.list({ limit: 100 })).items.map((r) => r.id)).toEqual([makeRecord(1).id]);
      expect((await store.listByStatus([makeRecord(1).status])).map((r) => r.id)).toEqual([makeRecord(1).id]);
      expect(await store.get(entry(1).id)).toBeUndefined();
      // Each entry: per-target item, cross-target item and id claim; none carries an index key.
      const items = (await fixture.doc.send(new ScanCommand({ TableName: fixture.tableName }))).Items ?? [];
      const journalItems = items.filter((i) => String(i.pk).startsWith('SCALING#'));
      expect(journalItems).toHaveLength(6);
      for (const i of journalItems) expect(Object.keys(i).some((k) => k.startsWith('gsi'))).toBe(false);
      expect(await fixture.journal.list({ limit: 10 })).toEqual([entry(2, 'cache-shards'), entry(1)]);
    } finally {
      await deleteTestBucket(s3, bucket);
      s3.destroy();
    }
  });

  it('follows DynamoDB pages until the limit is met', async () => {
    fixture = await freshJournal();
    // ~40 KB per entry: a 1 MB query page holds about 25, so 60 entries need several pages.
    const reason = 'x'.repeat(40_000);
    for (let n = 0; n < 60; n++) await fixture.journal.record({ ...entry(n), reason });
    const all = await fixture.journal.list({ limit: 60 });
    expect(all.map((e) => e.capacity)).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    expect((await fixture.journal.list({ limit: 45 })).length).toBe(45);
  });

  it('refuses a time that is not ISO 8601 and a limit outside 1–1000', async () => {
    fixture = await freshJournal();
    await expect(fixture.journal.record({ ...entry(1), at: 'yesterday' })).rejects.toThrow(RangeError);
    for (const limit of [0, 1_001, 2.5])
      await expect(fixture.journal.list({ limit })).rejects.toThrow(RangeError);
  });
});
