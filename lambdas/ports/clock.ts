/** Time source; core code never reads the system clock directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch, sub-millisecond resolution, monotonic within a process. */
  now(): number;
  /** Resolves after `ms` (at once for ms ≤ 0), or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
