import { join } from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { KeyGroup, PublicKey } from 'aws-cdk-lib/aws-cloudfront';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LoggingFormat } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RemovalMode } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { LAMBDA_CHECKS, NO_RESERVATION, skipCheckov } from '../shared/checkov';
import { bundledEntry, environmentKeyReason } from '../shared/handler-function';
import { toRemovalPolicy } from '../shared/removal-policy';

/** The custom resource handler's entry file in lambdas/entrypoints/lambda. */
export const SIGNING_KEY_ENTRY = 'cdn-signing-key.ts';

export interface CdnSigningKeyProps {
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  readonly logs: EncryptedLogs;
  /** Environment every handler gets (Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  readonly removalPolicy: RemovalMode;
}

/**
 * The key pair CloudFront checks signed URLs and cookies against (ADR 006): generated at deploy by
 * a small custom resource, the private key in a Secrets Manager secret (for whoever mints share
 * links: `aws cloudfront sign --private-key`, or the API), the public key registered with
 * CloudFront in a key group. Nobody types or copies key material. The secret has a KMS key of its
 * own: whoever holds the private key can mint links to every result, so reading it takes
 * kms:Decrypt on that key besides secretsmanager:GetSecretValue, not just any secret reader's rights.
 *
 * The handler (lambdas/entrypoints/lambda/cdn-signing-key.ts) is bundled like every other function
 * but built here rather than as a HandlerFunction: it runs a few times per deployment, needs no
 * tracing, and keeps the construct ids (and so the function's name and ARN, the custom resource's
 * ServiceToken, which CloudFormation does not let change) it had as inline code.
 */
export class CdnSigningKey extends Construct {
  /** The private key (PKCS#1 PEM). */
  readonly secret: Secret;
  /** Encrypts the secret. */
  readonly key: Key;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;
  /** The custom resource's handler. */
  readonly handler: NodejsFunction;
  /** The entry file it is bundled from. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: CdnSigningKeyProps) {
    super(scope, id);
    const removalPolicy = toRemovalPolicy(props.removalPolicy);
    this.key = new Key(this, 'Key', {
      description: 'Throughline: encrypts the private key that signs CDN URLs and cookies',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.secret = new Secret(this, 'PrivateKey', {
      description:
        'Throughline: private key (PEM) signing CDN URLs and cookies for finished results; set by the stack',
      encryptionKey: this.key,
      removalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Throughline CDN signing key: writes and reads the one secret of the key pair',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
    // What Secrets Manager does with the key on the handler's behalf: a data key to store the value
    // (PutSecretValue), decrypting to read it back; through Secrets Manager only.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    const logGroup = props.logs.logGroup(this, 'Logs');
    logGroup.grantWrite(role);
    this.entry = join(props.entryDir, SIGNING_KEY_ENTRY);
    const handler = new NodejsFunction(this, 'Handler', {
      ...bundledEntry(this.entry),
      description: 'Throughline: generates the CDN signing key pair (custom resource)',
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment },
    });
    this.handler = handler;
    skipCheckov(handler, [
      {
        id: LAMBDA_CHECKS.concurrency,
        reason:
          'CloudFormation invokes this custom resource handler once per create, update or delete of the key ' +
          `pair, a few times per deployment at most. ${NO_RESERVATION}`,
      },
      {
        id: LAMBDA_CHECKS.deadLetterQueue,
        reason:
          'CloudFormation invokes this custom resource handler and waits for its answer: a failed invocation fails ' +
          'the stack operation with the handler’s log in the stack events, so a dead-letter message would tell ' +
          'nothing new, and nothing would consume it.',
      },
      {
        id: LAMBDA_CHECKS.vpc,
        reason:
          'At deploy time it generates a key pair in memory, stores it in Secrets Manager and answers ' +
          "CloudFormation's presigned S3 response URL, all through public endpoints over TLS; in a VPC it would " +
          'need a NAT gateway for a few calls per deployment, and it reaches nothing private.',
      },
      { id: LAMBDA_CHECKS.environmentKey, reason: environmentKeyReason(this, props.environment) },
    ]);
    const keyPair = new CustomResource(this, 'KeyPair', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::CdnSigningKey',
      properties: { SecretArn: this.secret.secretArn },
    });
    this.publicKey = new PublicKey(this, 'PublicKey', {
      encodedKey: keyPair.getAttString('PublicKeyPem'),
      comment: 'Throughline: signed URLs and cookies of finished results',
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      items: [this.publicKey],
      comment: 'Throughline: who may read finished results through the CDN',
    });

    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A signing key is rotated by adding a second public key to the key group, re-signing, then removing the ' +
        'first (ADR 006), which a Secrets Manager rotation function cannot do for CloudFront; the secret is ' +
        'written once by the stack and read only by those allowed to mint links.',
    });
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The custom resource runs on nodejs22.x like every handler of the stack (DESIGN.md §4): it is bundled ' +
        'and tested for Node 22 like the others; moving runtimes is a deliberate, tested change.',
    });
  }
}
