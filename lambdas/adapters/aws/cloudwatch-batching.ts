import type { MetricQuery } from '../../ports/metrics';

/** How the catalog's queries are split into GetMetricData calls (pure, so it is tested without a server). */

/** GetMetricData's limits per call (MetricDataQueries, and data points it returns per page). */
export const GET_METRIC_DATA_LIMITS = { maxQueries: 500, maxDatapoints: 100_800 } as const;
export type BatchLimits = { readonly maxQueries: number; readonly maxDatapoints: number };

export const isExpression = (q: MetricQuery): q is Extract<MetricQuery, { expression: string }> =>
  'expression' in q;

/** Ids an expression reads; METRICS() reads every query of the call. */
export function references(q: MetricQuery, ids: ReadonlyMap<string, number>): number[] | 'all' {
  if (!isExpression(q)) return [];
  if (/\bMETRICS\s*\(/.test(q.expression)) return 'all';
  return (q.expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).flatMap((t) => {
    const i = ids.get(t);
    return i === undefined ? [] : [i];
  });
}

/**
 * Splits queries into GetMetricData calls: at most `maxQueries` per call and, counting every query
 * as `pointsPerQuery` data points, at most `maxDatapoints` per call. An expression travels with
 * every query it reads (CloudWatch resolves ids within one call only), so connected queries form one
 * unit that is never split. A unit over the data-point limit gets a call of its own and NextToken
 * pages it; one over the query limit cannot be sent at all.
 */
export function batchQueries(
  queries: readonly MetricQuery[],
  pointsPerQuery: number,
  limits: BatchLimits = GET_METRIC_DATA_LIMITS,
): MetricQuery[][] {
  const ids = new Map<string, number>();
  queries.forEach((q, i) => {
    if (ids.has(q.id)) throw new RangeError(`duplicate metric query id "${q.id}"`);
    ids.set(q.id, i);
  });
  const parent = queries.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const join = (a: number, b: number) => {
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  queries.forEach((q, i) => {
    const refs = references(q, ids);
    for (const j of refs === 'all' ? queries.keys() : refs) join(i, j);
  });
  const units = new Map<number, MetricQuery[]>();
  queries.forEach((q, i) => {
    const r = root(i);
    units.set(r, [...(units.get(r) ?? []), q]);
  });

  const points = Math.max(1, pointsPerQuery);
  const batches: MetricQuery[][] = [];
  let current: MetricQuery[] = [];
  for (const unit of [...units.entries()].sort(([a], [b]) => a - b).map(([, u]) => u)) {
    if (unit.length > limits.maxQueries)
      throw new RangeError(
        `${unit.length} metric queries depend on each other; GetMetricData takes at most ${limits.maxQueries}`,
      );
    const size = current.length + unit.length;
    if (current.length > 0 && (size > limits.maxQueries || size * points > limits.maxDatapoints)) {
      batches.push(current);
      current = [];
    }
    current.push(...unit);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
