import type { TestRecord } from '../../ports/test-store';

/**
 * The DynamoDB table of the test store, shared by the adapter, the CDK construct that creates it
 * and the tests that create it on moto, so the three cannot drift.
 *
 * Single table, every key attribute a string (S), on-demand billing, TTL on `expiresAt` (epoch s):
 *
 * | item        | pk            | sk     | gsi1pk/gsi1sk        | gsi2pk/gsi2sk                | gsi3pk/gsi3sk                     |
 * |-------------|---------------|--------|----------------------|------------------------------|-----------------------------------|
 * | test        | `TEST#<id>`   | `TEST` | `TESTS`/`<createdAt>#<id>` | `NAME#<name>`/`<createdAt>#<id>` | `STATUS#<status>`/`<createdAt>#<id>` |
 * | idempotency | `IDEM#<key>`  | `IDEM` | –                    | –                            | –                                 |
 * | active slots | `QUOTA#active` | `QUOTA` | –                  | –                            | –                                 |
 *
 * Indexes (all project ALL): `byCreated` (gsi1), `byName` (gsi2), `byStatus` (gsi3). Idempotency
 * items carry `testId` and `expiresAt` = creation + 24 h; they have no GSI attributes, so history
 * never sees them. Test items hold the record's scalar fields as attributes, `tags` as a map (so a
 * FilterExpression can test one tag) and `definition`, `live`, `summary`, `error` as JSON strings:
 * DynamoDB numbers cannot hold every double (1e-300 is out of their range), so strings are the
 * only encoding that round-trips a user's definition exactly.
 *
 * The active-slots item holds `holders`, the string set of the ids of the queued and running tests
 * (absent when none). Its size is the concurrent-test count that `create(…, { maxActive })`
 * compares under a condition, in the same transaction that writes the test; a set rather than a
 * number makes a release idempotent and lets a repair check each holder (see dynamo-test-store.ts).
 */
export const TEST_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  attributeType: 'S',
  billingMode: 'PAY_PER_REQUEST',
  ttlAttribute: 'expiresAt',
  indexes: {
    byCreated: { indexName: 'byCreated', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byName: { indexName: 'byName', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    byStatus: { indexName: 'byStatus', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
  projection: 'ALL',
} as const;

export type TestIndex = (typeof TEST_TABLE_SCHEMA.indexes)[keyof typeof TEST_TABLE_SCHEMA.indexes];

/** How long an idempotency key keeps pointing at its test. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export const TEST_SK = 'TEST';
export const IDEM_SK = 'IDEM';
export const ALL_TESTS = 'TESTS';
export const testKey = (id: string) => ({ pk: `TEST#${id}`, sk: TEST_SK });
export const idemKey = (key: string) => ({ pk: `IDEM#${key}`, sk: IDEM_SK });
export const SLOTS_KEY = { pk: 'QUOTA#active', sk: 'QUOTA' } as const;
export const SLOT_HOLDERS = 'holders';
export const namePk = (name: string) => `NAME#${name}`;
export const statusPk = (status: string) => `STATUS#${status}`;
/** The sort key of every index: newest first is descending createdAt, then id. */
export const createdSk = (r: Pick<TestRecord, 'createdAt' | 'id'>) => `${r.createdAt}#${r.id}`;

export type Item = Record<string, unknown>;

/** Record fields stored as JSON strings (see the schema comment for why). */
export const JSON_FIELDS = ['live', 'summary', 'error', 'abortedBy'] as const;
/** Optional fields stored as they are (strings and flags). */
const PLAIN_FIELDS = [
  'startedAt',
  'endedAt',
  'baselineId',
  'idempotencyKey',
  'cancelRequested',
  'interruptRequested',
  'phase',
  'quietUntil',
] as const;

export function toItem(r: TestRecord): Item {
  const sk = createdSk(r);
  const item: Item = {
    ...testKey(r.id),
    gsi1pk: ALL_TESTS,
    gsi1sk: sk,
    gsi2pk: namePk(r.name),
    gsi2sk: sk,
    gsi3pk: statusPk(r.status),
    gsi3sk: sk,
    id: r.id,
    name: r.name,
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    tags: { ...r.tags },
  };
  if (r.definition !== undefined) item.definition = JSON.stringify(r.definition);
  for (const f of PLAIN_FIELDS) if (r[f] !== undefined) item[f] = r[f];
  for (const f of JSON_FIELDS) if (r[f] !== undefined) item[f] = JSON.stringify(r[f]);
  return item;
}

const str = (item: Item, f: string): string => {
  const v = item[f];
  if (typeof v !== 'string') throw new TypeError(`test item ${String(item.pk)} has no string "${f}"`);
  return v;
};

export function fromItem(item: Item): TestRecord {
  const optional: Record<string, unknown> = {};
  for (const f of PLAIN_FIELDS) if (item[f] !== undefined) optional[f] = item[f];
  for (const f of JSON_FIELDS) if (item[f] !== undefined) optional[f] = JSON.parse(str(item, f));
  return {
    id: str(item, 'id'),
    name: str(item, 'name'),
    status: str(item, 'status') as TestRecord['status'],
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
    tags: (item.tags ?? {}) as Record<string, string>,
    definition: item.definition === undefined ? undefined : JSON.parse(str(item, 'definition')),
    ...optional,
  };
}
