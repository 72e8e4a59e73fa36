import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { ApiKey, type IApiKey, type IRestApi } from 'aws-cdk-lib/aws-apigateway';
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
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CdnSettings } from '../../config/cache-settings';
import type { RemovalMode } from '../../config/settings';
import { CDN_ORIGIN_PREFIX, type PerformanceApi } from '../api/performance-api';
import { API_BASE_PATH, ROUTES } from '../api/routes';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { skipCheckov } from '../shared/checkov';
import { toRemovalPolicy } from '../shared/removal-policy';
import { LOG_BUCKET_VERSIONING_REASON } from '../storage/test-storage';
import { resultsCachePolicy, securityHeadersPolicy } from './cdn-policies';
import { CdnSigningKey } from './cdn-signing-key';

/** CloudFront path pattern of every cached route (`/performance/tests/{id}/results`). */
export const CACHED_PATH_PATTERN = `/${API_BASE_PATH}/tests/*/results`;

/** The header CloudFront sends the API key in (API Gateway's API key source). */
export const ORIGIN_KEY_HEADER = 'x-api-key';

/** Requests per second API Gateway lets CloudFront's key send to the origin methods (cache misses). */
const ORIGIN_RATE_LIMIT = 50;

export interface ResultsCdnProps {
  readonly api: PerformanceApi;
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
 * CloudFront in front of the performance API (ADR 006).
 *
 * ```
 * viewer ──HTTPS──► CloudFront ─┬─ GET /performance/tests/{id}/results  signed URL or cookie checked at the edge
 *                               │    cached: path + format + table + Accept, gzip/brotli, TTLs from settings
 *                               │    └─► origin /v1/cdn/performance/… + x-api-key ─► API Gateway (key required)
 *                               └─ everything else                     CachingDisabled, AllViewerExceptHostHeader
 *                                    └─► origin /v1/performance/…  ─► API Gateway (IAM: SigV4 for the API's host)
 * ```
 *
 * The API's methods are all IAM-authorized, and a SigV4 signature is bound to the API's own host,
 * so CloudFront can neither check nor carry it for cached reads. Finished results are therefore
 * read through the CDN with CloudFront signed URLs or cookies (key pair generated at deploy), and
 * CloudFront reaches a mirror of the results route that requires the API key only it holds.
 * Everything else is passed through uncached and unchanged, so the API still decides.
 */
export class ResultsCdn extends Construct {
  readonly distribution: Distribution;
  readonly signingKey: CdnSigningKey;
  /** The API key CloudFront presents to the origin methods. */
  readonly originKey: Secret;
  readonly apiKey: IApiKey;
  /** CloudFront's standard access logs. */
  readonly logBucket: Bucket;
  readonly resultsCachePolicy: CachePolicy;
  readonly securityHeaders: ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: ResultsCdnProps) {
    super(scope, id);
    const { api, settings } = props;
    const removalPolicy = toRemovalPolicy(props.removalPolicy);

    this.originKey = new Secret(this, 'OriginKey', {
      description: "Throughline: API key CloudFront sends to the CDN's origin methods of the API",
      // API keys take 20-128 characters.
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    const keyValue = this.originKey.secretValue.unsafeUnwrap();
    this.apiKey = new ApiKey(this, 'ApiKey', {
      description: 'Throughline CDN: CloudFront’s key to the origin methods (/cdn/…)',
      value: keyValue,
    });
    const plan = api.api.addUsagePlan('CdnUsagePlan', {
      description: 'Throughline CDN: cache misses of CloudFront',
      // (jsii's optional properties trip exactOptionalPropertyTypes, hence the assertions)
      apiStages: [{ api: api.api as IRestApi, stage: api.api.deploymentStage }],
      throttle: { rateLimit: ORIGIN_RATE_LIMIT, burstLimit: 2 * ORIGIN_RATE_LIMIT },
    });
    plan.addApiKey(this.apiKey);
    const cached = ROUTES.filter((r) => r.cdn);
    for (const route of cached) api.addCdnOrigin(route);

    this.signingKey = new CdnSigningKey(this, 'SigningKey', {
      entryDir: props.entryDir,
      logs: props.logs,
      environment: props.environment,
      removalPolicy: props.removalPolicy,
    });
    this.resultsCachePolicy = resultsCachePolicy(this, settings);
    this.securityHeaders = securityHeadersPolicy(this);

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
      comment: 'Throughline: finished results and reports at the edge; the API behind it',
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
        [CACHED_PATH_PATTERN]: {
          origin: new RestApiOrigin(api.api, {
            originPath: `/${api.api.deploymentStage.stageName}/${CDN_ORIGIN_PREFIX}`,
            customHeaders: { [ORIGIN_KEY_HEADER]: keyValue },
          }),
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachedMethods: CachedMethods.CACHE_GET_HEAD,
          cachePolicy: this.resultsCachePolicy,
          // No origin request policy: the origin sees exactly the cache key (and its own Host), never
          // the signed URL's parameters.
          responseHeadersPolicy,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          compress: true,
          trustedKeyGroups: [this.signingKey.keyGroup],
        },
      },
      // An error must not outlive its cause: a test that was not finished a second ago may be now.
      errorResponses: [403, 404, 500, 502, 503, 504].map((httpStatus) => ({
        httpStatus,
        ttl: Duration.seconds(0),
      })),
    });
    this.acknowledgeFindings(custom !== undefined);
  }

  /**
   * The environment of the cached routes' handlers: how long their answers may stay at the edge,
   * for their Cache-Control (results, and the HTML report).
   */
  static handlerEnvironment(settings: CdnSettings): Readonly<Record<string, string>> {
    return {
      THROUGHLINE_CDN_RESULTS_TTL_SECONDS: String(settings.resultsTtlSeconds),
      THROUGHLINE_CDN_REPORTS_TTL_SECONDS: String(settings.reportsTtlSeconds),
    };
  }

  addOutputs(scope: Construct): void {
    new CfnOutput(scope, 'CdnUrl', {
      description:
        'CloudFront URL of finished results: /performance/tests/<id>/results with a signed URL or cookie',
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

  private acknowledgeFindings(customCertificate: boolean): void {
    const ack = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    ack(
      'AwsSolutions-CFR1',
      'No geo restriction: the platform’s users (engineers, CI runners) work from anywhere, every cached read ' +
        'needs a signed URL or cookie and every other request SigV4, so a country list would add no access ' +
        'control, only outages for travelling or remote users.',
    );
    ack(
      'AwsSolutions-CFR2',
      'No WAF web ACL: cached reads are refused at the edge without a valid signature, the rest is refused by API ' +
        'Gateway without SigV4, and origin traffic is throttled by the usage plan and the stage; a web ACL for ' +
        'CloudFront can only be created in us-east-1, which an environment-agnostic stack cannot assume.',
    );
    if (!customCertificate)
      ack(
        'AwsSolutions-CFR4',
        'The distribution uses its *.cloudfront.net name, whose certificate CloudFront serves with its fixed TLSv1 ' +
          'policy; the minimum is TLS 1.2 (TLSv1.2_2021) as soon as cache.cdn.domainNames and certificateArn are ' +
          'set. Modern clients negotiate TLS 1.2/1.3 either way, and the origin side is TLS 1.2 only.',
      );
    Validations.of(this.originKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The origin key is an API key: rotating it means a new API key and a CloudFront origin update in one ' +
        'deploy, which a Secrets Manager rotation function cannot do; rotate by replacing the secret ' +
        '(ADR 006). Only CloudFront sends it, and only to the CDN origin methods.',
    });
  }
}
