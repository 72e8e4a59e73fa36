/** Time source; core code never reads the system clock directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch, sub-millisecond resolution, monotonic within a process. */
  now(): number;
  /** Resolves after `ms` (at once for ms ≤ 0), or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional fast path for hot timeouts: calls `fn` once after `ms` unless the returned function is
   * called first. Without it, core's `after` (core/timing.ts) builds one on `sleep`.
   */
  after?(ms: number, fn: () => void): () => void;
}
