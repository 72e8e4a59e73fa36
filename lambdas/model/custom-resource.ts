/**
 * A CloudFormation custom resource request, as our handlers read it (the Lambda event, translated
 * by the entry point), and the response CloudFormation expects at the request's pre-signed URL
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */

export type CustomResourceRequestType = 'Create' | 'Update' | 'Delete';

export interface CustomResourceRequest {
  readonly requestType: CustomResourceRequestType;
  /** Pre-signed S3 URL the response is PUT to. */
  readonly responseUrl: string;
  readonly stackId: string;
  readonly requestId: string;
  readonly logicalResourceId: string;
  /** The id our earlier answer gave the resource; absent on Create. */
  readonly physicalResourceId?: string;
  /** The resource's properties (CloudFormation passes every value as a string). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The properties before an Update. */
  readonly oldProperties?: Readonly<Record<string, unknown>>;
}

/** The response body, in CloudFormation's own field names. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Attributes `Fn::GetAtt` reads. */
  readonly Data?: Readonly<Record<string, string>>;
}
