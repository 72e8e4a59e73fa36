/** How a request failed: the transport's kinds, then HTTP status classes. */
export const ERROR_KINDS = [
  'refused',
  'timeout',
  'reset',
  'dns',
  'tls',
  'http_4xx',
  'http_5xx',
  'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** One request series (scenario + request name + method) in one 1-second window of one worker. */
export interface SeriesWindow {
  readonly scenario: string;
  readonly name: string;
  readonly method: string;
  readonly requests: number;
  /** k6 `http_req_failed`: transport errors and responses with status ≥ 400. */
  readonly failed: number;
  readonly errors: Partial<Record<ErrorKind, number>>;
  /** Check name → [passed, failed]. */
  readonly checks: Readonly<Record<string, readonly [number, number]>>;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Compressed HdrHistogram of latencies in µs. */
  readonly latency: string;
}

export interface ScenarioWindow {
  readonly scenario: string;
  readonly iterations: number;
  readonly interrupted: number;
  readonly dropped: number;
  /** Most VUs active at once during the window. */
  readonly vus: number;
}

/** What a worker emits once a second: mergeable, serializable, small. */
export interface WindowSnapshot {
  /** Seconds since the test's common start. */
  readonly index: number;
  readonly worker: number;
  readonly series: readonly SeriesWindow[];
  readonly scenarios: readonly ScenarioWindow[];
}

export const seriesKey = (scenario: string, name: string, method: string): string =>
  `${scenario}\u0000${name}\u0000${method}`;
