import { setTimeout as delay } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ThroughlineError } from '../../model/errors';
import type { TestStatus } from '../../model/results';
import type { TestPatch, TestRecord, TestStore } from '../../ports/test-store';
import { queryHistory } from './dynamo-history';
import { createS3Results } from './s3-results';
import {
  fromItem,
  IDEMPOTENCY_TTL_SECONDS,
  type Item,
  idemKey,
  JSON_FIELDS,
  statusPk,
  TEST_TABLE_SCHEMA,
  testKey,
  toItem,
} from './test-table';

/**
 * The AWS adapter of the test store: records in one DynamoDB table, results documents in S3.
 *
 * Table (exported as TEST_TABLE_SCHEMA, created by the CDK construct and by the tests from it):
 * `pk`/`sk` strings, on-demand, TTL on `expiresAt`.
 * - test `pk=TEST#<id>, sk=TEST`; idempotency `pk=IDEM#<key>, sk=IDEM` with `testId`, `expiresAt`.
 * - GSIs, all projecting ALL, all sorted on `<createdAt>#<id>`: `byCreated` (gsi1pk=`TESTS`),
 *   `byName` (gsi2pk=`NAME#<name>`), `byStatus` (gsi3pk=`STATUS#<status>`).
 * See test-table.ts for the attribute encodings.
 *
 * Reads of one record are strongly consistent; history and listByStatus read GSIs, which DynamoDB
 * keeps eventually consistent (typically well under a second behind a write).
 */
export { TEST_TABLE_SCHEMA } from './test-table';

export interface AwsTestStoreOptions {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly tableName: string;
  readonly bucket: string;
  /** Epoch ms, for idempotency expiry. Default: Date.now. */
  readonly now?: () => number;
}

/** Stable codes of this adapter's own errors; `cause` keeps the SDK error. */
export class AwsTestStoreError extends ThroughlineError {
  declare readonly code: 'E_DUPLICATE_TEST_ID' | 'E_IDEMPOTENCY_DANGLING' | 'E_TRANSACTION_CONFLICT';
  constructor(
    code: 'E_DUPLICATE_TEST_ID' | 'E_IDEMPOTENCY_DANGLING' | 'E_TRANSACTION_CONFLICT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'AwsTestStoreError';
  }
}

const PATCHABLE: readonly (keyof TestPatch)[] = [
  'status',
  'updatedAt',
  'startedAt',
  'endedAt',
  'cancelRequested',
  'interruptRequested',
  'abortedBy',
  'live',
  'summary',
  'error',
];
/** Concurrent creates with one idempotency key can collide inside DynamoDB's transaction manager. */
const TRANSACTION_ATTEMPTS = 4;

const errorName = (err: unknown) => (err instanceof Error ? err.name : '');
const cancellationCodes = (err: unknown): readonly (string | undefined)[] =>
  ((err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code);

export function createAwsTestStore(o: AwsTestStoreOptions): TestStore {
  const { dynamo, tableName } = o;
  const now = o.now ?? Date.now;
  const results = createS3Results(o.s3, o.bucket);

  const get = async (id: string): Promise<TestRecord | undefined> => {
    const res = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: testKey(id), ConsistentRead: true }),
    );
    return res.Item ? fromItem(res.Item) : undefined;
  };

  const duplicate = (record: TestRecord, cause: unknown) =>
    new AwsTestStoreError('E_DUPLICATE_TEST_ID', `a test with id "${record.id}" already exists`, { cause });

  const createPlain = async (record: TestRecord) => {
    try {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') throw duplicate(record, err);
      throw err;
    }
    return { record, created: true };
  };

  /** Writes the test and claims its key atomically; a live claim by another test wins. */
  const createIdempotent = async (record: TestRecord, key: string) => {
    const nowSeconds = Math.floor(now() / 1000);
    const claim = {
      Put: {
        TableName: tableName,
        Item: { ...idemKey(key), testId: record.id, expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS },
        // TTL deletes lazily (up to days late): an expired claim is as good as none.
        ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#expiresAt': TEST_TABLE_SCHEMA.ttlAttribute },
        ExpressionAttributeValues: { ':now': nowSeconds },
      },
    };
    const test = {
      Put: { TableName: tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await dynamo.send(new TransactWriteCommand({ TransactItems: [test, claim] }));
        return { record, created: true };
      } catch (err) {
        if (errorName(err) !== 'TransactionCanceledException') throw err;
        const [testCode, claimCode] = cancellationCodes(err);
        if (claimCode === 'ConditionalCheckFailed') return existingFor(key, err);
        if (testCode === 'ConditionalCheckFailed') throw duplicate(record, err);
        if (attempt >= TRANSACTION_ATTEMPTS)
          throw new AwsTestStoreError('E_TRANSACTION_CONFLICT', `could not create test "${record.id}"`, {
            cause: err,
          });
        await delay(20 * 2 ** attempt * Math.random());
      }
    }
  };

  const existingFor = async (key: string, cause: unknown) => {
    const claim = await dynamo.send(
      new GetCommand({ TableName: tableName, Key: idemKey(key), ConsistentRead: true }),
    );
    const testId = claim.Item?.testId;
    const existing = typeof testId === 'string' ? await get(testId) : undefined;
    if (!existing)
      throw new AwsTestStoreError('E_IDEMPOTENCY_DANGLING', `idempotency key "${key}" names no stored test`, {
        cause,
      });
    return { record: existing, created: false };
  };

  const update = async (id: string, patch: TestPatch, ifStatusIn?: readonly TestStatus[]) => {
    const unknown = Object.keys(patch).filter((k) => !PATCHABLE.includes(k as keyof TestPatch));
    if (unknown.length > 0) throw new TypeError(`fields not patchable: ${unknown.join(', ')}`);
    // No status can match an empty list (and DynamoDB rejects an empty IN).
    if (ifStatusIn !== undefined && ifStatusIn.length === 0) return undefined;
    const names: Record<string, string> = { '#pk': 'pk' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const set = (attribute: string, value: unknown) => {
      const n = sets.length;
      names[`#f${n}`] = attribute;
      values[`:f${n}`] = value;
      sets.push(`#f${n} = :f${n}`);
    };
    for (const field of PATCHABLE) {
      const value = patch[field];
      if (value === undefined) continue;
      set(field, (JSON_FIELDS as readonly string[]).includes(field) ? JSON.stringify(value) : value);
      if (field === 'status')
        set(TEST_TABLE_SCHEMA.indexes.byStatus.partitionKey, statusPk(value as TestStatus));
    }
    let condition = 'attribute_exists(#pk)';
    if (ifStatusIn !== undefined) {
      names['#status'] = 'status';
      ifStatusIn.forEach((s, i) => {
        values[`:s${i}`] = s;
      });
      condition += ` AND #status IN (${ifStatusIn.map((_, i) => `:s${i}`).join(', ')})`;
    }
    if (sets.length === 0) {
      // Nothing to write: a consistent read answers the same question.
      const current = await get(id);
      return current && (ifStatusIn === undefined || ifStatusIn.includes(current.status))
        ? current
        : undefined;
    }
    try {
      const res = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: testKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  };

  const byStatus = async (status: TestStatus): Promise<TestRecord[]> => {
    const index = TEST_TABLE_SCHEMA.indexes.byStatus;
    const out: TestRecord[] = [];
    let startKey: Item | undefined;
    do {
      const res = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': statusPk(status) },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      out.push(...(res.Items ?? []).map(fromItem));
      startKey = res.LastEvaluatedKey;
    } while (startKey);
    return out;
  };

  return {
    create: (record) =>
      record.idempotencyKey === undefined
        ? createPlain(record)
        : createIdempotent(record, record.idempotencyKey),
    get,
    async findByIdempotencyKey(key) {
      const claim = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: idemKey(key), ConsistentRead: true }),
      );
      const live =
        typeof claim.Item?.expiresAt === 'number' && claim.Item.expiresAt >= Math.floor(now() / 1000);
      const testId = claim.Item?.testId;
      return live && typeof testId === 'string' ? get(testId) : undefined;
    },
    update,
    list: (query) => queryHistory(dynamo, tableName, query),
    putResults: (id, r) => results.put(id, r),
    getResults: (id) => results.get(id),
    async listByStatus(statuses) {
      const pages = await Promise.all([...new Set(statuses)].map(byStatus));
      // A record changing status between two queries may be read under both.
      const byId = new Map(pages.flat().map((r) => [r.id, r]));
      return [...byId.values()];
    },
  };
}
