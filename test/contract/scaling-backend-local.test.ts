import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalWorkerScaling, LOCAL_WORKERS } from '../../lambdas/adapters/local/local-worker-scaling';
import { scalingBackendContract } from './scaling-backend.contract';

let seq = 0;
scalingBackendContract('local worker pool', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'throughline-scaling-'));
  const backend = await createLocalWorkerScaling({
    dataDir: dir,
    initialCapacity: 1,
    now: () => Date.now(),
    newId: () => `a${++seq}`,
  });
  await backend.configure(LOCAL_WORKERS, { min: 1, max: 10 });
  return { backend, target: LOCAL_WORKERS, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
