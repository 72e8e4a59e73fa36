import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { WindowSnapshot } from '../../model/window';
import type { PlanItem, RunSpec, RunStore, WorkerReport } from '../../ports/run-store';
import {
  checkRunId,
  emitWindows,
  mapInOrder,
  pad6,
  READ_PARALLELISM,
  RunPosition,
  readNewWindows,
} from '../run-windows';
import { getJsonObject } from './s3-json';

/**
 * Run store in S3: `runs/<testId>/windows/<index>/<worker>.json.gz` (gzip JSON served with
 * `Content-Encoding: gzip`) and `runs/<testId>/workers/<worker>.json`, numbers padded to 6 digits
 * so that S3's key order is (index, worker) order. Reads list 1,000 keys a page and fetch at most
 * `parallelism` objects at once, listing the next page while fetching the current one, so an
 * aggregate over 600,000 windows holds one page of keys, never the whole listing.
 *
 * Read positions, id checks and ordering are shared with the file adapter (see RunPosition): an
 * incremental read lists from StartAfter = the prefix of index h-5 and skips keys already returned.
 */

export interface S3RunStoreOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** GetObject calls in flight at once; default READ_PARALLELISM (32). */
  readonly parallelism?: number;
}

const gzipAsync = promisify(gzip);

const WINDOW_KEY = /\/windows\/(\d{6})\/(\d{6})\.json\.gz$/;
const REPORT_KEY = /\/workers\/(\d{6})\.json$/;

interface KeyPage {
  readonly keys: string[];
  /** Continuation token of the next page, if any. */
  readonly next: string | undefined;
}

const runPrefix = (testId: string) => `runs/${checkRunId(testId)}/`;
/** Where the Step Functions Map's ItemReader finds the plan: a plain (not gzipped) JSON array. */
export const planItemsKey = (testId: string) => `${runPrefix(testId)}plan/items.json`;
/** The validated test, written by create-test (the only write it may make to the bucket). */
export const runSpecKey = (testId: string) => `${runPrefix(testId)}spec.json`;

export function createS3RunStore(options: S3RunStoreOptions): RunStore {
  const { s3, bucket } = options;
  const parallelism = options.parallelism ?? READ_PARALLELISM;

  const listPage = async (
    prefix: string,
    startAfter: string | undefined,
    token: string | undefined,
  ): Promise<KeyPage> => {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: 1_000,
        ...(token === undefined ? {} : { ContinuationToken: token }),
        ...(startAfter === undefined || token !== undefined ? {} : { StartAfter: startAfter }),
      }),
    );
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    return { keys, next: page.IsTruncated ? page.NextContinuationToken : undefined };
  };

  /** Calls `onPage` with each page of keys under `prefix`, in key order, one page at a time. */
  const eachPage = async (
    prefix: string,
    startAfter: string | undefined,
    onPage: (keys: string[]) => Promise<void>,
  ) => {
    let listing: Promise<KeyPage> | undefined = listPage(prefix, startAfter, undefined);
    while (listing) {
      const page: KeyPage = await listing;
      listing = page.next === undefined ? undefined : listPage(prefix, startAfter, page.next);
      // Awaited on the next turn; this keeps a failure there from going unhandled if onPage throws.
      listing?.catch(() => {});
      await onPage(page.keys);
    }
  };

  /** The parsed JSON of an object, undefined if it is gone (e.g. expired) since it was listed. */
  const getJson = <T>(key: string) => getJsonObject<T>(s3, bucket, key);

  return {
    async putSpec(spec) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: runSpecKey(spec.testId),
          Body: JSON.stringify(spec),
          ContentType: 'application/json',
        }),
      );
    },

    spec: (testId) => getJson<RunSpec>(runSpecKey(testId)),

    async putPlanItems(testId, items) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: planItemsKey(testId),
          Body: JSON.stringify(items),
          ContentType: 'application/json',
        }),
      );
    },

    planItems: (testId) => getJson<PlanItem[]>(planItemsKey(testId)),

    async putWindow(testId, window) {
      const key = `${runPrefix(testId)}windows/${pad6(window.index, 'index')}/${pad6(window.worker, 'worker')}.json.gz`;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await gzipAsync(JSON.stringify(window)),
          ContentType: 'application/json',
          ContentEncoding: 'gzip',
        }),
      );
    },

    async readWindows(testId, position) {
      const prefix = `${runPrefix(testId)}windows/`;
      const from =
        position === undefined ? RunPosition.initial(testId) : RunPosition.decode(testId, position);
      // Keys sort after their index's prefix ("…/000035/" < "…/000035/000000.json.gz").
      const startAfter = from.firstIndex === 0 ? undefined : `${prefix}${pad6(from.firstIndex, 'index')}/`;
      const windows: WindowSnapshot[] = [];
      await eachPage(prefix, startAfter, async (keys) => {
        const entries = keys.flatMap((key) => {
          const m = WINDOW_KEY.exec(key);
          return m ? [{ key, index: Number(m[1]), worker: Number(m[2]) }] : [];
        });
        windows.push(
          ...(await readNewWindows(entries, from, (e) => getJson<WindowSnapshot>(e.key), parallelism)),
        );
      });
      return { windows, position: from.encode() };
    },

    async eachWindow(testId, onWindow) {
      let count = 0;
      await eachPage(`${runPrefix(testId)}windows/`, undefined, async (keys) => {
        const page = keys.filter((key) => WINDOW_KEY.test(key));
        count += await emitWindows(page, (key) => getJson<WindowSnapshot>(key), parallelism, onWindow);
      });
      return count;
    },

    async putWorkerReport(testId, report) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${runPrefix(testId)}workers/${pad6(report.worker, 'worker')}.json`,
          Body: JSON.stringify(report),
          ContentType: 'application/json',
        }),
      );
    },

    async workerReports(testId) {
      const reports: WorkerReport[] = [];
      await eachPage(`${runPrefix(testId)}workers/`, undefined, async (keys) => {
        const read = await mapInOrder(
          keys.filter((k) => REPORT_KEY.test(k)),
          parallelism,
          (k) => getJson<WorkerReport>(k),
        );
        for (const r of read) if (r) reports.push(r);
      });
      return reports.sort((a, b) => a.worker - b.worker);
    },
  };
}
