import { ThroughlineError } from '../model/errors';
import type { LiveStatus } from '../model/live';
import type { RunPhase, TestResults, TestStatus, ThresholdResult } from '../model/results';

/** Storage port for load tests: one record per test, one results document per finished test. */

export interface TestRecord {
  /** Sortable unique id (time-ordered, URL-safe). */
  readonly id: string;
  readonly name: string;
  readonly status: TestStatus;
  /** ISO-8601 instants. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Free-form labels from the definition's `tags`, filterable in history. */
  readonly tags: Readonly<Record<string, string>>;
  /** The definition as submitted (plain JSON data), what workers receive. */
  readonly definition: unknown;
  /** Id of the finished test this one is compared with, resolved when the test was created. */
  readonly baselineId?: string;
  readonly idempotencyKey?: string;
  /** Set by a cancel request, or by the monitor when an abortOnFail threshold fails; workers poll it. */
  readonly cancelRequested?: boolean;
  /** Set with cancelRequested when the platform itself stops the run (local server shutdown, Ctrl-C): it ends `interrupted`. */
  readonly interruptRequested?: boolean;
  /** The abortOnFail thresholds that failed across all workers and stopped the run. */
  readonly abortedBy?: readonly ThresholdResult[];
  /** Latest live figures while running (at most a few seconds old). */
  readonly live?: LiveStatus;
  /** Where the run is while the test is running (written by the pipeline). */
  readonly phase?: RunPhase;
  /**
   * ISO instant until which the pipeline expects to write nothing (a run waiting for workers that
   * may take until their timeout): silence is judged from the later of this and updatedAt.
   */
  readonly quietUntil?: string;
  /** Headline figures once finished, so history needs no results read. */
  readonly summary?: TestSummary;
  /** Why the test ended in `error` or `interrupted`. */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface TestSummary {
  readonly requests: number;
  readonly errorRate: number;
  readonly rps: number;
  readonly p95Ms: number;
  readonly thresholdsFailed: number;
  readonly regressions: number;
}

/** Fields a writer may change after creation. */
export type TestPatch = Partial<
  Pick<
    TestRecord,
    | 'status'
    | 'updatedAt'
    | 'startedAt'
    | 'endedAt'
    | 'cancelRequested'
    | 'interruptRequested'
    | 'abortedBy'
    | 'live'
    | 'phase'
    | 'quietUntil'
    | 'summary'
    | 'error'
  >
>;

export interface HistoryQuery {
  readonly name?: string;
  readonly status?: TestStatus;
  /** Matches tests whose tag `key` equals `value`. */
  readonly tag?: { readonly key: string; readonly value: string };
  /** createdAt >= from (ISO). */
  readonly from?: string;
  /** createdAt < to (ISO). */
  readonly to?: string;
  /** 1–100. */
  readonly limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface HistoryPage {
  /** Newest first (by createdAt, then id). */
  readonly items: readonly TestRecord[];
  /** Present when more items may follow. */
  readonly nextCursor?: string;
}

export interface CreateOptions {
  /**
   * The most tests that may be active (`queued` or `running`) at once, this one included: an active
   * record is stored only while fewer are, atomically across every process. Absent: no limit.
   */
  readonly maxActive?: number;
}

/**
 * The store counts the active (`queued`, `running`) records: a record created active takes a slot
 * (with or without `maxActive`), an update that moves it to any other status releases it, in the
 * same atomic write. Records changed past the store make the count drift; `repairActiveCount`
 * recounts.
 */
export interface TestStore {
  /**
   * Stores a new record. When `record.idempotencyKey` is already used by another test, stores
   * nothing and returns that test with `created: false` (a replay takes no slot, even at the
   * limit). Throws ActiveLimitError, storing nothing, when `maxActive` slots are taken.
   */
  create(
    record: TestRecord,
    options?: CreateOptions,
  ): Promise<{ readonly record: TestRecord; readonly created: boolean }>;
  /** The record, or undefined when no test has this id. */
  get(id: string): Promise<TestRecord | undefined>;
  /** The test an unexpired idempotency key was used for, or undefined. */
  findByIdempotencyKey(key: string): Promise<TestRecord | undefined>;
  /**
   * Applies `patch`, only if the current status is one of `ifStatusIn` (when given). Returns the
   * updated record, or undefined when the test does not exist or the condition failed.
   */
  update(id: string, patch: TestPatch, ifStatusIn?: readonly TestStatus[]): Promise<TestRecord | undefined>;
  /** One page of history matching every given filter, newest first. Throws InvalidCursorError on a bad cursor. */
  list(query: HistoryQuery): Promise<HistoryPage>;
  /** Writes (or replaces) the results document of a test. */
  putResults(id: string, results: TestResults): Promise<void>;
  /** The results document, or undefined when none was written. */
  getResults(id: string): Promise<TestResults | undefined>;
  /** Every record whose status is one of `statuses` (for recovery after a crash); unordered. */
  listByStatus(statuses: readonly TestStatus[]): Promise<readonly TestRecord[]>;
  /** Recounts the active records and corrects the store's count when it drifted; returns the count. */
  repairActiveCount(): Promise<number>;
}

/** `create` refused: `limit` tests are already active. */
export class ActiveLimitError extends ThroughlineError {
  constructor(readonly limit: number) {
    super('E_ACTIVE_LIMIT', `at most ${limit} tests may be queued or running at once`);
    this.name = 'ActiveLimitError';
  }
}

/** A history cursor that this store did not issue or cannot read. */
export class InvalidCursorError extends ThroughlineError {
  constructor(message: string) {
    super('E_INVALID_CURSOR', message);
    this.name = 'InvalidCursorError';
  }
}
