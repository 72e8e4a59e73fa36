// Why checkov's Lambda checks that do not fit an API handler do not, from the route's own spec: how
// API Gateway invokes it, what bounds its concurrency, and which AWS services it calls.
import type { ApiThrottle } from '../../config/settings';
import { NO_RESERVATION } from '../shared/checkov';
import type { FunctionCheckovReasons } from '../shared/handler-function';
import { API_BASE_PATH, type Operation, type RouteSpec } from './routes';

/** The AWS services each operations handler calls beyond tests and results. */
const OPERATION_SERVICES: Readonly<Record<Operation, readonly string[]>> = {
  readMetrics: ['CloudWatch'],
  readAlarms: ['CloudWatch'],
  readScalingStatus: ['Application Auto Scaling', 'Lambda', 'ECS', 'ElastiCache'],
  readScalingHistory: ['Application Auto Scaling', 'Lambda', 'ECS', 'ElastiCache'],
  configureScaling: ['Application Auto Scaling', 'Lambda', 'ECS', 'ElastiCache', 'CloudWatch', 'IAM'],
  scaleManually: ['Application Auto Scaling', 'Lambda', 'ECS', 'ElastiCache', 'IAM', 'SNS'],
  invalidateCache: ['SQS'],
};

/** The AWS APIs a route's handler calls (the cache tier aside). */
export function awsServicesOf(route: RouteSpec): string[] {
  return [
    ...(route.tests !== 'none' || route.operation === 'readScalingHistory' || isScalingChange(route)
      ? ['DynamoDB']
      : []),
    ...(route.results !== 'none' || route.startsRun ? ['S3'] : []),
    ...(route.startsRun ? ['Step Functions'] : []),
    ...(route.operation === undefined ? [] : OPERATION_SERVICES[route.operation]),
  ];
}

const isScalingChange = (route: RouteSpec) =>
  route.operation === 'configureScaling' || route.operation === 'scaleManually';

export interface ApiHandlerContext {
  readonly throttle: ApiThrottle;
  /** Whether API Gateway invokes it through the `live` alias (provisioned concurrency). */
  readonly aliased: boolean;
  /** Whether it runs in the cache VPC. */
  readonly inVpc: boolean;
}

export function apiHandlerCheckov(route: RouteSpec, context: ApiHandlerContext): FunctionCheckovReasons {
  const name = `${route.method} /${API_BASE_PATH}/${route.path}`;
  const services = awsServicesOf(route);
  const where = route.cache
    ? 'It runs in the cache VPC when the cache tier is deployed; without it there is nothing private to reach.'
    : 'Only the routes that use the cache tier run in its VPC.';
  return {
    concurrency:
      `API Gateway invokes ${name}, and the stage throttle (${context.throttle.rateLimit} requests/s, burst ` +
      `${context.throttle.burstLimit}) bounds the concurrency of every route together. ` +
      (context.aliased
        ? 'Its provisioned concurrency, which the scaling API sets, could never exceed a reservation. '
        : '') +
      NO_RESERVATION,
    deadLetterQueue:
      `API Gateway invokes ${name} synchronously (Lambda proxy integration) and answers the caller with its ` +
      'error as a JSON 5xx; Lambda sends only failed asynchronous events to a dead-letter queue, so one would ' +
      'never receive a message.',
    ...(context.inVpc
      ? {}
      : {
          vpc:
            services.length === 0
              ? `${name} calls no AWS API and reaches nothing private; a VPC would only add network ` +
                `interfaces and cold-start latency. ${where}`
              : `${name} calls only ${services.join(', ')} through their public regional endpoints (TLS, SigV4 ` +
                'with its own role) and reaches nothing private; in a VPC it would need a NAT gateway or an ' +
                `interface endpoint per service. ${where}`,
        }),
  };
}
