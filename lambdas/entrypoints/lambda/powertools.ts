import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import type { Log } from '../../ports/log';
import type { ApiEvent, ApiResult } from '../http/http-io';

/** Powertools for every API function: structured logs with the Lambda context, EMF metrics. */

export const logger = new Logger();
export const metrics = new Metrics();

export const log: Log = {
  info: (message, data) => logger.info(message, data ?? {}),
  error: (message, data) => logger.error(message, data ?? {}),
};

export function withPowertools(
  handler: middy.MiddyfiedHandler<ApiEvent, ApiResult>,
): middy.MiddyfiedHandler<ApiEvent, ApiResult> {
  return handler.use(injectLambdaContext(logger)).use(logMetrics(metrics, { captureColdStartMetric: true }));
}
