import { afterAll } from 'vitest';
import { createLocalLauncher, type LocalLauncher } from '../../lambdas/adapters/local/local-launcher';
import type { TestRecord } from '../../lambdas/ports/test-store';
import { testLauncherContract } from './test-launcher.contract';

// The local coordinator's launcher. The run it hands a test to is the pipeline; here it is a
// recorder that holds each run open until the file ends, since this suite is about the hand-off
// (the pipeline itself runs for real in pipeline-parity, engine and api tests).

const started = new Map<string, number>();
let release!: () => void;
const held = new Promise<void>((resolve) => {
  release = resolve;
});
const store = { update: async (): Promise<TestRecord | undefined> => undefined };
const errors: unknown[] = [];
const make = (): LocalLauncher =>
  createLocalLauncher(
    async (id) => {
      started.set(id, (started.get(id) ?? 0) + 1);
      await held;
    },
    store,
    () => new Date().toISOString(),
    (_id, err) => errors.push(err),
  );
const launchers: LocalLauncher[] = [];
afterAll(async () => {
  release();
  await Promise.all(launchers.map((l) => l.shutdown()));
});

testLauncherContract('local coordinator', async () => {
  const launcher = make();
  launchers.push(launcher);
  return {
    launcher,
    runsStarted: async (id) => started.get(id) ?? 0,
    brokenError: /shutting down/,
    broken: async () => {
      const stopped = make();
      await stopped.shutdown();
      return stopped;
    },
  };
});
