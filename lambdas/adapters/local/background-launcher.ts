import { INTERRUPT } from '../../core/run/finish';
import type { TestLauncher } from '../../ports/test-launcher';

export interface BackgroundLauncher extends TestLauncher {
  /** Stops every running test as interrupted and waits until each has stored what it measured. */
  shutdown(): Promise<void>;
  readonly running: number;
}

/** Runs tests in this process, in the background (their load runs in worker threads). */
export function createBackgroundLauncher(
  execute: (id: string, stop: AbortSignal) => Promise<unknown>,
  onError: (id: string, err: unknown) => void,
): BackgroundLauncher {
  const runs = new Map<string, { controller: AbortController; done: Promise<void> }>();
  return {
    async launch(test) {
      const controller = new AbortController();
      const done = execute(test.id, controller.signal).then(
        () => {},
        (err: unknown) => onError(test.id, err),
      );
      runs.set(test.id, { controller, done });
      void done.finally(() => runs.delete(test.id));
    },
    async cancel(id) {
      runs.get(id)?.controller.abort();
    },
    async shutdown() {
      const all = [...runs.values()];
      for (const r of all) r.controller.abort(INTERRUPT);
      await Promise.all(all.map((r) => r.done));
    },
    get running() {
      return runs.size;
    },
  };
}
