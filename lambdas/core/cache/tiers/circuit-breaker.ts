/**
 * One breaker per remote tier. While a tier fails, callers skip it (the loader supplies values)
 * instead of each paying for the failure:
 *
 *   closed ──(failureThreshold consecutive failures, or timeoutThreshold consecutive timeouts)──► open
 *   open ──(cooldownMs elapsed; the next call is the one trial)──► half-open
 *   half-open ──trial succeeds──► closed        half-open ──trial fails──► open (a new cool-down)
 *
 * Timeouts have their own, lower threshold: an error (connection refused) costs a caller almost
 * nothing, a timeout costs it the whole tier timeout, so fewer are tolerated. Not one, though: a
 * single GC pause or cold connection would otherwise send a whole fleet to the origin for a cool-down.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly timeoutThreshold: number;
  readonly cooldownMs: number;
}

export interface BreakerTransition {
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** Epoch ms. */
  readonly at: number;
  readonly reason: string;
}

export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** Times it went to open (from closed or half-open). */
  readonly opens: number;
  readonly consecutiveFailures: number;
  /** The most recent transitions, oldest first. */
  readonly transitions: readonly BreakerTransition[];
}

const KEPT_TRANSITIONS = 20;

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private timeouts = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private opens = 0;
  private readonly history: BreakerTransition[] = [];

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go to the tier now. In half-open exactly one caller gets true: the trial. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.settings.cooldownMs) return false;
      this.move('half-open', 'cool-down elapsed');
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Without taking the trial: would allow() possibly say yes (used to stop waiting on a dead tier). */
  usable(): boolean {
    return (
      this.current === 'closed' ||
      (this.current === 'open' && this.now() - this.openedAt >= this.settings.cooldownMs)
    );
  }

  success(): void {
    this.failures = 0;
    this.timeouts = 0;
    if (this.current === 'half-open') {
      this.trialInFlight = false;
      this.move('closed', 'trial call succeeded');
    }
  }

  failure(kind: 'error' | 'timeout'): void {
    if (this.current === 'half-open') {
      this.trialInFlight = false;
      this.open(`trial call failed (${kind})`);
      return;
    }
    // Open: a call started before the breaker opened has finished; it changes nothing.
    if (this.current === 'open') return;
    this.failures++;
    if (kind === 'timeout') this.timeouts++;
    if (this.timeouts >= this.settings.timeoutThreshold) this.open(`${this.timeouts} consecutive timeouts`);
    else if (this.failures >= this.settings.failureThreshold)
      this.open(`${this.failures} consecutive failures`);
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.current,
      opens: this.opens,
      consecutiveFailures: this.failures,
      transitions: [...this.history],
    };
  }

  private open(reason: string): void {
    this.openedAt = this.now();
    this.opens++;
    this.failures = 0;
    this.timeouts = 0;
    this.move('open', reason);
  }

  private move(to: BreakerState, reason: string): void {
    this.history.push({ from: this.current, to, at: this.now(), reason });
    if (this.history.length > KEPT_TRANSITIONS) this.history.shift();
    this.current = to;
  }
}
