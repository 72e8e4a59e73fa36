import {
  CloudFrontClient,
  CreateDistributionCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFrontInvalidationError,
  callerReference,
  createCloudFrontInvalidator,
} from '../../lambdas/adapters/aws/cloudfront-invalidator';
import { invalidateBatch } from '../../lambdas/core/cdn/invalidate-batch';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

// The CloudFront adapter of the CDN port against moto: a distribution created in moto, invalidated,
// and read back with ListInvalidations and GetInvalidation.

let moto: Moto;
let cloudFront: CloudFrontClient;
let distributionId: string;
beforeAll(async () => {
  moto = await startMoto();
  cloudFront = new CloudFrontClient(awsClientConfig(moto.endpoint));
  const created = await cloudFront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'throughline-test',
        Comment: 'results',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'api',
              DomainName: 'abc123.execute-api.us-east-1.amazonaws.com',
              OriginPath: '/v1/cdn',
              CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'api',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        },
      },
    }),
  );
  distributionId = created.Distribution?.Id ?? '';
  expect(distributionId).toMatch(/^[A-Z0-9]+$/);
});
afterAll(async () => {
  cloudFront?.destroy();
  await moto?.stop();
});

async function invalidationsOnRecord() {
  const list = await cloudFront.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  return Promise.all(
    (list.InvalidationList?.Items ?? []).map(async ({ Id }) => {
      const got = await cloudFront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id }));
      return {
        id: Id,
        paths: got.Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
        reference: got.Invalidation?.InvalidationBatch?.CallerReference,
      };
    }),
  );
}

describe('CloudFront invalidator', () => {
  it('creates one invalidation of the paths, with a CallerReference derived from the batch', async () => {
    const cdn = createCloudFrontInvalidator(cloudFront, distributionId);
    const paths = ['/performance/tests/abc/*', '/performance/tests/def/results'];
    const result = await cdn.invalidate(paths, ['m-1', 'm-2']);
    expect(result.status).toBe('created');
    const id = result.status === 'created' ? result.id : '';
    const got = await cloudFront.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }));
    expect(got.Invalidation?.InvalidationBatch?.Paths).toEqual({ Quantity: 2, Items: paths });
    expect(got.Invalidation?.InvalidationBatch?.CallerReference).toBe(callerReference(paths, ['m-1', 'm-2']));
    expect(await invalidationsOnRecord()).toContainEqual(expect.objectContaining({ id, paths }));
  });

  it('gives a redelivered batch the same CallerReference, and new requests for the same paths a new one', () => {
    // CloudFront answers a repeated CallerReference with the invalidation it already made (moto does not
    // model that); what the adapter guarantees is the reference itself.
    const paths = ['/a/*', '/b'];
    expect(callerReference(paths, ['m-1', 'm-2'])).toBe(callerReference(['/b', '/a/*'], ['m-2', 'm-1']));
    expect(callerReference(paths, ['m-1', 'm-2'])).not.toBe(callerReference(paths, ['m-3']));
    expect(callerReference(paths, ['m-1'])).toMatch(/^throughline-[0-9a-f]{64}$/);
  });

  it('carries a whole queued batch: one call per kind of path, every request served', async () => {
    const before = (await invalidationsOnRecord()).length;
    const cdn = createCloudFrontInvalidator(cloudFront, distributionId);
    const outcome = await invalidateBatch(
      [
        { id: 'q-1', paths: ['/performance/tests/t1/*'] },
        { id: 'q-2', paths: ['/performance/tests/t2/results', '/performance/tests/t2/results'] },
        { id: 'q-3', paths: ['/performance/tests/t1/results'] },
      ],
      cdn,
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.errors).toEqual([]);
    const after = await invalidationsOnRecord();
    expect(after).toHaveLength(before + 2);
    expect(after.map((i) => i.paths)).toEqual(
      expect.arrayContaining([['/performance/tests/t2/results'], ['/performance/tests/t1/*']]),
    );
  });

  it('keeps the SDK error as cause when the distribution does not exist', async () => {
    const cdn = createCloudFrontInvalidator(cloudFront, 'E0000000000000');
    const err = await cdn.invalidate(['/x'], ['m-1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudFrontInvalidationError);
    expect((err as CloudFrontInvalidationError).code).toBe('E_CDN_INVALIDATION');
    expect((err as Error).message).toMatch(/distribution E0000000000000/);
    expect(((err as Error).cause as Error).name).toBe('NoSuchDistribution');
  });

  it('answers "throttled" when CloudFront has too many invalidations in progress', async () => {
    // moto does not enforce CloudFront's in-progress limits, so this client (and only it) throws the
    // SDK's own TooManyInvalidationsInProgress, as CloudFront does beyond 3,000 paths or 15 wildcards.
    const limited = {
      send: async () => {
        throw new TooManyInvalidationsInProgress({
          message:
            'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
          $metadata: { httpStatusCode: 400 },
        });
      },
    } as unknown as CloudFrontClient;
    const result = await createCloudFrontInvalidator(limited, distributionId).invalidate(['/a/*'], ['m-1']);
    expect(result).toEqual({ status: 'throttled', message: expect.stringMatching(/in-progress wildcard/) });
  });
});
