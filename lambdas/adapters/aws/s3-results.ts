import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TestResults } from '../../core/load/results';

/** Results documents in S3: `results/<id>.json`, gzip-compressed JSON served with `Content-Encoding: gzip`. */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const resultsKey = (id: string) => `results/${id}.json`;

export interface S3Results {
  put(id: string, results: TestResults): Promise<void>;
  get(id: string): Promise<TestResults | undefined>;
}

export function createS3Results(s3: S3Client, bucket: string): S3Results {
  return {
    async put(id, results) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: resultsKey(id),
          Body: await gzipAsync(JSON.stringify(results)),
          ContentType: 'application/json',
          ContentEncoding: 'gzip',
        }),
      );
    },
    async get(id) {
      let bytes: Uint8Array;
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: resultsKey(id) }));
        if (!res.Body) return undefined;
        bytes = await res.Body.transformToByteArray();
      } catch (err) {
        if (err instanceof Error && err.name === 'NoSuchKey') return undefined;
        throw err;
      }
      // A proxy or a future SDK may already have undone the Content-Encoding: look at the bytes.
      const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const json = gzipped ? await gunzipAsync(bytes) : Buffer.from(bytes);
      return JSON.parse(json.toString('utf8')) as TestResults;
    },
  };
}
