// How the performance API talks HTTP beyond its routes: JSON access logs, JSON errors for what API
// Gateway answers itself, validated path parameters, and the cdk-nag and checkov findings of an
// IAM-only API.
import { Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat, ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { skipCheckov } from '../shared/checkov';

/**
 * Errors API Gateway answers itself (missing signature, throttling, a body that is not an
 * object, timeouts) get the same `{"error": {code, message, details}}` shape as the handlers'.
 */
export function addJsonGatewayResponses(api: RestApi): void {
  const body = (code: string, message: string) =>
    `{"error":{"code":"${code}","message":${message},"details":{"responseType":"$context.error.responseType","requestId":"$context.requestId"}}}`;
  const responses: [ResponseType, string, string][] = [
    [
      ResponseType.BAD_REQUEST_BODY,
      'E_INVALID_REQUEST',
      '"the body must be a JSON object: $context.error.validationErrorString"',
    ],
    [ResponseType.THROTTLED, 'E_THROTTLED', '$context.error.messageString'],
    [ResponseType.DEFAULT_4XX, 'E_GATEWAY_REJECTED', '$context.error.messageString'],
    [ResponseType.DEFAULT_5XX, 'E_GATEWAY_ERROR', '$context.error.messageString'],
  ];
  for (const [type, code, message] of responses)
    api.addGatewayResponse(`${code}${type.responseType}`, {
      type,
      templates: { 'application/json': body(code, message) },
    });
}

/** What cdk-nag and checkov flag on an IAM-authorized REST API with execution logs, and why each is so. */
export function acknowledgeRestApiFindings(api: RestApi): void {
  skipCheckov(api.deploymentStage, [
    {
      id: 'CKV_AWS_120',
      reason:
        'No stage cache: most answers are live (test status, metrics, scaling) and must not be served stale, ' +
        'and a stage cache keys on path and parameters, not on the signed caller. Finished results, the one ' +
        'cacheable answer, go through the CDN and the cache tier when deployed; a stage cache is billed per hour.',
    },
  ]);
  const ack = (id: string, reason: string) => Validations.of(api).acknowledge({ id, reason });
  ack(
    'AwsSolutions-COG4',
    'Every method uses IAM authorization (SigV4): callers are IAM principals of the account (engineers, CI ' +
      'roles), so there is no Cognito user pool to authorize against.',
  );
  ack(
    'AwsSolutions-APIG3',
    'No WAF web ACL: API Gateway rejects every unsigned or wrongly signed request before any integration ' +
      'runs, and stage throttling bounds signed traffic; a web ACL would add cost and little protection to ' +
      "an IAM-only API. Attach your organisation's web ACL to the stage if policy requires one.",
  );
  ack(
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    "Execution logging requires the region's API Gateway account setting to name a CloudWatch role. That " +
      'setting is shared by every REST API in the account and region, which may log to log groups of any ' +
      "name, so the role carries AWS's managed policy for exactly that purpose and trusts only API Gateway.",
  );
}

/** `method.request.path.<name>: true` for every `{name}` of a path (API Gateway then checks them). */
export function pathParametersOf(path: string): Record<string, boolean> {
  return Object.fromEntries(
    [...path.matchAll(/\{(\w+)\}/g)].map((m) => [`method.request.path.${m[1]}`, true]),
  );
}

/** One JSON object per request: who called (IAM identity), what, how it ended, and how long it took. */
export function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      path: AccessLogField.contextPath(),
      status: AccessLogField.contextStatus(),
      protocol: AccessLogField.contextProtocol(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      caller: AccessLogField.contextIdentityCaller(),
      userArn: AccessLogField.contextIdentityUserArn(),
      accountId: AccessLogField.contextIdentityAccountId(),
      errorMessage: AccessLogField.contextErrorMessageString(),
      xrayTraceId: AccessLogField.contextXrayTraceId(),
    }),
  );
}
