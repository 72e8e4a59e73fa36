// The signing key's custom resource handler (inline code of CdnSigningKey), run as Lambda would run
// it: against Secrets Manager in moto, answering CloudFormation on a local HTTP server standing in
// for the pre-signed response URL. Its keys must be ones CloudFront and `aws cloudfront sign` take.
import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_KEY_HANDLER } from '../../lib/constructs/cache/cdn-signing-key';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: { PublicKeyPem: string };
}

let moto: Moto;
let secrets: SecretsManagerClient;
let server: Server;
let responseUrl: string;
const responses: CfnResponse[] = [];
const savedEnv = { ...process.env };
let handler: (event: Record<string, unknown>) => Promise<void>;

beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    req.on('end', () => {
      responses.push(JSON.parse(body) as CfnResponse);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  responseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/response`;
  // What the nodejs22.x runtime provides: the SDK, a region, credentials (here moto's).
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: moto.endpoint,
  });
  const module = { exports: {} as { handler?: typeof handler } };
  new Function('require', 'exports', 'module', SIGNING_KEY_HANDLER)(
    createRequire(import.meta.url),
    module.exports,
    module,
  );
  if (module.exports.handler === undefined) throw new Error('the inline code exports no handler');
  handler = module.exports.handler;
});
afterAll(async () => {
  process.env = savedEnv;
  secrets?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await moto?.stop();
});

const event = (requestType: 'Create' | 'Update' | 'Delete', secretArn: string, extra: object = {}) => ({
  RequestType: requestType,
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Throughline/1',
  RequestId: `request-${responses.length}`,
  LogicalResourceId: 'CdnSigningKeyKeyPair',
  ResourceType: 'Custom::CdnSigningKey',
  ResourceProperties: {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
    SecretArn: secretArn,
  },
  ...extra,
});

async function answer(e: Record<string, unknown>): Promise<CfnResponse> {
  const before = responses.length;
  await handler(e);
  expect(responses).toHaveLength(before + 1);
  const response = responses.at(-1) as CfnResponse;
  expect(response).toMatchObject({
    StackId: e.StackId,
    RequestId: e.RequestId,
    LogicalResourceId: 'CdnSigningKeyKeyPair',
  });
  return response;
}

describe('CDN signing key custom resource', () => {
  it('creates an RSA key pair: the private key into the secret, the public key to CloudFormation', async () => {
    const { ARN } = await secrets.send(
      new CreateSecretCommand({ Name: 'signing-key', SecretString: 'placeholder' }),
    );
    const created = await answer(event('Create', ARN ?? ''));
    expect(created.Status).toBe('SUCCESS');
    expect(created.PhysicalResourceId).toMatch(/^cdn-signing-key-[0-9a-f]{24}$/);
    const publicPem = created.Data?.PublicKeyPem ?? '';
    // CloudFront takes SPKI PEM public keys of RSA 2048.
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const publicKey = createPublicKey(publicPem);
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: ARN }));
    // PKCS#1, which `aws cloudfront sign` reads as well as the SDK's signer.
    expect(SecretString).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    // CloudFront signs policies with RSA-SHA1: what the private key signs, the registered key verifies.
    const policy = '{"Statement":[{"Resource":"https://d111.cloudfront.net/performance/tests/abc/results"}]}';
    const signature = createSign('RSA-SHA1')
      .update(policy)
      .sign(SecretString ?? '');
    expect(createVerify('RSA-SHA1').update(policy).verify(publicPem, signature)).toBe(true);

    // A redeploy (an update of the same secret) keeps the key pair.
    const updated = await answer(
      event('Update', ARN ?? '', {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: { SecretArn: ARN },
      }),
    );
    expect(updated).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
      Data: { PublicKeyPem: publicPem },
    });
    const again = await secrets.send(new GetSecretValueCommand({ SecretId: ARN }));
    expect(again.SecretString).toBe(SecretString);

    // Deleting leaves the secret to CloudFormation.
    const deleted = await answer(
      event('Delete', ARN ?? '', { PhysicalResourceId: created.PhysicalResourceId }),
    );
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
  });

  it('reports a failure to CloudFormation instead of leaving it waiting', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf';
    const failed = await answer(event('Create', missing));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/secret|not|found/i);
    expect(failed.PhysicalResourceId).toBe('cdn-signing-key-failed');
  });
});
