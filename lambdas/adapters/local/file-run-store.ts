import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
import { type LocalFileOptions, readJsonOrQuarantine, writeFileAtomic } from './json-file';

/**
 * Run store on the local disk: `runs/<testId>/windows/<index>-<worker>.json` and
 * `runs/<testId>/workers/<worker>.json` under the data folder, numbers padded to 6 digits so that
 * name order is (index, worker) order. Writes are atomic and durable (./json-file.ts), so a reader
 * sees the previous or the new window, never half of one; a file that cannot be parsed is
 * quarantined and read as missing.
 * The mechanics both run-store adapters share are in ../run-windows.ts.
 */

const WINDOW_FILE = /^(\d{6})-(\d{6})\.json$/;
const REPORT_FILE = /^(\d{6})\.json$/;

/** Windows read (and held) at once by eachWindow. */
const EACH_PAGE = 1_000;

export function createFileRunStore(dataDir: string, options: LocalFileOptions = {}): RunStore {
  const runDir = (testId: string) => join(dataDir, 'runs', checkRunId(testId));
  const atomicWrite = (dir: string, name: string, text: string) => writeFileAtomic(join(dir, name), text);
  const list = async (dir: string): Promise<string[]> => {
    try {
      return (await readdir(dir)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
  /** The parsed file, undefined if it is gone since it was listed (a run folder being deleted). */
  const readJson = <T>(file: string) => readJsonOrQuarantine<T>(dataDir, file, options);

  return {
    async putSpec(spec) {
      await atomicWrite(runDir(spec.testId), 'spec.json', JSON.stringify(spec));
    },

    spec: (testId) => readJson<RunSpec>(join(runDir(testId), 'spec.json')),

    async putPlanItems(testId, items) {
      await atomicWrite(join(runDir(testId), 'plan'), 'items.json', JSON.stringify(items));
    },

    planItems: (testId) => readJson<PlanItem[]>(join(runDir(testId), 'plan', 'items.json')),

    async putWindow(testId, window) {
      const name = `${pad6(window.index, 'index')}-${pad6(window.worker, 'worker')}.json`;
      await atomicWrite(join(runDir(testId), 'windows'), name, JSON.stringify(window));
    },

    async readWindows(testId, position) {
      const dir = join(runDir(testId), 'windows');
      const from =
        position === undefined ? RunPosition.initial(testId) : RunPosition.decode(testId, position);
      const entries = (await list(dir)).flatMap((name) => {
        const m = WINDOW_FILE.exec(name);
        return m ? [{ name, index: Number(m[1]), worker: Number(m[2]) }] : [];
      });
      const read = (e: { name: string }) => readJson<WindowSnapshot>(join(dir, e.name));
      const windows = await readNewWindows(entries, from, read, READ_PARALLELISM);
      return { windows, position: from.encode() };
    },

    async eachWindow(testId, onWindow) {
      const dir = join(runDir(testId), 'windows');
      const names = (await list(dir)).filter((name) => WINDOW_FILE.test(name));
      const read = (name: string) => readJson<WindowSnapshot>(join(dir, name));
      let count = 0;
      for (let at = 0; at < names.length; at += EACH_PAGE)
        count += await emitWindows(names.slice(at, at + EACH_PAGE), read, READ_PARALLELISM, onWindow);
      return count;
    },

    async putWorkerReport(testId, report) {
      await atomicWrite(
        join(runDir(testId), 'workers'),
        `${pad6(report.worker, 'worker')}.json`,
        JSON.stringify(report),
      );
    },

    async workerReports(testId) {
      const dir = join(runDir(testId), 'workers');
      const names = (await list(dir)).filter((name) => REPORT_FILE.test(name));
      const read = await mapInOrder(names, READ_PARALLELISM, (name) =>
        readJson<WorkerReport>(join(dir, name)),
      );
      return read.filter((r) => r !== undefined).sort((a, b) => a.worker - b.worker);
    },
  };
}
