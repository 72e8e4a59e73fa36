import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TEST_TABLE_SCHEMA } from '../../lambdas/adapters/aws/dynamo-test-store';
import { freePort, killPid, ROOT } from './processes';

/** moto's server (installed in .venv by scripts/ensure-test-deps.mjs) standing in for AWS APIs. */

export const MOTO_SERVER = `${ROOT}.venv/bin/moto_server`;

export interface Moto {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts moto on a free loopback port and resolves once it answers HTTP. */
export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  if (!existsSync(MOTO_SERVER))
    throw new Error(`${MOTO_SERVER} is missing: run node scripts/ensure-test-deps.mjs`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid as number;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) killPid(pid);
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}\n${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return { endpoint, pid, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms\n${stderr}`);
      }
      await delay(100);
    }
  }
}

/** SDK client settings for moto: its endpoint, a fixed region, dummy credentials, path-style S3. */
export function awsClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    forcePathStyle: true,
  };
}

/** Creates the test store's table exactly as TEST_TABLE_SCHEMA describes it (TTL included). */
export async function createTestTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  const s = TEST_TABLE_SCHEMA;
  const indexes = Object.values(s.indexes);
  const keyAttributes = [s.partitionKey, s.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: s.billingMode,
      AttributeDefinitions: keyAttributes.map((a) => ({ AttributeName: a, AttributeType: s.attributeType })),
      KeySchema: [
        { AttributeName: s.partitionKey, KeyType: 'HASH' },
        { AttributeName: s.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: s.projection },
      })),
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: s.ttlAttribute, Enabled: true },
    }),
  );
}

export async function deleteTestTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  await dynamo.send(new DeleteTableCommand({ TableName: name }));
}

export async function createTestBucket(s3: S3Client, name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
}

/** Empties the bucket, then deletes it. */
export async function deleteTestBucket(s3: S3Client, name: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: name }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: name }));
}
