import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TestResults } from '../../model/results';
import { getJsonObject } from './s3-json';

/** Results documents in S3: `results/<id>.json`, gzip-compressed JSON served with `Content-Encoding: gzip`. */

const gzipAsync = promisify(gzip);

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
    get: (id) => getJsonObject<TestResults>(s3, bucket, resultsKey(id)),
  };
}
