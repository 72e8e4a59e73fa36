import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * The one way local mode writes its data folder. Files are private to the user (0600, folders
 * 0700: test definitions carry target URLs and headers). A write goes to a temporary file that is
 * flushed to disk, renamed over the old one, and the folder flushed too, so that after a crash or a
 * power cut the file is the old version or the new one, never empty or half of one.
 */

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const made = new Set<string>();

/** Creates a folder (and its parents) readable by the user only. */
export async function ensureDir(dir: string): Promise<void> {
  if (made.has(dir)) return;
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  made.add(dir);
}

/** Flushes a folder's entries (a rename or a new name in it) to disk. */
export async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms cannot open or flush a folder; the rename itself is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes a file whole, flushed, with mode 0600, to a temporary name in the same folder. */
export async function writeDurable(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx', FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `file` with `text` atomically and durably (temp → fsync → rename → fsync folder). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await ensureDir(dir);
  // Unique per write: worker threads of one process may write the same folder.
  const tmp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeDurable(tmp, text).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      made.delete(dir); // removed since it was made (a run folder deleted): make it again
      await ensureDir(dir);
      await writeDurable(tmp, text);
    });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value));
}

/** Appends `text` to `file` (created 0600) and flushes it. */
export async function appendDurable(file: string, text: string): Promise<void> {
  await ensureDir(dirname(file));
  const handle = await open(file, 'a', FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A data file that could not be parsed, and where it was moved. */
export interface CorruptFile {
  readonly file: string;
  readonly movedTo: string;
  readonly error: string;
}

export interface LocalFileOptions {
  /** Told of each damaged file moved to `<dataDir>/quarantine/` (composition logs it). */
  readonly onCorrupt?: (corrupt: CorruptFile) => void;
}

/**
 * The parsed file; undefined when there is none, or when it cannot be parsed (cut short by a crash
 * before files were flushed, edited by hand, damaged on disk): then it is moved to
 * `<dataDir>/quarantine/<UTC time>-<path with _ for />` for a person to look at, so that one bad
 * file costs its own record and not the server.
 */
export async function readJsonOrQuarantine<T>(
  dataDir: string,
  file: string,
  options: LocalFileOptions,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const movedTo = await quarantine(dataDir, file);
    if (movedTo)
      options.onCorrupt?.({ file, movedTo, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

async function quarantine(dataDir: string, file: string): Promise<string | undefined> {
  const dir = join(dataDir, 'quarantine');
  await ensureDir(dir);
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const movedTo = join(dir, `${stamp}-${relative(dataDir, file).split(sep).join('_')}`);
  try {
    await rename(file, movedTo);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // another reader moved it
    throw err;
  }
  await syncDir(dir);
  return movedTo;
}

/** Runs async steps one after another (one writer per file within the process). */
export function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => {});
    return next;
  };
}
