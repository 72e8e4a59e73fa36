// The CDN in front of the published reports and the API, and its invalidation service (ADR 006),
// asserted by intent: what is cached on which key and for how long, how viewers and CloudFront each
// prove who they are (signed URLs; Origin Access Control, no key anywhere), and how invalidations
// are queued, batched, retried and dead-lettered.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { REPORTS_PATH_PATTERN } from '../../lib/constructs/cache/results-cdn';
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
  CustomOriginConfig?: { OriginProtocolPolicy: string; OriginSSLProtocols: string[] };
  S3OriginConfig?: { OriginAccessIdentity: string };
  OriginAccessControlId?: unknown;
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
  const results = config.CacheBehaviors.find((b) => b.PathPattern === REPORTS_PATH_PATTERN);

  it('caches exactly GET and HEAD of published reports, everything else passes to the API uncached', () => {
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/reports/*']);
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

  it('keys reports on the path alone, with the TTLs of the settings and compression', () => {
    expect(results?.OriginRequestPolicyId).toBeUndefined();
    const policyId = (results?.CachePolicyId as { Ref: string } | undefined)?.Ref ?? '';
    expect(policyId).toBe(id(cdn.reportsCachePolicy));
    expect(
      resourcesOf(template, 'AWS::CloudFront::CachePolicy')[policyId]?.Properties.CachePolicyConfig,
    ).toMatchObject({
      DefaultTTL: 86_400,
      MinTTL: 0,
      MaxTTL: 604_800,
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      },
    });
  });

  it('admits viewers of reports only with a signed URL or cookie of the generated key pair', () => {
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

  it('reads reports from the results bucket through Origin Access Control, and the API at its stage over TLS 1.2', () => {
    const reports = originOf(results as Behavior);
    const bucket = id(stack.storage.resultsBucket);
    expect(reports?.DomainName).toEqual({ 'Fn::GetAtt': [bucket, 'RegionalDomainName'] });
    expect(reports?.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [id(cdn.originAccessControl), 'Id'],
    });
    // OAC, not the legacy origin access identity; no header carries a secret.
    expect(reports?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(reports?.OriginCustomHeaders).toBeUndefined();
    expect(
      resourcesOf(template, 'AWS::CloudFront::OriginAccessControl')[id(cdn.originAccessControl)]?.Properties,
    ).toMatchObject({
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const passThrough = originOf(config.DefaultCacheBehavior);
    expect(JSON.stringify(passThrough?.DomainName)).toContain(`{"Ref":"${api}"},".execute-api."`);
    expect(passThrough?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(passThrough?.OriginCustomHeaders).toBeUndefined();
    expect(config.Origins).toHaveLength(2);
  });

  it('lets only this distribution read the bucket, and only the published reports: no list, no other prefix', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).filter(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: id(stack.storage.resultsBucket) }),
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    const statements = document.Statement;
    const cloudfront = statements.filter((st) => JSON.stringify(st.Principal).includes('cloudfront'));
    expect(cloudfront).toEqual([
      {
        Sid: 'CdnReadsPublishedReports',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [id(stack.storage.resultsBucket), 'Arn'] }, '/reports/*']],
        },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: id(cdn.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
    // Nothing else of the bucket is open to any service or account.
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
  });

  it('has aggregate-run publish the reports (put on reports/* only) with the CDN TTLs; no API handler hears of the CDN', () => {
    const env = (h: { function: Parameters<typeof logicalIdOf>[1] }) => {
      const props = resourcesOf(template, 'AWS::Lambda::Function')[id(h.function)]?.Properties;
      return (props?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    };
    expect(env(stack.orchestrator.functions.handlers.aggregateRun)).toMatchObject({
      THROUGHLINE_CDN_PUBLISH_REPORTS: 'true',
      THROUGHLINE_CDN_RESULTS_TTL_SECONDS: '86400',
      THROUGHLINE_CDN_REPORTS_TTL_SECONDS: '604800',
    });
    for (const h of stack.api.handlers.values())
      expect(Object.keys(env(h)).filter((k) => /^THROUGHLINE_CDN_(PUBLISH|RESULTS|REPORTS)/.test(k))).toEqual(
        [],
      );
    const writers = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('/reports/*'),
    );
    expect(writers.map((w) => flattenTokens(w.Properties.Roles))).toEqual([
      flattenTokens([{ Ref: id(stack.orchestrator.functions.handlers.aggregateRun.function.role as never) }]),
    ]);
  });

  it('adds security headers to every answer, a CSP the published report needs no more than, keeping the API report’s own', () => {
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

  it('deploys no distribution and no queue; no function hears of them or publishes reports', () => {
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
    expect(JSON.stringify(resourcesOf(t, 'AWS::IAM::Policy'))).not.toContain('/reports/*');
  });
});
