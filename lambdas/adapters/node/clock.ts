import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports/clock';

const origin = performance.timeOrigin;

/** Wall-clock epoch ms from the high-resolution monotonic timer (same origin in all worker threads). */
export const systemClock: Clock = {
  now: () => origin + performance.now(),
  async sleep(ms, signal) {
    if (ms <= 0 || signal?.aborted) return;
    // Many VUs sleep on the same stop signal at once.
    if (signal) setMaxListeners(0, signal);
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch {
      // Aborted: callers look at the signal themselves.
    }
  },
};
