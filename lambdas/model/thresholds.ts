/** k6 threshold expressions, parsed (core/load/thresholds.ts parses and evaluates them). */

export const THRESHOLD_METRICS = {
  http_req_duration: ['p', 'avg', 'med', 'min', 'max'],
  http_req_failed: ['rate'],
  http_reqs: ['count', 'rate'],
  checks: ['rate'],
  iterations: ['count', 'rate'],
  dropped_iterations: ['count', 'rate'],
} as const satisfies Record<string, readonly string[]>;
export type MetricName = keyof typeof THRESHOLD_METRICS;
export const THRESHOLD_TAGS = ['name', 'scenario', 'method'] as const;
export const THRESHOLD_OPS = ['<', '<=', '>', '>=', '==', '===', '!='] as const;
export type Op = (typeof THRESHOLD_OPS)[number];

export interface ParsedThreshold {
  readonly metricKey: string;
  readonly metric: MetricName;
  readonly tags: Readonly<Record<string, string>>;
  readonly expression: string;
  readonly aggregation: string;
  readonly percentile?: number;
  readonly op: Op;
  readonly limit: number;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
}
