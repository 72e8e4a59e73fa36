import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScalingJournal, ScalingJournalEntry } from '../../ports/scaling';
import { appendDurable, serialQueue } from './json-file';

/**
 * The scaling journal as JSON lines in the data folder: appends only, so an entry once written is
 * never rewritten; each append is flushed before it is acknowledged, and a torn last line (crash
 * mid-append) is skipped when read. The file is private to the user (0600).
 */
export function createFileScalingJournal(dataDir: string): ScalingJournal {
  const file = join(dataDir, 'scaling-journal.jsonl');
  const serial = serialQueue();
  const readAll = async (): Promise<ScalingJournalEntry[]> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: ScalingJournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as ScalingJournalEntry);
      } catch {
        // a line cut short by a crash: the entry was never acknowledged
      }
    }
    return out;
  };
  return {
    record: (entry) =>
      serial(async () => {
        if ((await readAll()).some((e) => e.id === entry.id))
          throw new Error(`scaling journal entry ${entry.id} already exists`);
        await appendDurable(file, `${JSON.stringify(entry)}\n`);
      }),
    async list(query) {
      return (await readAll())
        .filter((e) => !query.target || e.target === query.target)
        .filter((e) => query.fromMs === undefined || Date.parse(e.at) >= query.fromMs)
        .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.id.localeCompare(a.id))
        .slice(0, query.limit);
    },
  };
}
