import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DIR_MODE, syncDir, writeDurable } from './json-file';

/**
 * One server per data folder: the file store indexes records in memory and two writers would
 * overwrite each other.
 *
 * The lock is a numbered generation in `<dataDir>/lock/`; its holder is the owner of the highest
 * number. A generation is claimed with link(), which creates a name with its content in one atomic
 * step and fails if the name exists, so of any number of servers claiming the same number exactly
 * one gets it. A server claims the number after the highest it saw, and only when that one's owner
 * is gone (its PID is dead, or alive but started at another time: a reused PID) or released it.
 * A claimer that then sees a higher number than its own lost a race and steps back; the winner
 * deletes the generations below its own. A released lock is rewritten (atomically), never deleted:
 * removing the highest number would let a late claimer of that number win next to a new one.
 */

const LOCK_DIR = 'lock';
/** Written by servers before generations existed; still refused while its PID lives. */
const LEGACY_LOCK = 'server.lock';
const GEN = /^\d{9}$/;
const MAX_ATTEMPTS = 20;

interface Owner {
  readonly pid: number;
  /** The process's start time (Linux `/proc/<pid>/stat`), so a reused PID is not taken for it. */
  readonly start?: string;
  readonly token: string;
  readonly released?: boolean;
}

/** Tokens of the locks this process holds now. */
const held = new Set<string>();

export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockDir = join(dir, LOCK_DIR);
  await mkdir(lockDir, { recursive: true, mode: DIR_MODE });
  await refuseLegacy(dir);
  const me: Owner = { pid: process.pid, ...startOf(process.pid), token: randomUUID() };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const top = (await generations(lockDir)).at(-1);
    if (top !== undefined) {
      const owner = await readOwner(join(lockDir, top));
      if (owner === 'gone') continue;
      if (owner && !owner.released && alive(owner)) throw heldBy(owner.pid, dir);
    }
    const mine = String((top === undefined ? 0 : Number(top)) + 1).padStart(9, '0');
    const tmp = join(lockDir, `.claim-${me.token}`);
    await writeDurable(tmp, JSON.stringify(me));
    try {
      await link(tmp, join(lockDir, mine));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      continue; // another server claimed this number first: judge its owner on the next pass
    } finally {
      await unlink(tmp).catch(() => {});
    }
    const now = await generations(lockDir);
    if (now.some((g) => g > mine)) {
      // Claimed a number below a newer claim (a slow claimer): the newer one rules.
      await unlink(join(lockDir, mine)).catch(() => {});
      continue;
    }
    await Promise.all(now.filter((g) => g < mine).map((g) => unlink(join(lockDir, g)).catch(() => {})));
    await syncDir(lockDir);
    held.add(me.token);
    return async () => {
      held.delete(me.token);
      const tmpRelease = join(lockDir, `.release-${me.token}`);
      await writeDurable(tmpRelease, JSON.stringify({ ...me, released: true }));
      await rename(tmpRelease, join(lockDir, mine)).catch(() => unlink(tmpRelease).catch(() => {}));
    };
  }
  throw new Error(`could not lock ${dir}: other servers kept claiming it`);
}

const heldBy = (pid: number, dir: string) =>
  new Error(`another Throughline server (pid ${pid}) is using ${dir}; stop it or set THROUGHLINE_DATA_DIR`);

async function refuseLegacy(dir: string): Promise<void> {
  const pid = Number((await readFile(join(dir, LEGACY_LOCK), 'utf8').catch(() => '')).trim());
  if (pid > 0 && pid !== process.pid && alive({ pid, token: '' })) throw heldBy(pid, dir);
}

async function generations(lockDir: string): Promise<string[]> {
  return (await readdir(lockDir)).filter((n) => GEN.test(n)).sort();
}

/** The owner; 'gone' when the generation was deleted since listed; undefined when unreadable. */
async function readOwner(file: string): Promise<Owner | 'gone' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const o = JSON.parse(text) as Owner;
    return typeof o.pid === 'number' ? o : undefined;
  } catch {
    return undefined; // a lock file damaged on disk names nobody
  }
}

/** The start time of a process, when the platform tells it (Linux). */
function startOf(pid: number): { start?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses): state is 3rd, start 22nd.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return { start: 'zombie' };
    const start = fields[19];
    return start === undefined ? {} : { start };
  } catch {
    return {};
  }
}

function alive(owner: Owner): boolean {
  if (owner.pid === process.pid) return held.has(owner.token);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const now = startOf(owner.pid).start;
  // A killed server can linger as a zombie until its parent reaps it: that is not alive.
  if (now === 'zombie') return false;
  return owner.start === undefined || now === undefined || now === owner.start;
}
