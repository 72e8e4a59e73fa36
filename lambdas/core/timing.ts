import type { Clock } from '../ports/clock';

/** Why a timer that is no longer wanted was called off (a reason: abort() then builds no DOMException). */
const CANCELLED = Symbol('cancelled');

/** Calls `fn` once after `ms` unless the returned function is called first (through the clock). */
export function after(clock: Clock, ms: number, fn: () => void): () => void {
  if (clock.after) return clock.after(ms, fn);
  const abort = new AbortController();
  void clock.sleep(ms, abort.signal).then(() => {
    if (!abort.signal.aborted) fn();
  });
  return () => abort.abort(CANCELLED);
}

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
