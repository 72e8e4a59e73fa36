// The CDN's policies: what a cached result is keyed on and how long it stays, and the security
// headers on every answer. Built in ResultsCdn's scope (their construct ids are ResultsCdn's).
import { Duration } from 'aws-cdk-lib';
import {
  CacheCookieBehavior,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { CdnSettings } from '../../config/cache-settings';

/**
 * Published reports: keyed on the path alone (each file is one format; the signed URL's parameters
 * and cookies stay out of the key and away from S3), compressed either way.
 */
export function reportsCachePolicy(scope: Construct, settings: CdnSettings): CachePolicy {
  return new CachePolicy(scope, 'ReportsCachePolicy', {
    comment: 'Throughline published reports: the path alone',
    // Objects carry Cache-Control (the results TTL; the HTML report s-maxage the reports TTL); the
    // policy's bounds are the same two, so an object without one gets the results TTL.
    defaultTtl: Duration.seconds(settings.resultsTtlSeconds),
    minTtl: Duration.seconds(0),
    maxTtl: Duration.seconds(Math.max(settings.resultsTtlSeconds, settings.reportsTtlSeconds)),
    queryStringBehavior: CacheQueryStringBehavior.none(),
    headerBehavior: CacheHeaderBehavior.none(),
    cookieBehavior: CacheCookieBehavior.none(),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
  });
}

/** HSTS, no sniffing, no framing, no Referer (a signed URL must not leave in one), a strict CSP fallback. */
export function securityHeadersPolicy(scope: Construct): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    comment: 'Throughline: security headers on every answer of the CDN',
    securityHeadersBehavior: {
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(730),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      // A signed URL must not leave in a Referer header.
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      xssProtection: { protection: false, override: true },
      // The API's HTML report sends a policy of its own; keep it where there is one. (The published
      // report needs no more than this: inline styles and data: images.)
      contentSecurityPolicy: {
        contentSecurityPolicy:
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        override: false,
      },
    },
  });
}
