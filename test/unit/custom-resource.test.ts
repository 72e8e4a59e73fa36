// The custom resource protocol's pure parts (lambdas/core/deployment/custom-resource.ts): what
// CloudFormation is told for an outcome or an error. The handler end to end, against moto and a
// loopback response URL: test/integration/cdn-signing-key.test.ts.
import { describe, expect, it } from 'vitest';
import {
  failureResponse,
  MAX_REASON_LENGTH,
  successResponse,
} from '../../lambdas/core/deployment/custom-resource';
import type { CustomResourceRequest } from '../../lambdas/model/custom-resource';
import { ThroughlineError } from '../../lambdas/model/errors';

const request = (extra: Partial<CustomResourceRequest> = {}): CustomResourceRequest => ({
  requestType: 'Create',
  responseUrl: 'https://cloudformation-custom-resource-response.example/r',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Throughline/1',
  requestId: 'req-1',
  logicalResourceId: 'KeyPair',
  properties: {},
  ...extra,
});
const ids = { StackId: request().stackId, RequestId: 'req-1', LogicalResourceId: 'KeyPair' };

describe('custom resource responses', () => {
  it('answer an outcome with its id, reason and attributes, echoing the request’s ids', () => {
    expect(
      successResponse(request(), { physicalResourceId: 'p-1', reason: 'made', data: { PublicKeyPem: 'k' } }),
    ).toEqual({
      Status: 'SUCCESS',
      Reason: 'made',
      PhysicalResourceId: 'p-1',
      Data: { PublicKeyPem: 'k' },
      ...ids,
    });
    expect(successResponse(request(), { physicalResourceId: 'p-1', reason: 'made' })).not.toHaveProperty(
      'Data',
    );
  });

  it('answer an error with its message, the resource keeping its id, a failed create the fallback id', () => {
    const err = new ThroughlineError('E_X', 'secret s failed');
    expect(failureResponse(request(), err, 'never-made')).toEqual({
      Status: 'FAILED',
      Reason: 'secret s failed',
      PhysicalResourceId: 'never-made',
      ...ids,
    });
    expect(
      failureResponse(request({ requestType: 'Update', physicalResourceId: 'p-1' }), err, 'never-made'),
    ).toMatchObject({ PhysicalResourceId: 'p-1' });
  });

  it('keep the reason within what fits CloudFormation’s 4 KiB body, and never empty', () => {
    const long = failureResponse(request(), new Error('x'.repeat(5_000)), 'f');
    expect(long.Reason).toHaveLength(MAX_REASON_LENGTH);
    expect(failureResponse(request(), new Error(''), 'f').Reason).toMatch(/without a message/);
    expect(failureResponse(request(), 'a string was thrown', 'f').Reason).toBe('a string was thrown');
    expect(
      successResponse(request(), { physicalResourceId: 'p', reason: 'y'.repeat(1_000) }).Reason,
    ).toHaveLength(MAX_REASON_LENGTH);
  });
});
