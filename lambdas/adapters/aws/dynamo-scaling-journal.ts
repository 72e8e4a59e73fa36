import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ThroughlineError } from '../../model/errors';
import type { ScalingJournal, ScalingJournalEntry } from '../../ports/scaling';
import { type Item, TEST_TABLE_SCHEMA } from './test-table';

/**
 * The scaling journal in the test store's table (same `pk`/`sk`, no GSI attribute, so history and
 * status queries of tests never see it). Each entry is written three times in one transaction:
 *
 * | item            | pk                        | sk              |
 * |-----------------|---------------------------|-----------------|
 * | per target      | `SCALING#TARGET#<target>` | `<at>#<id>`     |
 * | across targets  | `SCALING#ALL`             | `<at>#<id>`     |
 * | id claim        | `SCALING#ID#<id>`         | `SCALING`       |
 *
 * `<at>` is the entry's time normalised to `toISOString()`, so the sort key orders by time whatever
 * ISO form the entry used; a descending Query is then "newest first". The claim's condition keeps
 * ids unique even across targets and times. `SCALING#ALL` is one partition for every entry: fine for
 * what people do by hand (a few a day), not for machine-rate writes.
 * The entry itself is kept as JSON (`entry`) so every field round-trips exactly.
 */

export interface DynamoScalingJournalOptions {
  readonly dynamo: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class ScalingJournalError extends ThroughlineError {
  declare readonly code: 'E_DUPLICATE_JOURNAL_ID';
  constructor(
    code: 'E_DUPLICATE_JOURNAL_ID',
    message: string,
    options?: { readonly cause?: unknown; readonly details?: unknown },
  ) {
    super(code, message, options);
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'ScalingJournalError';
  }
}

const { partitionKey: PK, sortKey: SK } = TEST_TABLE_SCHEMA;
const ALL = 'SCALING#ALL';
const targetPk = (target: string) => `SCALING#TARGET#${target}`;
const idKey = (id: string) => ({ [PK]: `SCALING#ID#${id}`, [SK]: 'SCALING' });
const MAX_LIMIT = 1_000;

function sortTime(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`journal entry time is not ISO 8601: "${at}"`);
  return new Date(ms).toISOString();
}

export function createDynamoScalingJournal(o: DynamoScalingJournalOptions): ScalingJournal {
  const { dynamo, tableName } = o;
  return {
    async record(entry) {
      const sk = `${sortTime(entry.at)}#${entry.id}`;
      const body: Item = {
        id: entry.id,
        target: entry.target,
        at: entry.at,
        action: entry.action,
        entry: JSON.stringify(entry),
      };
      const put = (Item: Item) => ({
        Put: {
          TableName: tableName,
          Item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      });
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              put({ ...idKey(entry.id), id: entry.id, at: entry.at }),
              put({ [PK]: targetPk(entry.target), [SK]: sk, ...body }),
              put({ [PK]: ALL, [SK]: sk, ...body }),
            ],
          }),
        );
      } catch (err) {
        const codes = ((err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
          (r) => r.Code,
        );
        if ((err as Error).name === 'TransactionCanceledException' && codes[0] === 'ConditionalCheckFailed')
          throw new ScalingJournalError(
            'E_DUPLICATE_JOURNAL_ID',
            `journal entry "${entry.id}" already exists`,
            { cause: err, details: { id: entry.id } },
          );
        throw err;
      }
    },

    async list(query) {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT)
        throw new RangeError(`journal limit must be an integer from 1 to ${MAX_LIMIT}, got ${query.limit}`);
      const from = query.fromMs === undefined ? undefined : new Date(query.fromMs).toISOString();
      const out: ScalingJournalEntry[] = [];
      let startKey: Item | undefined;
      do {
        const res = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: from === undefined ? '#pk = :pk' : '#pk = :pk AND #sk >= :from',
            ExpressionAttributeNames: { '#pk': PK, ...(from === undefined ? {} : { '#sk': SK }) },
            ExpressionAttributeValues: {
              ':pk': query.target === undefined ? ALL : targetPk(query.target),
              ...(from === undefined ? {} : { ':from': from }),
            },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: query.limit - out.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of res.Items ?? []) out.push(JSON.parse(String(item.entry)) as ScalingJournalEntry);
        startKey = res.LastEvaluatedKey;
      } while (startKey && out.length < query.limit);
      return out;
    },
  };
}
