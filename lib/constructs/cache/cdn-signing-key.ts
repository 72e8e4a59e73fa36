import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import { KeyGroup, PublicKey } from 'aws-cdk-lib/aws-cloudfront';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RemovalMode } from '../../config/settings';
import type { EncryptedLogs } from '../observability/encrypted-logs';
import { toRemovalPolicy } from '../shared/removal-policy';

/**
 * The custom resource's handler (CommonJS, inline: it uses only Node and the SDK of the nodejs22.x
 * runtime). On create it generates an RSA-2048 key pair, puts the private key (PKCS#1 PEM, which
 * `aws cloudfront sign` and @aws-sdk/cloudfront-signer both read) into the secret and returns the
 * public key; on update with the same secret it returns the public half of the key already there,
 * so a redeploy never changes the key; on delete the secret goes with the stack.
 */
export const SIGNING_KEY_HANDLER = `
const { createHash, createPublicKey, generateKeyPairSync } = require('node:crypto');
const { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
const secrets = new SecretsManagerClient({});
async function respond(event, status, reason, physicalId, data) {
  const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: physicalId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error('CloudFormation did not take the response: HTTP ' + res.status);
}
const idOf = (publicKey) => 'cdn-signing-key-' + createHash('sha256').update(publicKey).digest('hex').slice(0, 24);
exports.handler = async (event) => {
  const secretId = event.ResourceProperties.SecretArn;
  try {
    if (event.RequestType === 'Delete') return await respond(event, 'SUCCESS', 'the key goes with its secret', event.PhysicalResourceId);
    if (event.RequestType === 'Update' && event.OldResourceProperties.SecretArn === secretId) {
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      const publicKey = createPublicKey(SecretString).export({ type: 'spki', format: 'pem' });
      return await respond(event, 'SUCCESS', 'kept the key pair', idOf(publicKey), { PublicKeyPem: publicKey });
    }
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: privateKey }));
    await respond(event, 'SUCCESS', 'generated a key pair', idOf(publicKey), { PublicKeyPem: publicKey });
  } catch (err) {
    console.error(JSON.stringify({ message: 'signing key failed', requestType: event.RequestType, error: String(err) }));
    await respond(event, 'FAILED', String((err && err.message) || err).slice(0, 400), event.PhysicalResourceId || 'cdn-signing-key-failed');
  }
};
`;

export interface CdnSigningKeyProps {
  readonly logs: EncryptedLogs;
  readonly removalPolicy: RemovalMode;
}

/**
 * The key pair CloudFront checks signed URLs and cookies against (ADR 006): generated at deploy by
 * a small custom resource, the private key in a Secrets Manager secret (for whoever mints share
 * links: `aws cloudfront sign --private-key`, or the API), the public key registered with
 * CloudFront in a key group. Nobody types or copies key material.
 */
export class CdnSigningKey extends Construct {
  /** The private key (PKCS#1 PEM). */
  readonly secret: Secret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;

  constructor(scope: Construct, id: string, props: CdnSigningKeyProps) {
    super(scope, id);
    this.secret = new Secret(this, 'PrivateKey', {
      description:
        'Throughline: private key (PEM) signing CDN URLs and cookies for finished results; set by the stack',
      removalPolicy: toRemovalPolicy(props.removalPolicy),
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
    const logGroup = props.logs.logGroup(this, 'Logs');
    logGroup.grantWrite(role);
    const handler = new LambdaFunction(this, 'Handler', {
      description: 'Throughline: generates the CDN signing key pair (custom resource)',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(SIGNING_KEY_HANDLER),
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
    });
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
        'The custom resource runs on nodejs22.x like every handler of the stack (DESIGN.md §4), with inline ' +
        'code that uses only node:crypto and the runtime SDK; moving runtimes is a deliberate, tested change.',
    });
  }
}
