import { Annotations, CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginRequestPolicy,
  type PriceClass,
  type ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPORTS_PREFIX } from '../../../lambdas/model/published-reports';
import type { CdnSettings } from '../../config/cache-settings';
import type { RemovalMode } from '../../config/settings';
import type { PerformanceApi } from '../api/performance-api';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { skipCheckov } from '../shared/checkov';
import { toRemovalPolicy } from '../shared/removal-policy';
import { LOG_BUCKET_VERSIONING_REASON, type TestStorage } from '../storage/test-storage';
import { reportsCachePolicy, securityHeadersPolicy } from './cdn-policies';
import { CdnSigningKey } from './cdn-signing-key';

/** CloudFront path pattern of the published reports (S3 `reports/<id>/<file>`, OAC). */
export const REPORTS_PATH_PATTERN = `/${REPORTS_PREFIX}/*`;

export interface ResultsCdnProps {
  /** The API every other path passes through to, uncached. */
  readonly api: PerformanceApi;
  /** The results bucket, whose `reports/` prefix the distribution reads (and nothing else of it). */
  readonly storage: TestStorage;
  readonly settings: CdnSettings;
  readonly logs: EncryptedLogs;
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  /** Environment every handler gets (Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where the CDN log bucket's own S3 access logs go. */
  readonly accessLogsBucket: Bucket;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalMode;
}

/**
 * CloudFront in front of the finished reports and the API (ADR 006).
 *
 * ```
 * viewer ──HTTPS──► CloudFront ─┬─ GET /reports/{id}/{file}   signed URL or cookie checked at the edge
 *                               │    cached on the path alone, gzip/brotli, TTLs from settings
 *                               │    └─► S3 results bucket, reports/* only, through Origin Access Control
 *                               │        (bucket policy: cloudfront.amazonaws.com, this distribution's ARN)
 *                               └─ everything else          CachingDisabled, AllViewerExceptHostHeader
 *                                    └─► origin /v1/performance/…  ─► API Gateway (IAM: SigV4 for the API's host)
 * ```
 *
 * The aggregate step renders every finished test's reports (JSON, CSV tables, JUnit, HTML) into
 * `reports/<id>/`; CloudFront signs its reads of them itself (OAC), so no credential sits in the
 * distribution and no API method is open to anything but SigV4. Everything else is passed through
 * uncached and unchanged, so the API still decides.
 */
export class ResultsCdn extends Construct {
  readonly distribution: Distribution;
  readonly signingKey: CdnSigningKey;
  /** CloudFront's standard access logs. */
  readonly logBucket: Bucket;
  readonly reportsCachePolicy: CachePolicy;
  readonly securityHeaders: ResponseHeadersPolicy;
  /** How CloudFront signs its requests to the bucket. */
  readonly originAccessControl: S3OriginAccessControl;

  constructor(scope: Construct, id: string, props: ResultsCdnProps) {
    super(scope, id);
    const { api, settings } = props;
    const removalPolicy = toRemovalPolicy(props.removalPolicy);

    this.signingKey = new CdnSigningKey(this, 'SigningKey', {
      entryDir: props.entryDir,
      logs: props.logs,
      environment: props.environment,
      removalPolicy: props.removalPolicy,
    });
    this.reportsCachePolicy = reportsCachePolicy(this, settings);
    this.securityHeaders = securityHeadersPolicy(this);
    this.originAccessControl = new S3OriginAccessControl(this, 'ReportsAccess', {
      description: 'Throughline CDN: CloudFront signs its reads of the published reports (SigV4)',
      signing: Signing.SIGV4_ALWAYS,
    });

    const destroy = props.removalPolicy === 'destroy';
    this.logBucket = new Bucket(this, 'LogBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL grant, which needs ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy,
      autoDeleteObjects: destroy,
      serverAccessLogsBucket: props.accessLogsBucket as IBucket,
      serverAccessLogsPrefix: 'cdn-log-bucket/',
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(props.logRetentionDays) }],
    });
    skipCheckov(this.logBucket, [{ id: 'CKV_AWS_21', reason: LOG_BUCKET_VERSIONING_REASON }]);

    const responseHeadersPolicy = this.securityHeaders;
    const custom = settings.certificateArn;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Throughline: finished reports at the edge; the API behind it',
      // The settings offer exactly the enum's values.
      priceClass: settings.priceClass as PriceClass,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      // The *.cloudfront.net certificate's policy is fixed (TLSv1); a certificate of one's own gets TLS 1.2+.
      ...(custom === undefined
        ? {}
        : {
            domainNames: [...settings.domainNames],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', custom),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
      enableLogging: true,
      logBucket: this.logBucket as IBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      defaultBehavior: {
        origin: new RestApiOrigin(api.api),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy,
        // A redirected POST may be replayed as GET after its signed request crossed in clear: refuse.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        compress: true,
      },
      additionalBehaviors: {
        [REPORTS_PATH_PATTERN]: {
          origin: this.reportsOrigin(props.storage),
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.reportsCachePolicy,
          // No origin request policy: S3 sees the path alone, never the signed URL's parameters or cookies.
          responseHeadersPolicy,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          compress: true,
          trustedKeyGroups: [this.signingKey.keyGroup],
        },
      },
      // An error must not outlive its cause: a report not published a second ago may be now.
      errorResponses: [403, 404, 500, 502, 503, 504].map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(0),
      })),
    });
    props.storage.allowDistributionToReadReports(this.distribution.distributionArn);
    this.acknowledgeFindings(custom !== undefined);
  }

  /**
   * The bucket as CloudFront's origin. Handed over by name, not as the construct: given the bucket
   * itself, CDK's OAC origin would grant the distribution GetObject on every key of it (runs,
   * specs, results); TestStorage grants `reports/*` alone instead.
   */
  private reportsOrigin(storage: TestStorage) {
    const bucket = storage.resultsBucket;
    const byName = Bucket.fromBucketAttributes(this, 'ReportsBucket', {
      bucketArn: bucket.bucketArn,
      bucketName: bucket.bucketName,
      bucketRegionalDomainName: bucket.bucketRegionalDomainName,
    });
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'TestStorage.allowDistributionToReadReports writes the bucket policy, scoped to reports/*',
    );
    return S3BucketOrigin.withOriginAccessControl(byName, { originAccessControl: this.originAccessControl });
  }

  /**
   * What aggregate-run needs to publish reports for the CDN: the switch, and how long the edge
   * and browsers may keep them (Cache-Control of the objects; the cache policy bounds it).
   */
  static publisherEnvironment(settings: CdnSettings): Readonly<Record<string, string>> {
    return {
      THROUGHLINE_CDN_PUBLISH_REPORTS: 'true',
      THROUGHLINE_CDN_RESULTS_TTL_SECONDS: String(settings.resultsTtlSeconds),
      THROUGHLINE_CDN_REPORTS_TTL_SECONDS: String(settings.reportsTtlSeconds),
    };
  }

  addOutputs(scope: Construct): void {
    new CfnOutput(scope, 'CdnUrl', {
      description:
        'CloudFront URL of finished reports: /reports/<id>/{report.html,results.json,requests.csv,timeseries.csv,junit.xml} with a signed URL or cookie',
      value: `https://${this.distribution.distributionDomainName}`,
    });
    new CfnOutput(scope, 'CdnDistributionId', {
      description: 'CloudFront distribution of the results CDN',
      value: this.distribution.distributionId,
    });
    new CfnOutput(scope, 'CdnKeyPairId', {
      description: 'Key-Pair-Id of CDN signed URLs and cookies (aws cloudfront sign --key-pair-id)',
      value: this.signingKey.publicKey.publicKeyId,
    });
    new CfnOutput(scope, 'CdnSigningKeySecretArn', {
      description:
        'Secret holding the private key that signs CDN URLs and cookies (aws cloudfront sign --private-key)',
      value: this.signingKey.secret.secretArn,
    });
  }

  /** cdk-nag and checkov ask the same two things of the distribution; one reason answers both. */
  private acknowledgeFindings(customCertificate: boolean): void {
    const ack = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    ack(
      'AwsSolutions-CFR1',
      'No geo restriction: the platform’s users (engineers, CI runners) work from anywhere, every report read ' +
        'needs a signed URL or cookie and every other request SigV4, so a country list would add no access ' +
        'control, only outages for travelling or remote users.',
    );
    ack('AwsSolutions-CFR2', NO_WAF_REASON);
    const skips = [{ id: 'CKV_AWS_68', reason: NO_WAF_REASON }];
    if (!customCertificate) {
      ack('AwsSolutions-CFR4', DEFAULT_CERTIFICATE_REASON);
      skips.push({ id: 'CKV_AWS_174', reason: DEFAULT_CERTIFICATE_REASON });
    }
    skipCheckov(this.distribution, skips);
  }
}

const NO_WAF_REASON =
  'No WAF web ACL: report reads are refused at the edge without a valid signature, the rest is refused by API ' +
  'Gateway without SigV4 and throttled by the stage, and the bucket answers only CloudFront; a web ACL for ' +
  'CloudFront can only be created in us-east-1, which an environment-agnostic stack cannot assume.';

const DEFAULT_CERTIFICATE_REASON =
  'The distribution uses its *.cloudfront.net name, whose certificate CloudFront serves with its fixed TLSv1 ' +
  'policy; the minimum is TLS 1.2 (TLSv1.2_2021) as soon as cache.cdn.domainNames and certificateArn are ' +
  'set. Modern clients negotiate TLS 1.2/1.3 either way, and the origin side is TLS 1.2 only.';
