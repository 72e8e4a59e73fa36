import { createFileRunStore } from '../../lambdas/adapters/local/file-run-store';
import { createFileScalingJournal } from '../../lambdas/adapters/local/file-scaling-journal';
import { createFileTestStore } from '../../lambdas/adapters/local/file-test-store';
import { createLocalWorkerScaling, LOCAL_WORKERS } from '../../lambdas/adapters/local/local-worker-scaling';
import type { WindowSnapshot } from '../../lambdas/model/window';
import type { PlanItem, RunSpec, WorkerReport } from '../../lambdas/ports/run-store';
import { makeRecord } from '../contract/test-store.fixtures';

/** Writes one of every kind of file the local stores keep in a data folder. */
export async function writeEveryKind(dataDir: string): Promise<void> {
  const tests = createFileTestStore(dataDir);
  const record = makeRecord(1, { idempotencyKey: 'k-1' });
  await tests.create(record);
  await tests.update(record.id, { status: 'running' });
  await tests.putResults(record.id, { testId: record.id } as never);
  const runs = createFileRunStore(dataDir);
  await runs.putSpec({ testId: record.id, test: record.definition } as unknown as RunSpec);
  const item: PlanItem = { testId: record.id, segment: '0:1', worker: 0, startAtMs: 0, timeoutSeconds: 60 };
  await runs.putPlanItems(record.id, [item]);
  await runs.putWindow(record.id, { index: 0, worker: 0 } as unknown as WindowSnapshot);
  await runs.putWorkerReport(record.id, { worker: 0, segment: '0:1', outcome: 'completed' } as WorkerReport);
  const scaling = await createLocalWorkerScaling({
    dataDir,
    initialCapacity: 1,
    now: () => Date.UTC(2025, 0, 15),
    newId: () => 'activity-1',
  });
  await scaling.setCapacity(LOCAL_WORKERS, 2);
  await createFileScalingJournal(dataDir).record({
    id: 'entry-1',
    target: LOCAL_WORKERS.id,
    at: new Date(Date.UTC(2025, 0, 15)).toISOString(),
    action: 'manual',
    actor: 'local',
    capacity: 2,
    before: { min: 1, max: 64, current: 1 },
  });
}
