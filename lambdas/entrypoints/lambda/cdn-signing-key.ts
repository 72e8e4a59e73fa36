import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { awsCdnSigningKey } from '../../composition/cdn-signing-key';
import { cdnSigningKeyConfig } from '../../config/cdn-signing-key';
import type { CustomResourceRequest } from '../../model/custom-resource';
import { log, logger } from './powertools';

/**
 * The CDN signing key's custom resource (CdnSigningKey in lib/): CloudFormation's event → the
 * signing key resource, which answers CloudFormation at the event's response URL itself.
 */
const signingKey = awsCdnSigningKey(cdnSigningKeyConfig(), log);

function requestOf(event: CloudFormationCustomResourceEvent): CustomResourceRequest {
  return {
    requestType: event.RequestType,
    responseUrl: event.ResponseURL,
    stackId: event.StackId,
    requestId: event.RequestId,
    logicalResourceId: event.LogicalResourceId,
    properties: event.ResourceProperties,
    ...(event.RequestType === 'Create' ? {} : { physicalResourceId: event.PhysicalResourceId }),
    ...(event.RequestType === 'Update' ? { oldProperties: event.OldResourceProperties } : {}),
  };
}

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  logger.addContext(context);
  await signingKey.answer(requestOf(event));
}
