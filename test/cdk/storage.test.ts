import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const retained = synthStack({ settings: { resultsRetentionDays: 45, logRetentionDays: 60 } }).stack;
const template = Template.fromStack(retained);
const destroyed = Template.fromStack(synthStack({ settings: { removalPolicy: 'destroy' } }).stack);

describe('TestStorage table', () => {
  it('has exactly the single-table schema the adapters rely on', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const gsi = (name: string, pk: string, sk: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: pk, KeyType: 'HASH' },
        { AttributeName: sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
      ),
      GlobalSecondaryIndexes: [
        gsi('byCreated', 'gsi1pk', 'gsi1sk'),
        gsi('byName', 'gsi2pk', 'gsi2sk'),
        gsi('byStatus', 'gsi3pk', 'gsi3sk'),
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is retained and deletion-protected by default, deletable when removalPolicy is destroy', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    destroyed.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });
});

describe('TestStorage buckets', () => {
  const results = logicalIdOf(retained, retained.storage.resultsBucket);
  const logs = logicalIdOf(retained, retained.storage.accessLogsBucket);
  const buckets = resourcesOf(template, 'AWS::S3::Bucket');

  it('encrypt and block all public access (the CDN log bucket too)', () => {
    const cdnLogs = logicalIdOf(retained, retained.cdn?.logBucket ?? retained);
    expect(Object.keys(buckets).sort()).toEqual([logs, results, cdnLogs].sort());
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
  });

  it('refuse requests without TLS', () => {
    for (const bucket of [results, logs]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('version results, expire them after resultsRetentionDays and log access to the logs bucket', () => {
    expect(buckets[results]?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs } },
      LifecycleConfiguration: {
        Rules: expect.arrayContaining([
          expect.objectContaining({
            Status: 'Enabled',
            ExpirationInDays: 45,
            NoncurrentVersionExpiration: { NoncurrentDays: 45 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ]),
      },
    });
    expect(buckets[logs]?.Properties).toMatchObject({
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 60 })] },
    });
  });

  it('auto-delete objects only when removalPolicy is destroy', () => {
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toEqual([]);
    for (const bucket of Object.values(buckets)) expect(bucket).toMatchObject({ DeletionPolicy: 'Retain' });
    // The results bucket, its access-log bucket and the CDN's log bucket.
    destroyed.resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    for (const bucket of Object.values(resourcesOf(destroyed, 'AWS::S3::Bucket'))) {
      expect(bucket).toMatchObject({ DeletionPolicy: 'Delete' });
    }
  });
});
