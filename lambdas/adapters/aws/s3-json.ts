import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

const gunzipAsync = promisify(gunzip);

/** The parsed JSON of an object (gzipped or not), or undefined when there is no such key. */
export async function getJsonObject<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  let bytes: Uint8Array;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!res.Body) return undefined;
    bytes = await res.Body.transformToByteArray();
  } catch (err) {
    if (err instanceof Error && err.name === 'NoSuchKey') return undefined;
    throw err;
  }
  // A proxy or a future SDK may already have undone the Content-Encoding: look at the bytes.
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const json = gzipped ? await gunzipAsync(bytes) : Buffer.from(bytes);
  return JSON.parse(json.toString('utf8')) as T;
}
