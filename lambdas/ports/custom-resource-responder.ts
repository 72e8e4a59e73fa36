import type { CustomResourceResponse } from '../model/custom-resource';

/** Answers CloudFormation for a custom resource (an HTTPS PUT to the request's pre-signed URL). */
export interface CustomResourceResponder {
  /** Delivers the response; rejects when CloudFormation did not take it. */
  send(responseUrl: string, response: CustomResourceResponse): Promise<void>;
}
