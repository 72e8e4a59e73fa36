import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { testStoreContract } from './test-store.contract';

testStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-store-'));
  return {
    store: createFileTestStore(dir),
    // The record file as a crashed writer left it; a store opened afterwards reads it.
    async bypassPut(record) {
      await writeFile(join(dir, 'tests', `${record.id}.json`), JSON.stringify(record));
      return createFileTestStore(dir);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
