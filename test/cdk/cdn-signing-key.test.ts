// The CDN signing key (ADR 006), asserted by intent: a custom resource whose handler is bundled from
// its entry file like every other function (no code in the template), fills the stack's secret and
// hands CloudFront the public key, and keeps the ids the inline handler had, so a deployed stack's
// ServiceToken does not change. What the handler does at deploy time: test/integration/cdn-signing-key.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SIGNING_KEY_ENTRY } from '../../lib/constructs/cache/cdn-signing-key';
import { LAMBDA_ENTRY_DIR } from '../../lib/project-paths';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack({ settings: { logRetentionDays: 14 } });
const template = Template.fromStack(stack);
const signingKey = stack.cdn?.signingKey;
if (signingKey === undefined) throw new Error('the CDN is on by default');
const id = (c: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, c);
const fn = resourcesOf(template, 'AWS::Lambda::Function')[id(signingKey.handler)];
const keyPair = Object.entries(resourcesOf(template, 'Custom::CdnSigningKey'));

describe('the signing key custom resource', () => {
  it('is bundled from lambdas/entrypoints/lambda/cdn-signing-key.ts on Node.js 22 and Graviton', () => {
    expect(signingKey.entry).toBe(join(LAMBDA_ENTRY_DIR, SIGNING_KEY_ENTRY));
    expect(existsSync(signingKey.entry)).toBe(true);
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) },
      LoggingConfig: { LogFormat: 'JSON' },
      // Powertools names the service in every log line; the bundle's source maps resolve stack traces.
      Environment: {
        Variables: expect.objectContaining({
          POWERTOOLS_SERVICE_NAME: 'throughline',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('holds no runtime code in the template: no function of the stack is inline', () => {
    for (const [logicalId, f] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function')))
      expect(f.Properties.Code, logicalId).not.toHaveProperty('ZipFile');
  });

  it('logs to its own encrypted log group', () => {
    const logGroup = (fn?.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup
      ?.Ref;
    expect(logGroup).toBeDefined();
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[logGroup ?? '']?.Properties).toMatchObject({
      KmsKeyId: expect.anything(),
      RetentionInDays: 14,
    });
  });

  it('is told the secret to fill, and its PublicKeyPem becomes the key group’s public key', () => {
    expect(keyPair).toHaveLength(1);
    const [keyPairId, resource] = keyPair[0] ?? [];
    expect(resource?.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [id(signingKey.handler), 'Arn'] },
      SecretArn: { Ref: id(signingKey.secret) },
    });
    expect(
      resourcesOf(template, 'AWS::CloudFront::PublicKey')[id(signingKey.publicKey)]?.Properties
        .PublicKeyConfig,
    ).toMatchObject({ EncodedKey: { 'Fn::GetAtt': [keyPairId, 'PublicKeyPem'] } });
    expect(
      resourcesOf(template, 'AWS::CloudFront::KeyGroup')[id(signingKey.keyGroup)]?.Properties.KeyGroupConfig,
    ).toMatchObject({ Items: [{ Ref: id(signingKey.publicKey) }] });
  });

  // CloudFormation refuses to change a custom resource's ServiceToken: a new logical id for the
  // function (a new function, a new ARN) would fail the update of every deployed stack.
  it('keeps the logical ids of the inline handler it replaced', () => {
    expect(id(signingKey.handler)).toBe('CdnSigningKeyHandler45311C21');
    expect(keyPair[0]?.[0]).toBe('CdnSigningKeyKeyPair2E244917');
    expect(id(signingKey.secret)).toBe('CdnSigningKeyPrivateKeyE90934A2');
    expect(id(signingKey.node.findChild('Role'))).toBe('CdnSigningKeyRole9AF45318');
  });
});
