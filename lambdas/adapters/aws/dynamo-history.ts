import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  type HistoryPage,
  type HistoryQuery,
  InvalidCursorError,
  type TestRecord,
} from '../../ports/test-store';
import {
  ALL_TESTS,
  fromItem,
  type Item,
  namePk,
  statusPk,
  TEST_TABLE_SCHEMA,
  type TestIndex,
} from './test-table';

/**
 * History queries on the GSIs. Every index sorts on `<createdAt>#<id>`, so a position in history is
 * one sort-key value whatever the index: the cursor carries the sort key of the last item this page
 * consumed and the next page asks for keys strictly below it. That keeps a cursor valid when the item
 * it points at has since changed status (left `byStatus`) — DynamoDB's own LastEvaluatedKey would
 * name an item the index may no longer hold.
 */

export interface HistoryTuning {
  /** A page stops after this many queries even if filters left it short; it then returns a cursor. */
  readonly maxRoundTrips: number;
  /** Items read per query when a FilterExpression may discard most of them. */
  readonly filteredRead: number;
}
const DEFAULT_TUNING: HistoryTuning = { maxRoundTrips: 20, filteredRead: 100 };
const MAX_LIMIT = 100;

const { byCreated, byName, byStatus } = TEST_TABLE_SCHEMA.indexes;

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const invalid = () =>
    new InvalidCursorError(`not a history cursor of this store: "${cursor.slice(0, 80)}"`);
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw Object.assign(invalid(), { cause: err });
  }
  const c = parsed as { v?: unknown; after?: unknown } | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    c.v !== 1 ||
    typeof c.after !== 'string' ||
    !c.after.includes('#')
  )
    throw invalid();
  return c.after;
}

function validateLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new RangeError(`history limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
}

interface Plan {
  readonly index: TestIndex;
  readonly input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>;
  readonly filtered: boolean;
  /** Exclusive upper bound of the sort key, enforced in code when the key condition is a BETWEEN. */
  readonly below?: string;
}

/** The query for `q`, or undefined when the range is empty (DynamoDB rejects a BETWEEN with lo > hi). */
function plan(tableName: string, q: HistoryQuery, after: string | undefined): Plan | undefined {
  const index = q.name !== undefined ? byName : q.status !== undefined ? byStatus : byCreated;
  const pk = q.name !== undefined ? namePk(q.name) : q.status !== undefined ? statusPk(q.status) : ALL_TESTS;
  const below = after !== undefined && (q.to === undefined || after < q.to) ? after : q.to;
  const from = q.from;
  if (from !== undefined && below !== undefined && from >= below) return undefined;
  const names: Record<string, string> = { '#pk': index.partitionKey };
  // DynamoDB rejects placeholders an expression does not use.
  if (from !== undefined || below !== undefined) names['#sk'] = index.sortKey;
  const values: Record<string, unknown> = { ':pk': pk };
  let key = '#pk = :pk';
  if (from !== undefined) values[':from'] = from;
  if (below !== undefined) values[':below'] = below;
  if (from !== undefined && below !== undefined) key += ' AND #sk BETWEEN :from AND :below';
  else if (from !== undefined) key += ' AND #sk >= :from';
  else if (below !== undefined) key += ' AND #sk < :below';
  const filters: string[] = [];
  if (q.status !== undefined && index !== byStatus) {
    names['#status'] = 'status';
    values[':status'] = q.status;
    filters.push('#status = :status');
  }
  if (q.tag !== undefined) {
    names['#tags'] = 'tags';
    names['#tagKey'] = q.tag.key;
    values[':tagValue'] = q.tag.value;
    filters.push('#tags.#tagKey = :tagValue');
  }
  return {
    index,
    filtered: filters.length > 0,
    ...(from !== undefined && below !== undefined ? { below } : {}),
    input: {
      TableName: tableName,
      IndexName: index.indexName,
      KeyConditionExpression: key,
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
  };
}

/** One page of history: queries until `limit` items are found, the index is exhausted or the round trips run out. */
export async function queryHistory(
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  q: HistoryQuery,
  tuning: HistoryTuning = DEFAULT_TUNING,
): Promise<HistoryPage> {
  validateLimit(q.limit);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const p = plan(tableName, q, after);
  if (!p) return { items: [] };
  const skOf = (item: Item) => String(item[p.index.sortKey]);
  const items: TestRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  // Sort key of the last item consumed: returned, or read and discarded by the filter.
  let position: string | undefined;
  let more = false;
  for (let trip = 1; ; trip++) {
    const need = q.limit - items.length;
    const res = await dynamo.send(
      new QueryCommand({
        ...p.input,
        // One more than needed tells whether another page exists without an empty last page.
        Limit: p.filtered ? Math.max(tuning.filteredRead, need + 1) : need + 1,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const page = (res.Items ?? []).filter((i) => p.below === undefined || skOf(i) < p.below);
    if (page.length > need) {
      const taken = page.slice(0, need);
      items.push(...taken.map(fromItem));
      position = skOf(taken[taken.length - 1] as Item);
      more = true;
      break;
    }
    items.push(...page.map(fromItem));
    if (!res.LastEvaluatedKey) break;
    startKey = res.LastEvaluatedKey;
    position = skOf(res.LastEvaluatedKey);
    if (items.length === q.limit || trip >= tuning.maxRoundTrips) {
      more = true;
      break;
    }
  }
  return more && position !== undefined ? { items, nextCursor: encodeCursor(position) } : { items };
}
