/**
 * Request deadlines are checked by one coarse timer per transport instead of a timer per request:
 * a timeout fires at most SWEEP_MS late, and the hot path creates no timer at all.
 */
const SWEEP_MS = 25;

/** What the sweep needs of a connection. */
export interface Expiring {
  /** performance.now() by which the current phase must complete. */
  readonly deadline: number;
  expire(): void;
}

export class Deadlines {
  private readonly open = new Set<Expiring>();
  private timer: NodeJS.Timeout | undefined;
  add(c: Expiring): void {
    this.open.add(c);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
  }
  delete(c: Expiring): void {
    this.open.delete(c);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
  private sweep(): void {
    const now = performance.now();
    for (const c of this.open) if (now >= c.deadline) c.expire();
  }
}
