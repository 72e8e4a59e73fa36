import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { testStoreContract } from './test-store.contract';

testStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-store-'));
  return { store: createFileTestStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
