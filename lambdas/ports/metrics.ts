import type { MonitoredResource } from '../model/monitored';

/** Metrics port: CloudWatch on AWS, this process and machine locally. */

export const METRIC_GROUPS = ['cpu', 'memory', 'network', 'database'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

/** CloudWatch statistic names; `pNN` / `pNN.N` are percentiles. */
export type Statistic = 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount' | `p${string}`;

export interface MetricWindow {
  /** Epoch ms, inclusive. */
  readonly startMs: number;
  /** Epoch ms, exclusive. */
  readonly endMs: number;
  readonly periodSeconds: number;
  readonly stat: Statistic;
}

export interface MetricPoint {
  /** ISO 8601 start of the period. */
  readonly timestamp: string;
  readonly value: number;
}

export interface MetricSeries {
  /** Stable within a response, e.g. `cpu_ecs_0`. */
  readonly id: string;
  readonly label: string;
  /** What the series is about: a monitored resource, or the local process / host. */
  readonly resource: { readonly kind: string; readonly name: string; readonly owner: string };
  /** Metric name (CloudWatch name, or the local sampler's), or `expression` for metric math. */
  readonly metric: string;
  readonly namespace?: string;
  /** Metric math behind a derived series (ratios such as error rate). */
  readonly expression?: string;
  readonly unit: string;
  /** The statistic actually applied (a series may fix its own, e.g. Sum for counts). */
  readonly stat: string;
  readonly periodSeconds: number;
  /** Oldest first. */
  readonly points: readonly MetricPoint[];
}

export interface MetricsReport {
  readonly source: 'cloudwatch' | 'local';
  readonly series: readonly MetricSeries[];
  /** Partial data, skipped resources, unsupported statistics: said, not hidden. */
  readonly warnings: readonly string[];
}

export interface MetricsProvider {
  readonly source: MetricsReport['source'];
  /** Shortest period this source can answer (CloudWatch 60 s for standard metrics; local 1 s). */
  readonly minPeriodSeconds: number;
  /** Period used when a request names none and the window allows it (default 60 s). */
  readonly defaultPeriodSeconds?: number;
  /** Reads every series of a group over the window; never throws for an empty result. */
  read(group: MetricGroup, window: MetricWindow): Promise<MetricsReport>;
}

/** A CloudWatch query the catalog builds for one series (plain metric or metric math over others). */
export type MetricQuery =
  | {
      readonly id: string;
      readonly label: string;
      readonly resource: MonitoredResource;
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: Readonly<Record<string, string>>;
      /** Fixed statistic (counts are summed whatever the caller asked); absent: the caller's. */
      readonly stat?: Statistic;
      readonly unit: string;
      /** Fetched only as input of an expression, not returned. */
      readonly hidden?: boolean;
      /** CloudFront's metrics live in us-east-1 only. */
      readonly region?: string;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly resource: MonitoredResource;
      readonly expression: string;
      readonly unit: string;
      readonly region?: string;
    };
