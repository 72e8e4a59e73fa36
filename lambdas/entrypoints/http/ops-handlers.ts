import middy from '@middy/core';
import type { TieredCache } from '../../core/cache/tiers/tiered-cache';
import { parseInstant } from '../../core/observability/metric-window';
import type { createMetricsReader } from '../../core/observability/metrics';
import {
  configureScaling,
  manualScaling,
  type ScalingDeps,
  scalingHistory,
  scalingStatus,
} from '../../core/scaling/scaling';
import type { AlarmReader } from '../../ports/alarms';
import type { Log } from '../../ports/log';
import { METRICS_POLICY } from './cache-policies';
import { HttpError } from './errors';
import { httpCache } from './http-cache';
import { type ApiEvent, type ApiResult, json, jsonBody, jsonErrors, params } from './http-io';
import {
  alarmsQuerySchema,
  metricGroupSchema,
  metricsQuerySchema,
  scalingHistoryQuerySchema,
} from './ops-schemas';

/** Handlers of the metrics, alarms and scaling endpoints: parse → one use case → map. */

type Handler = middy.MiddyfiedHandler<ApiEvent, ApiResult>;
const api = (log: Log, fn: (event: ApiEvent) => Promise<ApiResult>): Handler =>
  middy<ApiEvent, ApiResult>().use(jsonErrors(log)).handler(fn);

/** Who made a change: the IAM principal API Gateway verified (AWS_IAM auth), `local` on the local server. */
export function actorOf(event: ApiEvent): string {
  const identity = event.requestContext?.identity;
  return (
    identity?.userArn ?? identity?.caller ?? (event.requestContext?.stage === 'local' ? 'local' : 'unknown')
  );
}

export interface MetricsHandlerDeps {
  readonly metrics: ReturnType<typeof createMetricsReader>;
  readonly log: Log;
  /** Answers kept 30 s in the response cache (metrics reads cost money on AWS). */
  readonly cache?: TieredCache | undefined;
}

/** GET /metrics (summary) and GET /metrics/{group}. Answers are private: they describe the account. */
export const getMetricsHandler = (deps: MetricsHandlerDeps) =>
  api(deps.log, async (event) => {
    const query = params(metricsQuerySchema, event.queryStringParameters);
    const rawGroup = event.pathParameters?.group;
    if (rawGroup === undefined) return json(200, await deps.metrics.summary(query));
    const group = metricGroupSchema.safeParse(rawGroup);
    if (!group.success)
      throw new HttpError(
        404,
        'E_NOT_FOUND',
        `no metrics group ${JSON.stringify(rawGroup)}; groups: ${metricGroupSchema.options.join(', ')}`,
      );
    return json(200, await deps.metrics.group(group.data, query));
  }).use(httpCache(deps.cache, METRICS_POLICY, deps.log));

export const listAlarmsHandler = (deps: { readonly alarms: AlarmReader; readonly log: Log }) =>
  api(deps.log, async (event) => {
    const { state } = params(alarmsQuerySchema, event.queryStringParameters);
    const alarms = await deps.alarms.list(state ? { state } : {});
    const counts = { OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0 };
    for (const a of alarms) counts[a.state] += 1;
    // Alarms first: the list is read to find what is wrong.
    const order = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 } as const;
    const sorted = [...alarms].sort(
      (a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name),
    );
    return json(200, { source: deps.alarms.source, counts, alarms: sorted });
  });

export interface ScalingHandlerDeps {
  readonly scaling: ScalingDeps;
  readonly log: Log;
}

export const scalingStatusHandler = (deps: ScalingHandlerDeps) =>
  api(deps.log, async () => json(200, await scalingStatus(deps.scaling)));

export const scalingConfigHandler = (deps: ScalingHandlerDeps) =>
  api(deps.log, async (event) =>
    json(200, await configureScaling(deps.scaling, jsonBody(event), actorOf(event))),
  );

export const scalingManualHandler = (deps: ScalingHandlerDeps) =>
  api(deps.log, async (event) =>
    json(200, await manualScaling(deps.scaling, jsonBody(event), actorOf(event))),
  );

export const scalingHistoryHandler = (deps: ScalingHandlerDeps) =>
  api(deps.log, async (event) => {
    const q = params(scalingHistoryQuerySchema, event.queryStringParameters);
    const fromMs = q.from === undefined ? undefined : parseInstant(q.from, deps.scaling.clock.now());
    if (q.from !== undefined && fromMs === undefined)
      throw new HttpError(400, 'E_INVALID_REQUEST', 'invalid request parameters', {
        problems: [
          { path: 'from', message: 'an ISO 8601 time, epoch milliseconds or "-<duration>" such as "-72h"' },
        ],
      });
    return json(200, await scalingHistory(deps.scaling, { target: q.target, fromMs, limit: q.limit }));
  });
