import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createS3RunStore } from '../../lambdas/adapters/aws/s3-run-store';
import { mapInOrder } from '../../lambdas/adapters/run-windows';
import type { WindowSnapshot } from '../../lambdas/model/window';
import { awsClientConfig, createTestBucket, deleteTestBucket, type Moto, startMoto } from '../helpers/moto';
import { makeWindow, runStoreContract } from './run-store.contract';

// The S3 adapter against a real moto server: one server for the file, a fresh bucket for every test.

let moto: Moto;
let s3: S3Client;
beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

async function freshBucket() {
  const bucket = `runs-${randomUUID().slice(0, 8)}`;
  await createTestBucket(s3, bucket);
  return { bucket, cleanup: () => deleteTestBucket(s3, bucket) };
}

runStoreContract('S3 (moto)', async () => {
  const { bucket, cleanup } = await freshBucket();
  return { store: createS3RunStore({ s3, bucket }), cleanup };
});

describe('S3 run store specifics', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('stores windows gzip-compressed under runs/<id>/windows/<index>/<worker>.json.gz', async () => {
    const fresh = await freshBucket();
    cleanup = fresh.cleanup;
    const store = createS3RunStore({ s3, bucket: fresh.bucket });
    const window = makeWindow(7, 12, 300);
    await store.putWindow('run', window);
    const key = 'runs/run/windows/000007/000012.json.gz';
    const head = await s3.send(new HeadObjectCommand({ Bucket: fresh.bucket, Key: key }));
    expect(head.ContentType).toBe('application/json');
    expect(head.ContentEncoding).toBe('gzip');
    expect(head.ContentLength).toBeLessThan(JSON.stringify(window).length);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: fresh.bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key]);
  });

  it('pages through more than 1,000 windows in order, with at most `parallelism` reads at once', async () => {
    const fresh = await freshBucket();
    cleanup = fresh.cleanup;
    // Counts list calls and GetObject calls in flight, passing every call on to the real client.
    let lists = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const counting = {
      async send(command: object) {
        if (command instanceof ListObjectsV2Command) lists++;
        if (!(command instanceof GetObjectCommand)) return s3.send(command as never);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await s3.send(command as never);
        } finally {
          inFlight--;
        }
      },
    } as unknown as S3Client;
    const store = createS3RunStore({ s3: counting, bucket: fresh.bucket, parallelism: 8 });
    const quiet = (index: number, worker: number): WindowSnapshot => ({
      index,
      worker,
      series: [],
      scenarios: [{ scenario: 'soak', iterations: index, interrupted: 0, dropped: 0, vus: worker }],
    });
    const all = Array.from({ length: 40 }, (_, index) =>
      Array.from({ length: 30 }, (_, worker) => quiet(index, worker)),
    ).flat();
    await mapInOrder([...all].reverse(), 16, (w) => store.putWindow('run', w));

    const page1 = await store.readWindows('run');
    expect(page1.windows).toHaveLength(1_200);
    expect(page1.windows).toEqual(all);
    expect(lists).toBe(2);
    expect(maxInFlight).toBeLessThanOrEqual(8);

    // The next read lists from index 34 (180 keys), returning only what is new.
    await mapInOrder([quiet(40, 3), quiet(40, 0), quiet(36, 30)], 4, (w) => store.putWindow('run', w));
    const page2 = await store.readWindows('run', page1.position);
    expect(page2.windows).toEqual([quiet(36, 30), quiet(40, 0), quiet(40, 3)]);
    expect(page1.position.length).toBeLessThan(200);
  });
});
