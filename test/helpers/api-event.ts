import type { Context } from 'aws-lambda';
import type { ApiEvent } from '../../lambdas/entrypoints/http/http-io';

/** An API Gateway REST proxy event as the deployed API hands it to a function (IAM-authorized). */
export function apiEvent(
  method: string,
  path: string,
  options: {
    readonly query?: Record<string, string>;
    readonly pathParameters?: Record<string, string>;
    readonly body?: unknown;
    readonly userArn?: string;
  } = {},
): ApiEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      stage: 'prod',
      httpMethod: method,
      path,
      identity: { userArn: options.userArn ?? 'arn:aws:iam::123456789012:user/ops', caller: 'AIDAEXAMPLE' },
    } as unknown as ApiEvent['requestContext'],
  };
}

export const lambdaContext = {
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
