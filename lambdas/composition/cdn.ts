import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { createCloudFrontInvalidator } from '../adapters/aws/cloudfront-invalidator';
import { cdnInvalidationConfig } from '../config/cache';
import type { CdnInvalidator } from '../core/cdn/invalidate-batch';

/** The CDN invalidation worker's wiring: CloudFront for the distribution its environment names. */
export function cdnInvalidator(): CdnInvalidator {
  const config = cdnInvalidationConfig();
  return createCloudFrontInvalidator(new CloudFrontClient({ region: config.region }), config.distributionId);
}
