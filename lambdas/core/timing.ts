import type { Clock } from '../ports/clock';

/**
 * Calls `fn` every `intervalMs`, waiting through the clock (core never starts a timer itself, so a
 * fake clock drives it too), until the returned function is called.
 */
export function every(clock: Clock, intervalMs: number, fn: () => void): () => void {
  const done = new AbortController();
  void (async () => {
    while (!done.signal.aborted) {
      await clock.sleep(intervalMs, done.signal);
      if (!done.signal.aborted) fn();
    }
  })();
  return () => done.abort();
}
