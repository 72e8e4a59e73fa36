import { describe, expect, it } from 'vitest';
import type { TestLauncher } from '../../lambdas/ports/test-launcher';
import type { TestRecord } from '../../lambdas/ports/test-store';

/**
 * The TestLauncher contract, run against every launcher: the local coordinator (the pipeline in
 * this process) and Step Functions (moto). A launcher hands a stored, queued test to its runtime
 * and returns; it never waits for the run, never starts a second run for a retried hand-off, and
 * says so when it cannot start one (the caller then ends the test `error`, E_LAUNCH_FAILED).
 */

export interface LauncherHarness {
  readonly launcher: TestLauncher;
  /** How many runs the runtime has started for this test. */
  runsStarted(testId: string): Promise<number>;
  /** A launcher of the same kind that cannot start runs (a missing state machine, a stopped platform). */
  broken(): Promise<TestLauncher>;
  /** What the broken launcher's rejection says. */
  readonly brokenError: RegExp;
}

let seq = 0;
export const queuedTest = (): TestRecord => {
  const id = `launch-${Date.now().toString(36)}-${++seq}`;
  return {
    id,
    name: 'launcher contract',
    status: 'queued',
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
    tags: {},
    definition: {},
  };
};

export function testLauncherContract(name: string, harness: () => Promise<LauncherHarness>): void {
  describe(`TestLauncher contract: ${name}`, () => {
    it('starts one run for a launched test, and returns before the run ends', async () => {
      const h = await harness();
      const test = queuedTest();
      const started = Date.now();
      await h.launcher.launch(test);
      // The runs behind both launchers last far longer than this (a 60 s wait, a held pipeline).
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await h.runsStarted(test.id)).toBe(1);
    });

    it('says a launched test is running, and one it never launched is not', async () => {
      const h = await harness();
      const test = queuedTest();
      await h.launcher.launch(test);
      expect(await h.launcher.isRunning(test.id)).toBe(true);
      expect(await h.launcher.isRunning(queuedTest().id)).toBe(false);
    });

    it('starts no second run when the hand-off is retried', async () => {
      const h = await harness();
      const test = queuedTest();
      await h.launcher.launch(test);
      await h.launcher.launch(test);
      expect(await h.runsStarted(test.id)).toBe(1);
    });

    it('keeps tests apart: each launched test gets its own run', async () => {
      const h = await harness();
      const [a, b] = [queuedTest(), queuedTest()];
      await Promise.all([h.launcher.launch(a), h.launcher.launch(b)]);
      expect([await h.runsStarted(a.id), await h.runsStarted(b.id)]).toEqual([1, 1]);
    });

    it('rejects a launch it cannot hand off, and starts nothing', async () => {
      const h = await harness();
      const broken = await h.broken();
      const test = queuedTest();
      await expect(broken.launch(test)).rejects.toThrow(h.brokenError);
      expect(await h.runsStarted(test.id)).toBe(0);
    });

    it('accepts a cancel for a launched test and for one it never saw (the stop flag carries it)', async () => {
      const h = await harness();
      const test = queuedTest();
      await h.launcher.launch(test);
      await expect(h.launcher.cancel(test.id)).resolves.toBeUndefined();
      await expect(h.launcher.cancel('never-launched')).resolves.toBeUndefined();
    });
  });
}
