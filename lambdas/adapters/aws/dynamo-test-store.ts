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
import { ACTIVE_STATUSES } from '../../core/run/verdict';
import { ThroughlineError } from '../../model/errors';
import type { TestStatus } from '../../model/results';
import { ActiveLimitError, type TestPatch, type TestRecord, type TestStore } from '../../ports/test-store';
import { queryHistory } from './dynamo-history';
import { createS3Results } from './s3-results';
import {
  fromItem,
  IDEMPOTENCY_TTL_SECONDS,
  type Item,
  idemKey,
  JSON_FIELDS,
  SLOT_HOLDERS,
  SLOTS_KEY,
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
 *
 * Active slots (the `maxActive` of create): the item `pk=QUOTA#active` holds the set of the active
 * tests' ids. A create of an active record adds its id in the transaction that puts the test (under
 * `size(holders) < :limit` when a limit is given), so N instances creating at once get exactly the
 * free slots. An update to an ended status from an active one removes the id in one transaction
 * with the status condition; from an ended status it is a plain update. `repairActiveCount` drops
 * holders whose test is not active (a consistent read of each) and adds active tests the byStatus
 * index shows that hold no slot (each under a condition that it is still active), so the index lag
 * can never free a slot that a new test holds.
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
  'phase',
  'quietUntil',
  'summary',
  'error',
];
/**
 * Concurrent creates with one idempotency key, or taking slots at once, collide inside DynamoDB's
 * transaction manager (TransactionConflict): retried with jittered backoff.
 */
const TRANSACTION_ATTEMPTS = 6;
const isActive = (status: TestStatus) => ACTIVE_STATUSES.includes(status);
const holderSet = (ids: readonly string[]) => new Set(ids);

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

  /**
   * Writes the test, claims its key and takes its slot atomically; a live claim by another test
   * wins (a replay, no slot taken), then a duplicate id, then a full set of slots.
   */
  const createTransactional = async (record: TestRecord, key: string | undefined, maxActive?: number) => {
    const nowSeconds = Math.floor(now() / 1000);
    const test = {
      Put: { TableName: tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' },
    };
    const claim =
      key === undefined
        ? undefined
        : {
            Put: {
              TableName: tableName,
              Item: { ...idemKey(key), testId: record.id, expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS },
              // TTL deletes lazily (up to days late): an expired claim is as good as none.
              ConditionExpression: 'attribute_not_exists(pk) OR #expiresAt < :now',
              ExpressionAttributeNames: { '#expiresAt': TEST_TABLE_SCHEMA.ttlAttribute },
              ExpressionAttributeValues: { ':now': nowSeconds },
            },
          };
    const slot = isActive(record.status)
      ? {
          Update: {
            TableName: tableName,
            Key: SLOTS_KEY,
            UpdateExpression: 'ADD #holders :id',
            ExpressionAttributeNames: { '#holders': SLOT_HOLDERS },
            ...(maxActive === undefined
              ? { ExpressionAttributeValues: { ':id': holderSet([record.id]) } }
              : {
                  ConditionExpression: 'attribute_not_exists(#holders) OR size(#holders) < :limit',
                  ExpressionAttributeValues: { ':id': holderSet([record.id]), ':limit': maxActive },
                }),
          },
        }
      : undefined;
    const items = [test, claim, slot];
    const transactItems = items.filter((i) => i !== undefined);
    for (let attempt = 1; ; attempt++) {
      try {
        await dynamo.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return { record, created: true };
      } catch (err) {
        if (errorName(err) !== 'TransactionCanceledException') throw err;
        const codes = cancellationCodes(err);
        const failed = (item: (typeof items)[number]) =>
          item !== undefined && codes[transactItems.indexOf(item)] === 'ConditionalCheckFailed';
        if (key !== undefined && failed(claim)) return existingFor(key, err);
        if (failed(test)) throw duplicate(record, err);
        if (maxActive !== undefined && failed(slot)) throw new ActiveLimitError(maxActive);
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

  /** The SET expression of `patch` and its condition: the record exists, its status in / not in a list. */
  const patchExpression = (
    patch: TestPatch,
    status?: { readonly in?: readonly TestStatus[]; readonly notIn?: readonly TestStatus[] },
  ) => {
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
    const list = status?.in ?? status?.notIn;
    if (list !== undefined) {
      names['#status'] = 'status';
      list.forEach((s, i) => {
        values[`:s${i}`] = s;
      });
      const inList = `#status IN (${list.map((_, i) => `:s${i}`).join(', ')})`;
      condition += status?.in ? ` AND ${inList}` : ` AND NOT (${inList})`;
    }
    return {
      TableName: tableName,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      empty: sets.length === 0,
    };
  };

  const plainUpdate = async (
    id: string,
    patch: TestPatch,
    status?: { readonly in?: readonly TestStatus[]; readonly notIn?: readonly TestStatus[] },
  ) => {
    const { empty, ...expression } = patchExpression(patch, status);
    try {
      const res = await dynamo.send(
        new UpdateCommand({ ...expression, Key: testKey(id), ReturnValues: 'ALL_NEW' }),
      );
      return res.Attributes ? fromItem(res.Attributes) : undefined;
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  };

  /** Ends an active test and releases its slot in one transaction; false when its status was not one of `from`. */
  const endAndRelease = async (id: string, patch: TestPatch, from: readonly TestStatus[]) => {
    const { empty: _empty, ...expression } = patchExpression(patch, { in: from });
    const release = {
      Update: {
        TableName: tableName,
        Key: SLOTS_KEY,
        UpdateExpression: 'DELETE #holders :id',
        ExpressionAttributeNames: { '#holders': SLOT_HOLDERS },
        ExpressionAttributeValues: { ':id': holderSet([id]) },
      },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: { ...expression, Key: testKey(id) } }, release],
          }),
        );
        return true;
      } catch (err) {
        if (errorName(err) !== 'TransactionCanceledException') throw err;
        if (cancellationCodes(err)[0] === 'ConditionalCheckFailed') return false;
        if (attempt >= TRANSACTION_ATTEMPTS)
          throw new AwsTestStoreError('E_TRANSACTION_CONFLICT', `could not update test "${id}"`, {
            cause: err,
          });
        await delay(20 * 2 ** attempt * Math.random());
      }
    }
  };

  const update = async (id: string, patch: TestPatch, ifStatusIn?: readonly TestStatus[]) => {
    const unknown = Object.keys(patch).filter((k) => !PATCHABLE.includes(k as keyof TestPatch));
    if (unknown.length > 0) throw new TypeError(`fields not patchable: ${unknown.join(', ')}`);
    // No status can match an empty list (and DynamoDB rejects an empty IN).
    if (ifStatusIn !== undefined && ifStatusIn.length === 0) return undefined;
    if (patchExpression(patch).empty) {
      // Nothing to write: a consistent read answers the same question.
      const current = await get(id);
      return current && (ifStatusIn === undefined || ifStatusIn.includes(current.status))
        ? current
        : undefined;
    }
    if (patch.status === undefined || isActive(patch.status))
      return plainUpdate(id, patch, ifStatusIn && { in: ifStatusIn });
    // To an ended status: from an active one it releases the slot, from an ended one it is plain.
    const fromActive = (ifStatusIn ?? ACTIVE_STATUSES).filter(isActive);
    if (fromActive.length > 0 && (await endAndRelease(id, patch, fromActive))) return get(id);
    if (ifStatusIn === undefined) return plainUpdate(id, patch, { notIn: ACTIVE_STATUSES });
    const fromEnded = ifStatusIn.filter((s) => !isActive(s));
    return fromEnded.length > 0 ? plainUpdate(id, patch, { in: fromEnded }) : undefined;
  };

  /**
   * Drops holders whose test is not active (consistent reads) and adds the active tests the
   * byStatus index lists without a slot, each under a check that it is still active.
   */
  const repairActiveCount = async (): Promise<number> => {
    const holders = async () => {
      const res = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: SLOTS_KEY, ConsistentRead: true }),
      );
      return [...((res.Item?.[SLOT_HOLDERS] as Set<string> | undefined) ?? [])];
    };
    const held = await holders();
    const records = await Promise.all(held.map(get));
    const stale = held.filter((_, i) => {
      const r = records[i];
      return !r || !isActive(r.status);
    });
    if (stale.length > 0)
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: SLOTS_KEY,
          UpdateExpression: 'DELETE #holders :ids',
          ExpressionAttributeNames: { '#holders': SLOT_HOLDERS },
          ExpressionAttributeValues: { ':ids': holderSet(stale) },
        }),
      );
    const heldIds = new Set(held);
    const uncounted = (await listByStatus(ACTIVE_STATUSES)).filter((r) => !heldIds.has(r.id));
    for (const r of uncounted) {
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: testKey(r.id),
                  ConditionExpression: `#status IN (${ACTIVE_STATUSES.map((_, i) => `:a${i}`).join(', ')})`,
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: Object.fromEntries(
                    ACTIVE_STATUSES.map((st, i) => [`:a${i}`, st]),
                  ),
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: SLOTS_KEY,
                  UpdateExpression: 'ADD #holders :id',
                  ExpressionAttributeNames: { '#holders': SLOT_HOLDERS },
                  ExpressionAttributeValues: { ':id': holderSet([r.id]) },
                },
              },
            ],
          }),
        );
      } catch (err) {
        // It ended since the index was read (its end released nothing): it holds no slot.
        if (errorName(err) !== 'TransactionCanceledException') throw err;
      }
    }
    return (await holders()).length;
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

  async function listByStatus(statuses: readonly TestStatus[]): Promise<readonly TestRecord[]> {
    const pages = await Promise.all([...new Set(statuses)].map(byStatus));
    // A record changing status between two queries may be read under both.
    const byId = new Map(pages.flat().map((r) => [r.id, r]));
    return [...byId.values()];
  }

  return {
    create: (record, options) =>
      record.idempotencyKey === undefined && !isActive(record.status)
        ? createPlain(record)
        : createTransactional(record, record.idempotencyKey, options?.maxActive),
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
    listByStatus,
    repairActiveCount,
  };
}
