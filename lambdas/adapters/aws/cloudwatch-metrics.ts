import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mapLimit } from '../../core/map-limit';
import { catalogWarnings, metricQueries } from '../../core/observability/catalog';
import { resourceName } from '../../core/observability/monitored';
import type { MonitoredResource } from '../../model/monitored';
import type {
  MetricGroup,
  MetricPoint,
  MetricQuery,
  MetricSeries,
  MetricsProvider,
  MetricWindow,
} from '../../ports/metrics';
import { batchQueries, isExpression, references } from './cloudwatch-batching';

export { type BatchLimits, batchQueries, GET_METRIC_DATA_LIMITS } from './cloudwatch-batching';

/**
 * The metrics port on CloudWatch: the catalog's queries for a group, sent as few GetMetricData calls
 * as the API's limits allow, one client per region (CloudFront publishes to us-east-1 only).
 */

export interface CloudWatchMetricsOptions {
  readonly cloudwatch: CloudWatchClient;
  /** For CloudFront's metrics; without it their series are skipped with a warning. */
  readonly cloudwatchUsEast1?: CloudWatchClient;
  readonly resources: readonly MonitoredResource[];
  /** GetMetricData calls in flight per read. Default 4 (the account's quota is 50/s, shared). */
  readonly concurrency?: number;
}

function toSdkQuery(q: MetricQuery, window: MetricWindow, periodSeconds: number): MetricDataQuery {
  if (isExpression(q))
    return { Id: q.id, Label: q.label, Expression: q.expression, Period: periodSeconds, ReturnData: true };
  return {
    Id: q.id,
    Label: q.label,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      // No Unit: CloudWatch would then return only data published with exactly that unit.
      Stat: q.stat ?? window.stat,
    },
    ReturnData: !q.hidden,
  };
}

interface BatchResult {
  readonly points: Map<string, MetricPoint[]>;
  readonly warnings: string[];
}

async function fetchBatch(
  client: CloudWatchClient,
  batch: readonly MetricQuery[],
  window: MetricWindow,
  periodSeconds: number,
): Promise<BatchResult> {
  const labels = new Map(batch.map((q) => [q.id, q.label]));
  const points = new Map<string, MetricPoint[]>();
  const last = new Map<string, MetricDataResult>();
  const warnings: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(window.startMs),
        EndTime: new Date(window.endMs),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: batch.map((q) => toSdkQuery(q, window, periodSeconds)),
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    for (const m of page.Messages ?? []) warnings.push(`CloudWatch: ${m.Code ?? ''} ${m.Value ?? ''}`.trim());
    for (const r of page.MetricDataResults ?? []) {
      if (!r.Id) continue;
      const list = points.get(r.Id) ?? [];
      const values = r.Values ?? [];
      (r.Timestamps ?? []).forEach((t, i) => {
        const value = values[i];
        const ms = t.getTime();
        // The window is [start, end): some implementations also return the period starting at end.
        if (value !== undefined && ms >= window.startMs && ms < window.endMs)
          list.push({ timestamp: t.toISOString(), value });
      });
      points.set(r.Id, list);
      last.set(r.Id, r);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  for (const [id, r] of last) {
    const label = labels.get(id) ?? id;
    // PartialData on the last page means CloudWatch gave up before the window was covered.
    if (r.StatusCode && r.StatusCode !== 'Complete')
      warnings.push(`${label}: CloudWatch status ${r.StatusCode}`);
    for (const m of r.Messages ?? []) warnings.push(`${label}: ${m.Code ?? ''} ${m.Value ?? ''}`.trim());
  }
  return { points, warnings };
}

/** Oldest first, one point per timestamp (the last page wins). */
function ordered(points: readonly MetricPoint[]): MetricPoint[] {
  const byTime = new Map(points.map((p) => [p.timestamp, p]));
  return [...byTime.values()].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}

/** The statistic behind a series: its own, or for an expression those of the inputs it reads. */
function appliedStat(q: MetricQuery, all: readonly MetricQuery[], window: MetricWindow): string {
  if (!isExpression(q)) return q.stat ?? window.stat;
  const ids = new Map(all.map((x, i) => [x.id, i]));
  const refs = references(q, ids);
  const inputs =
    refs === 'all' ? all.filter((x) => !isExpression(x)) : refs.map((i) => all[i] as MetricQuery);
  const stats = [...new Set(inputs.flatMap((x) => (isExpression(x) ? [] : [x.stat ?? window.stat])))];
  return stats.length > 0 ? stats.join(',') : window.stat;
}

export function createCloudWatchMetrics(o: CloudWatchMetricsOptions): MetricsProvider {
  const concurrency = o.concurrency ?? 4;
  const clientFor = (region: string | undefined) =>
    region === undefined ? o.cloudwatch : region === 'us-east-1' ? o.cloudwatchUsEast1 : undefined;

  return {
    source: 'cloudwatch',
    minPeriodSeconds: 60,
    async read(group: MetricGroup, window: MetricWindow) {
      const warnings = catalogWarnings(o.resources, group);
      const queries = metricQueries(group, o.resources);
      // Standard-resolution metrics exist per minute; CloudWatch rejects other periods.
      const periodSeconds = Math.max(60, Math.ceil(window.periodSeconds / 60) * 60);
      if (periodSeconds !== window.periodSeconds)
        warnings.push(
          `period ${window.periodSeconds} s is not a multiple of 60 s: read at ${periodSeconds} s`,
        );
      const pointsPerQuery = Math.ceil((window.endMs - window.startMs) / (periodSeconds * 1_000));

      const jobs: { client: CloudWatchClient; region: string; batch: MetricQuery[] }[] = [];
      const regions = [...new Set(queries.map((q) => q.region))];
      for (const region of regions) {
        const inRegion = queries.filter((q) => q.region === region);
        const client = clientFor(region);
        if (!client) {
          const names = [...new Set(inRegion.map((q) => resourceName(q.resource)))].join(', ');
          warnings.push(`no CloudWatch client for ${region}: series of ${names} skipped`);
          continue;
        }
        for (const batch of batchQueries(inRegion, pointsPerQuery))
          jobs.push({ client, region: region ?? 'default', batch });
      }

      const results = await mapLimit(jobs, concurrency, (job) =>
        fetchBatch(job.client, job.batch, window, periodSeconds).then(
          (r) => ({ ok: true as const, ...r }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
      const failed = results.flatMap((r, i) => (r.ok ? [] : [{ error: r.error, job: jobs[i] }]));
      if (jobs.length > 0 && failed.length === jobs.length) {
        const first = failed[0]?.error;
        throw new Error(`CloudWatch GetMetricData failed: ${(first as Error)?.message ?? String(first)}`, {
          cause: first,
        });
      }
      const points = new Map<string, MetricPoint[]>();
      results.forEach((r, i) => {
        if (!r.ok) return;
        warnings.push(...r.warnings);
        // A series CloudWatch had nothing for is still answered, empty.
        for (const q of jobs[i]?.batch ?? []) points.set(q.id, r.points.get(q.id) ?? []);
      });
      for (const f of failed)
        warnings.push(
          `CloudWatch GetMetricData failed in ${f.job?.region}: ${(f.error as Error)?.message ?? String(f.error)}; ` +
            `skipped: ${f.job?.batch.map((q) => q.label).join(', ')}`,
        );

      const series = queries.flatMap((q): MetricSeries[] => {
        if (!isExpression(q) && q.hidden) return [];
        const got = points.get(q.id);
        if (!got) return [];
        return [
          {
            id: q.id,
            label: q.label,
            resource: { kind: q.resource.kind, name: resourceName(q.resource), owner: q.resource.owner },
            ...(isExpression(q)
              ? { metric: 'expression', expression: q.expression }
              : { metric: q.metricName, namespace: q.namespace }),
            unit: q.unit,
            stat: appliedStat(q, queries, window),
            periodSeconds,
            points: ordered(got),
          },
        ];
      });
      return { source: 'cloudwatch', series, warnings };
    },
  };
}
