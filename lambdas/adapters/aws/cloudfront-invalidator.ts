import { createHash } from 'node:crypto';
import { type CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { CdnInvalidator, InvalidationResult } from '../../core/cdn/invalidate-batch';
import { ThroughlineError } from '../../model/errors';

/**
 * The CDN port on CloudFront: one CreateInvalidation per call. The CallerReference is a hash of
 * the batch (the requests served and the paths), so a batch SQS delivers again after a timeout is
 * the same invalidation, while the same paths asked for again later (new messages) invalidate again.
 * TooManyInvalidationsInProgress is an answer (`throttled`), not an error: the caller retries later.
 */

export class CloudFrontInvalidationError extends ThroughlineError {
  declare readonly code: 'E_CDN_INVALIDATION';
  constructor(message: string, options?: { readonly cause?: unknown; readonly details?: unknown }) {
    super('E_CDN_INVALIDATION', message, options);
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'CloudFrontInvalidationError';
  }
}

/** The CallerReference of a batch: stable for the same requests and paths, whatever their order. */
export function callerReference(paths: readonly string[], requestIds: readonly string[]): string {
  const batch = JSON.stringify({ requests: [...requestIds].sort(), paths: [...paths].sort() });
  return `throughline-${createHash('sha256').update(batch).digest('hex')}`;
}

export function createCloudFrontInvalidator(
  cloudFront: CloudFrontClient,
  distributionId: string,
): CdnInvalidator {
  return {
    async invalidate(paths, requestIds): Promise<InvalidationResult> {
      try {
        const res = await cloudFront.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: callerReference(paths, requestIds),
              Paths: { Quantity: paths.length, Items: [...paths] },
            },
          }),
        );
        const id = res.Invalidation?.Id;
        if (!id) throw new Error('CloudFront answered without an invalidation id');
        return { status: 'created', id };
      } catch (err) {
        if ((err as { name?: string }).name === 'TooManyInvalidationsInProgress')
          return { status: 'throttled', message: (err as Error).message };
        throw new CloudFrontInvalidationError(
          `CreateInvalidation of ${paths.length} path(s) on distribution ${distributionId} failed: ${(err as Error).message}`,
          { cause: err, details: { distributionId, paths: paths.length } },
        );
      }
    },
  };
}
