import { setMaxListeners } from 'node:events';
import type { Clock } from '../../ports/clock';

const origin = performance.timeOrigin;

/** Wall-clock epoch ms from the high-resolution monotonic timer (same origin in all worker threads). */
export const systemClock: Clock = {
  now: () => origin + performance.now(),
  // A bare timer: no AbortController, listener or promise per call (the cache's L3 timeouts).
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
  sleep(ms, signal) {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    // A plain timer and listener, not timers/promises: that one rejects with a fresh AbortError
    // (a stack trace) on every abort, which cost the cache's bounded tier calls ~30 % of their CPU.
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (signal) {
        // Many VUs sleep on the same stop signal at once.
        setMaxListeners(0, signal);
        signal.addEventListener('abort', done, { once: true });
      }
    });
  },
};
