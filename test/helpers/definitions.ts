import { parseTestDefinition } from '../../lambdas/core/load/validate';
import type { ValidDefinition } from '../../lambdas/model/definition';
import type { TargetPolicy } from '../../lambdas/model/target-policy';
import type { RunStore } from '../../lambdas/ports/run-store';
import type { TestStore } from '../../lambdas/ports/test-store';
/** Test definitions tests build again and again. */

/** An open-model test: `perSecond` arrivals for `duration` against `${baseUrl}/`, 1 s graceful stop. */
export const arrivalRate = (
  baseUrl: string,
  perSecond: number,
  duration: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  baseUrl,
  scenarios: {
    s: {
      executor: 'constant-arrival-rate',
      rate: perSecond,
      duration,
      preAllocatedVUs: 20,
      gracefulStop: '1s',
      requests: [{ path: '/' }],
    },
  },
  ...extra,
});

/**
 * What submission does for a test a test stores by hand: the validated spec every later stage
 * reads. An invalid definition gets none (its run then fails at planning, as it would on AWS).
 */
export async function putSpecIfValid(
  runs: Pick<RunStore, 'putSpec'>,
  testId: string,
  definition: unknown,
  targets: TargetPolicy = { allowedTargets: ['loopback'] },
): Promise<void> {
  let test: ValidDefinition;
  try {
    test = parseTestDefinition(definition);
  } catch {
    return;
  }
  await runs.putSpec({ testId, test, targets });
}

/** A test stored as submission leaves it: the record (queued unless `status` says otherwise) and its spec. */
export async function storeTest(
  tests: Pick<TestStore, 'create'>,
  runs: Pick<RunStore, 'putSpec'>,
  id: string,
  definition: Record<string, unknown>,
  status: 'queued' | 'running' = 'queued',
): Promise<void> {
  const now = new Date().toISOString();
  await tests.create({
    id,
    name: id,
    status,
    createdAt: now,
    updatedAt: now,
    ...(status === 'running' ? { startedAt: now } : {}),
    tags: {},
    definition,
  });
  await putSpecIfValid(runs, id, definition);
}
