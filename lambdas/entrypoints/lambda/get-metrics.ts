import { awsMetrics } from '../../composition/aws-operations';
import { awsConfig } from '../../config/env';
import { getMetricsHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of GET /performance/metrics and /performance/metrics/{group}: configuration and adapters are built once per container. */
export const handler = withPowertools(
  getMetricsHandler({ metrics: awsMetrics(awsConfig(process.env)), log }),
);
