import { globMatcher } from '../invalidation/glob';

/**
 * In-process single-flight: at most one load per key per process at a time; callers arriving while
 * it runs get the same promise (bentocache's "10 queries instead of 10k", per process). A flight
 * also carries what an invalidation must tell it: a load that an invalidation overtook must not
 * write the value it read before the invalidation (it would resurrect what was just removed).
 */
export class Flight<T = unknown> {
  /** An invalidation or set() of this key happened while the load ran. */
  superseded = false;
  /** The promise resolved with a stale value (grace): callers that joined count as stale served. */
  servedStale = false;
  promise!: Promise<T>;
  private pending = 1;

  constructor(
    readonly key: string,
    /** The invalidation epoch when the load started (entries with tags or dependencies compare it). */
    readonly startEpoch: number,
    private readonly done: (flight: Flight<T>) => void,
  ) {}

  /**
   * Keeps the flight registered until `work` settles too (stale-while-revalidate: callers already
   * have the stale value, but the refresh is still this key's one load).
   */
  hold(work: Promise<unknown>): void {
    this.pending++;
    work.then(
      () => this.release(),
      () => this.release(),
    );
  }

  release(): void {
    if (--this.pending === 0) this.done(this);
  }
}

export class Flights {
  private readonly flights = new Map<string, Flight>();

  get size(): number {
    return this.flights.size;
  }

  get<T>(key: string): Flight<T> | undefined {
    return this.flights.get(key) as Flight<T> | undefined;
  }

  /** Starts the one load of `key` (the caller checked there is none). */
  run<T>(key: string, epoch: number, work: (flight: Flight<T>) => Promise<T>): Flight<T> {
    const flight = new Flight<T>(key, epoch, (f) => {
      if (this.flights.get(key) === f) this.flights.delete(key);
    });
    this.flights.set(key, flight as Flight);
    flight.promise = work(flight);
    flight.promise.then(
      () => flight.release(),
      () => flight.release(),
    );
    return flight;
  }

  /**
   * Marks loads of these keys (or matching these globs) as overtaken, and forgets them so the next
   * caller starts a fresh load instead of joining one that read the old value.
   */
  supersede(keys: Iterable<string>, patterns: readonly string[] = []): void {
    const matchers = patterns.map(globMatcher);
    const targets = new Set(keys);
    for (const [key, flight] of this.flights) {
      if (targets.has(key) || matchers.some((m) => m(key))) {
        flight.superseded = true;
        this.flights.delete(key);
      }
    }
  }

  supersedeAll(): void {
    for (const flight of this.flights.values()) flight.superseded = true;
    this.flights.clear();
  }
}
