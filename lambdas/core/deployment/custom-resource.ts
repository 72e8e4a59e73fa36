import type { CustomResourceRequest, CustomResourceResponse } from '../../model/custom-resource';
import type { CustomResourceResponder } from '../../ports/custom-resource-responder';
import type { Log } from '../../ports/log';

/**
 * The CloudFormation custom resource protocol, apart from any one resource: whatever a resource's
 * logic decides or throws becomes exactly one response at the pre-signed URL, so CloudFormation is
 * never left waiting for its hour-long timeout.
 */

/** What a resource's logic decides: the resource's id, why, and the attributes `Fn::GetAtt` reads. */
export interface CustomResourceOutcome {
  readonly physicalResourceId: string;
  readonly reason: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** The whole response body must stay under 4 KiB; a reason this long leaves room for the rest. */
export const MAX_REASON_LENGTH = 400;

export function successResponse(
  request: CustomResourceRequest,
  outcome: CustomResourceOutcome,
): CustomResourceResponse {
  return {
    Status: 'SUCCESS',
    Reason: outcome.reason.slice(0, MAX_REASON_LENGTH),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: request.stackId,
    RequestId: request.requestId,
    LogicalResourceId: request.logicalResourceId,
    ...(outcome.data === undefined ? {} : { Data: outcome.data }),
  };
}

/**
 * FAILED with the error's message. The resource keeps the id it had; one that never had any (a
 * failed Create) gets `failedPhysicalId`, which CloudFormation then sends with the rollback's Delete.
 */
export function failureResponse(
  request: CustomResourceRequest,
  error: unknown,
  failedPhysicalId: string,
): CustomResourceResponse {
  const message = error instanceof Error ? error.message : String(error);
  return {
    Status: 'FAILED',
    Reason: (message || 'the custom resource failed without a message').slice(0, MAX_REASON_LENGTH),
    PhysicalResourceId: request.physicalResourceId ?? failedPhysicalId,
    StackId: request.stackId,
    RequestId: request.requestId,
    LogicalResourceId: request.logicalResourceId,
  };
}

export interface CustomResourceDeps {
  readonly responder: CustomResourceResponder;
  readonly log: Log;
}

/**
 * Runs `decide` and answers CloudFormation with its outcome, or with FAILED if it throws. Resolves
 * with the response sent; rejects only when the response could not be delivered (Lambda's retries
 * of the asynchronous invocation then run the request again).
 */
export async function answerCustomResource(
  request: CustomResourceRequest,
  decide: (request: CustomResourceRequest) => Promise<CustomResourceOutcome>,
  deps: CustomResourceDeps,
  failedPhysicalId: string,
): Promise<CustomResourceResponse> {
  const about = { requestType: request.requestType, logicalResourceId: request.logicalResourceId };
  let response: CustomResourceResponse;
  try {
    response = successResponse(request, await decide(request));
    deps.log.info('custom resource done', {
      ...about,
      physicalResourceId: response.PhysicalResourceId,
      reason: response.Reason,
    });
  } catch (err) {
    response = failureResponse(request, err, failedPhysicalId);
    deps.log.error('custom resource failed', {
      ...about,
      code: (err as { code?: unknown } | undefined)?.code ?? null,
      error: response.Reason,
    });
  }
  await deps.responder.send(request.responseUrl, response);
  return response;
}
