import type { Clock } from '../../ports/clock';
import {
  METRIC_GROUPS,
  type MetricGroup,
  type MetricSeries,
  type MetricsProvider,
  type MetricWindow,
} from '../../ports/metrics';
import { type MetricWindowQuery, parseMetricWindow } from './metric-window';

/** The metrics endpoints' use cases: one group over a window, or a summary of every group. */

export interface MetricsDeps {
  readonly provider: MetricsProvider;
  readonly clock: Clock;
  /** How long an answer is reused for the same window (0 = never); CloudWatch reads cost money. */
  readonly cacheTtlMs: number;
}

export interface MetricsAnswer {
  readonly source: MetricsProvider['source'];
  readonly group: MetricGroup;
  readonly start: string;
  readonly end: string;
  readonly periodSeconds: number;
  readonly stat: string;
  readonly series: readonly MetricSeries[];
  readonly warnings: readonly string[];
  /** When the answer was read from the source (older than the request when it came from the cache). */
  readonly readAt: string;
}

export interface SeriesSummary {
  readonly id: string;
  readonly label: string;
  readonly resource: MetricSeries['resource'];
  readonly metric: string;
  readonly unit: string;
  readonly stat: string;
  /** Value of the newest period; null when the window had no data. */
  readonly latest: number | null;
  readonly latestAt: string | null;
  readonly minimum: number | null;
  readonly maximum: number | null;
  readonly points: number;
}

export interface MetricsSummary {
  readonly source: MetricsProvider['source'];
  readonly start: string;
  readonly end: string;
  readonly periodSeconds: number;
  readonly stat: string;
  readonly groups: Readonly<Record<MetricGroup, readonly SeriesSummary[]>>;
  readonly warnings: readonly string[];
}

const MAX_CACHED = 200;

/** Answers cached per container by exact (aligned) window; the oldest go first when full. */
export function createMetricsReader(deps: MetricsDeps) {
  const cache = new Map<string, { at: number; answer: MetricsAnswer }>();

  async function read(group: MetricGroup, window: MetricWindow): Promise<MetricsAnswer> {
    const key = `${group}|${window.startMs}|${window.endMs}|${window.periodSeconds}|${window.stat}`;
    const now = deps.clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < deps.cacheTtlMs) return hit.answer;
    const report = await deps.provider.read(group, window);
    const answer: MetricsAnswer = {
      source: report.source,
      group,
      start: new Date(window.startMs).toISOString(),
      end: new Date(window.endMs).toISOString(),
      periodSeconds: window.periodSeconds,
      stat: window.stat,
      series: report.series,
      warnings: report.warnings,
      readAt: new Date(now).toISOString(),
    };
    if (deps.cacheTtlMs > 0) {
      cache.delete(key);
      cache.set(key, { at: now, answer });
      for (const oldest of cache.keys()) {
        if (cache.size <= MAX_CACHED) break;
        cache.delete(oldest);
      }
    }
    return answer;
  }

  const windowOf = (query: MetricWindowQuery) => parseMetricWindow(query, deps.clock.now(), deps.provider);

  return {
    /** GET /metrics/{group}. */
    group: (group: MetricGroup, query: MetricWindowQuery) => read(group, windowOf(query)),
    /** GET /metrics: every group, each series reduced to its latest value and range. */
    async summary(query: MetricWindowQuery): Promise<MetricsSummary> {
      const window = windowOf(query);
      const answers = await Promise.all(METRIC_GROUPS.map((g) => read(g, window)));
      const groups = Object.fromEntries(answers.map((a) => [a.group, a.series.map(summarize)])) as Record<
        MetricGroup,
        SeriesSummary[]
      >;
      return {
        source: deps.provider.source,
        start: new Date(window.startMs).toISOString(),
        end: new Date(window.endMs).toISOString(),
        periodSeconds: window.periodSeconds,
        stat: window.stat,
        groups,
        warnings: [...new Set(answers.flatMap((a) => a.warnings))],
      };
    },
  };
}

function summarize(s: MetricSeries): SeriesSummary {
  const values = s.points.map((p) => p.value);
  const last = s.points.at(-1);
  return {
    id: s.id,
    label: s.label,
    resource: s.resource,
    metric: s.metric,
    unit: s.unit,
    stat: s.stat,
    latest: last?.value ?? null,
    latestAt: last?.timestamp ?? null,
    minimum: values.length ? Math.min(...values) : null,
    maximum: values.length ? Math.max(...values) : null,
    points: values.length,
  };
}
