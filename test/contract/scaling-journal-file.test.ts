import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileScalingJournal } from '../../lambdas/adapters/local/file-scaling-journal';
import { scalingJournalContract } from './scaling-journal.contract';

scalingJournalContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-journal-'));
  return { journal: createFileScalingJournal(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
