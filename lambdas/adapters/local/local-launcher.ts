import { ThroughlineError } from '../../model/errors';
import type { TestLauncher } from '../../ports/test-launcher';
import type { TestStore } from '../../ports/test-store';

export interface LocalLauncher extends TestLauncher {
  /**
   * Asks every running test to stop as `interrupted` (the platform is going down) and waits until
   * each has stored what it measured.
   */
  shutdown(): Promise<void>;
  readonly running: number;
}

/**
 * The local coordinator behind the TestLauncher port: a launched test runs through the run
 * pipeline (`run`, core/run/pipeline.ts) in this process, in the background; its load runs in
 * worker threads. Cancelling needs nothing here: the cancel use case set the stop flag the
 * workers poll, as on AWS.
 */
export function createLocalLauncher(
  run: (id: string) => Promise<unknown>,
  store: Pick<TestStore, 'update'>,
  now: () => string,
  onError: (id: string, err: unknown) => void,
): LocalLauncher {
  const runs = new Map<string, Promise<void>>();
  let closed = false;
  return {
    async launch(test) {
      if (closed)
        throw new ThroughlineError(
          'E_LAUNCHER_CLOSED',
          `the local platform is shutting down: test ${test.id} was not started`,
        );
      // A retried hand-off starts no second run, as a Step Functions execution named after the test.
      if (runs.has(test.id)) return;
      const done = run(test.id).then(
        () => {},
        (err: unknown) => onError(test.id, err),
      );
      runs.set(test.id, done);
      void done.finally(() => runs.delete(test.id));
    },
    async cancel() {},
    async isRunning(id) {
      return runs.has(id);
    },
    async shutdown() {
      closed = true;
      const all = [...runs.entries()];
      await Promise.all(
        all.map(([id]) =>
          store
            .update(id, { cancelRequested: true, interruptRequested: true, updatedAt: now() }, [
              'queued',
              'running',
            ])
            .catch((err: unknown) => onError(id, err)),
        ),
      );
      await Promise.all(all.map(([, done]) => done));
    },
    get running() {
      return runs.size;
    },
  };
}
