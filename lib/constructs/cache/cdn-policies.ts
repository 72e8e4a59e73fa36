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

/** Finished results and reports: keyed on path, format, table and Accept, compressed either way. */
export function resultsCachePolicy(scope: Construct, settings: CdnSettings): CachePolicy {
  return new CachePolicy(scope, 'ResultsCachePolicy', {
    comment: 'Throughline finished results and reports: path, format, table and Accept',
    // No Cache-Control from the origin: the results TTL; the handler may ask up to the longer of the two.
    defaultTtl: Duration.seconds(settings.resultsTtlSeconds),
    minTtl: Duration.seconds(0),
    maxTtl: Duration.seconds(Math.max(settings.resultsTtlSeconds, settings.reportsTtlSeconds)),
    queryStringBehavior: CacheQueryStringBehavior.allowList('format', 'table'),
    headerBehavior: CacheHeaderBehavior.allowList('Accept'),
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
      // The HTML report sends a stricter policy of its own; keep it where there is one.
      contentSecurityPolicy: {
        contentSecurityPolicy:
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        override: false,
      },
    },
  });
}
