// The CDN in front of the API and its invalidation service (ADR 006), asserted by intent: what is
// cached on which key and for how long, how viewers and CloudFront each prove who they are, and how
// invalidations are queued, batched, retried and dead-lettered.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CACHED_PATH_PATTERN } from '../../lib/constructs/cache/results-cdn';
import { flattenTokens, logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack({ settings: { logRetentionDays: 14 } });
const template = Template.fromStack(stack);
const { cdn, invalidations } = stack;
if (cdn === undefined || invalidations === undefined) throw new Error('the CDN is on by default');
const id = (c: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, c);

interface Behavior {
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  AllowedMethods: string[];
  CachedMethods: string[];
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId: unknown;
  Compress: boolean;
  TrustedKeyGroups?: unknown[];
  PathPattern?: string;
}
interface Origin {
  Id: string;
  DomainName: unknown;
  OriginPath: string;
  OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
  CustomOriginConfig: { OriginProtocolPolicy: string; OriginSSLProtocols: string[] };
}
const config = resourcesOf(template, 'AWS::CloudFront::Distribution')[id(cdn.distribution)]?.Properties
  .DistributionConfig as {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  Origins: Origin[];
  PriceClass: string;
  HttpVersion: string;
  IPV6Enabled: boolean;
  Logging: { Bucket: unknown; Prefix: string; IncludeCookies: boolean };
  CustomErrorResponses: { ErrorCode: number; ErrorCachingMinTTL: number }[];
  Restrictions?: unknown;
  ViewerCertificate?: unknown;
  Aliases?: string[];
  WebACLId?: string;
};
const originOf = (b: Behavior) => config.Origins.find((o) => o.Id === b.TargetOriginId);
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const api = id(stack.api.api);

describe('the distribution', () => {
  const results = config.CacheBehaviors.find((b) => b.PathPattern === CACHED_PATH_PATTERN);

  it('caches exactly GET and HEAD of finished results, everything else passes to the API uncached', () => {
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/performance/tests/*/results']);
    expect(results).toMatchObject({
      AllowedMethods: ['GET', 'HEAD'],
      CachedMethods: ['GET', 'HEAD'],
      Compress: true,
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      // A redirected POST could be replayed as GET after crossing in clear: HTTPS or nothing.
      ViewerProtocolPolicy: 'https-only',
    });
  });

  it('keys results on the path, format, table and Accept, with the TTLs of the settings and compression', () => {
    expect(results?.OriginRequestPolicyId).toBeUndefined();
    const policyId = (results?.CachePolicyId as { Ref: string } | undefined)?.Ref ?? '';
    expect(policyId).toBe(id(cdn.resultsCachePolicy));
    expect(
      resourcesOf(template, 'AWS::CloudFront::CachePolicy')[policyId]?.Properties.CachePolicyConfig,
    ).toMatchObject({
      DefaultTTL: 86_400,
      MinTTL: 0,
      MaxTTL: 604_800,
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['format', 'table'] },
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Accept'] },
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
  });

  it('admits viewers of cached results only with a signed URL or cookie of the generated key pair', () => {
    expect(results?.TrustedKeyGroups).toEqual([{ Ref: id(cdn.signingKey.keyGroup) }]);
    expect(
      resourcesOf(template, 'AWS::CloudFront::KeyGroup')[id(cdn.signingKey.keyGroup)]?.Properties,
    ).toMatchObject({
      KeyGroupConfig: { Items: [{ Ref: id(cdn.signingKey.publicKey) }] },
    });
    const key = resourcesOf(template, 'AWS::CloudFront::PublicKey')[id(cdn.signingKey.publicKey)];
    const keyPair = Object.entries(template.findResources('Custom::CdnSigningKey'));
    expect(keyPair).toHaveLength(1);
    expect(key?.Properties.PublicKeyConfig).toMatchObject({
      EncodedKey: { 'Fn::GetAtt': [keyPair[0]?.[0], 'PublicKeyPem'] },
    });
    expect(keyPair[0]?.[1].Properties).toMatchObject({ SecretArn: { Ref: id(cdn.signingKey.secret) } });
  });

  it('reaches the API as itself: the CDN origin methods with its API key, the rest at the stage, TLS 1.2 only', () => {
    const cached = originOf(results as Behavior);
    const passThrough = originOf(config.DefaultCacheBehavior);
    for (const origin of [cached, passThrough]) {
      // The API's own host (taken from its URL), which API Gateway signs and routes by.
      expect(JSON.stringify(origin?.DomainName)).toContain(`{"Ref":"${api}"},".execute-api."`);
      expect(origin?.CustomOriginConfig).toMatchObject({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      });
    }
    expect(flattenTokens(cached?.OriginPath)).toBe(`/<${id(stack.api.api.deploymentStage)}>/cdn`);
    expect(flattenTokens(passThrough?.OriginPath)).not.toContain('cdn');
    expect(cached?.OriginCustomHeaders?.map((h) => [h.HeaderName, flattenTokens(h.HeaderValue)])).toEqual([
      ['x-api-key', `{{resolve:secretsmanager:<${id(cdn.originKey)}>:SecretString:::}}`],
    ]);
    expect(passThrough?.OriginCustomHeaders).toBeUndefined();
  });

  it('adds security headers to every answer, keeping the HTML report’s own stricter policy', () => {
    const policy = { Ref: id(cdn.securityHeaders) };
    expect(results?.ResponseHeadersPolicyId).toEqual(policy);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policy);
    const headers = resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy')[id(cdn.securityHeaders)]
      ?.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    expect(headers.SecurityHeadersConfig).toEqual({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      // A signed URL must not leak through Referer.
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      XSSProtection: { Protection: false, Override: true },
      ContentSecurityPolicy: {
        ContentSecurityPolicy: expect.stringMatching(/^default-src 'none';.*frame-ancestors 'none'/),
        Override: false,
      },
    });
  });

  it('logs every request to an owned, encrypted, TLS-only bucket that expires the logs', () => {
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [id(cdn.logBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
      IncludeCookies: false,
    });
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[id(cdn.logBucket)]?.Properties;
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      // CloudFront's standard logs arrive with an ACL grant, so ACLs stay enabled, public access blocked.
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: id(stack.storage.accessLogsBucket) } },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 14 })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id(cdn.logBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('serves HTTP/2 and 3 over IPv4 and IPv6 from the configured price class, without geo restriction or WAF', () => {
    expect(config).toMatchObject({
      PriceClass: 'PriceClass_100',
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
    });
    expect(config.Restrictions).toBeUndefined();
    expect(config.WebACLId).toBeUndefined();
    expect(config.CustomErrorResponses.map((e) => [e.ErrorCode, e.ErrorCachingMinTTL])).toEqual(
      [403, 404, 500, 502, 503, 504].map((code) => [code, 0]),
    );
  });

  it('serves names of its own with their certificate and TLS 1.2 at least', () => {
    const { stack: named } = synthStack({
      settings: {
        cache: {
          cdn: {
            priceClass: 'PriceClass_All',
            domainNames: ['perf.example.com'],
            certificateArn:
              'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
          },
        },
      },
    });
    const named_ = Object.values(resourcesOf(Template.fromStack(named), 'AWS::CloudFront::Distribution'))[0]
      ?.Properties.DistributionConfig;
    expect(named_).toMatchObject({
      PriceClass: 'PriceClass_All',
      Aliases: ['perf.example.com'],
      ViewerCertificate: {
        AcmCertificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    expect(config.ViewerCertificate).toBeUndefined();
  });
});

describe('the invalidation service', () => {
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const queue = queues[id(invalidations.queue)];
  const dlq = queues[id(invalidations.deadLetterQueue)];
  const worker = invalidations.worker;
  if (worker === undefined) throw new Error('the worker starts with the distribution');
  const fn = resourcesOf(template, 'AWS::Lambda::Function')[id(worker.function)];

  it('queues paths encrypted, over TLS only, with a dead-letter queue after 12 deliveries', () => {
    expect(queue?.Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86_400,
      // Six times the worker's timeout.
      VisibilityTimeout: 360,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [id(invalidations.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 12,
      },
    });
    expect(dlq?.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    for (const q of [invalidations.queue, invalidations.deadLetterQueue])
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(q) }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        },
      });
  });

  it('runs the worker on batches of up to 500 after a 20 s window, reporting the messages it could not serve', () => {
    const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings.map((m) => m.Properties)).toEqual([
      {
        FunctionName: { Ref: id(worker.function) },
        EventSourceArn: { 'Fn::GetAtt': [id(invalidations.queue), 'Arn'] },
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 20,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
    expect(fn?.Properties).toMatchObject({
      FunctionName: 'Throughline-cdn-invalidator',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 60,
      MemorySize: 256,
      TracingConfig: { Mode: 'Active' },
    });
    expect(worker.entry).toMatch(/lambdas\/entrypoints\/lambda\/cdn-invalidation-worker\.ts$/);
    expect(fn?.Properties.VpcConfig).toBeUndefined();
  });

  it('tells the worker its distribution, and the producers the queue', () => {
    const env = (f: { function: Parameters<typeof logicalIdOf>[1] }) => {
      const props = resourcesOf(template, 'AWS::Lambda::Function')[id(f.function)]?.Properties;
      return (props?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    };
    expect(env(worker).THROUGHLINE_CDN_DISTRIBUTION_ID).toEqual({ Ref: id(cdn.distribution) });
    const queueUrl = { Ref: id(invalidations.queue) };
    expect(env(stack.orchestrator.functions.handlers.aggregateRun).THROUGHLINE_CDN_QUEUE_URL).toEqual(
      queueUrl,
    );
    const post = stack.api.handlers.get('PostCacheInvalidations');
    expect(post && env(post).THROUGHLINE_CDN_QUEUE_URL).toEqual(queueUrl);
    const producers = [
      ...stack.api.handlers.values(),
      ...Object.values(stack.orchestrator.functions.handlers),
    ]
      .filter((h) => 'THROUGHLINE_CDN_QUEUE_URL' in h.environment)
      .map((h) => h.node.id);
    expect(producers.sort()).toEqual(['AggregateRun', 'PostCacheInvalidations']);
  });

  it('raises a Warning when a request waits in the dead-letter queue', () => {
    const alarm = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === 'Throughline/cdn-invalidation-dead-letters',
    );
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(invalidations.deadLetterQueue), 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      DatapointsToAlarm: 1,
      EvaluationPeriods: 1,
    });
  });
});

describe('without the CDN (cache.cdn.enabled false)', () => {
  const { stack: off } = synthStack({ settings: { cache: { cdn: { enabled: false } } } });
  const t = Template.fromStack(off);

  it('deploys no distribution, no queue, no origin method and no API key; no function hears of them', () => {
    expect(off.cdn).toBeUndefined();
    // The one queue left is the alarm notifier's dead-letter queue, not the invalidation queue.
    const notices = off.alarmNotifications.deadLetterQueue;
    expect(Object.keys(resourcesOf(t, 'AWS::SQS::Queue'))).toEqual(
      notices === undefined ? [] : [logicalIdOf(off, notices)],
    );
    for (const type of [
      'AWS::CloudFront::Distribution',
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::UsagePlan',
      'Custom::CdnSigningKey',
    ])
      t.resourceCountIs(type, 0);
    for (const m of Object.values(resourcesOf(t, 'AWS::ApiGateway::Method')))
      expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    for (const h of [...off.api.handlers.values(), ...Object.values(off.orchestrator.functions.handlers)])
      expect(Object.keys(h.environment).filter((k) => k.startsWith('THROUGHLINE_CDN_'))).toEqual([]);
  });
});
