// The CDN signing key's custom resource handler (lambdas/entrypoints/lambda/cdn-signing-key.ts), run
// as Lambda runs it: configured by the environment the nodejs22.x runtime sets (region, credentials,
// here moto's endpoint), against moto's Secrets Manager, answering CloudFormation on a loopback HTTP
// server standing in for the pre-signed response URL. Its keys must be ones CloudFront and
// `aws cloudfront sign` take.
import { createPublicKey, createSign, createVerify, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCloudFormationResponder } from '../../lambdas/adapters/node/cloudformation-responder';
import type { CustomResourceResponse } from '../../lambdas/model/custom-resource';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

interface Put {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: CustomResourceResponse;
}

let moto: Moto;
let secrets: SecretsManagerClient;
let cloudFormation: TestServer;
const puts: Put[] = [];
const savedEnv = { ...process.env };
let handler: (event: CloudFormationCustomResourceEvent, context: Context) => Promise<void>;
/** What the handler wrote to stdout (Powertools' log lines), to check no private key is logged. */
let stdout = '';
const write = process.stdout.write.bind(process.stdout);

beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  cloudFormation = await startHttp((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    req.on('end', () => {
      puts.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(body) as CustomResourceResponse,
      });
      res.end();
    });
  });
  // What the nodejs22.x runtime provides: a region and credentials (here moto's, and its endpoint).
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: moto.endpoint,
    POWERTOOLS_SERVICE_NAME: 'throughline',
  });
  ({ handler } = await import('../../lambdas/entrypoints/lambda/cdn-signing-key'));
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    stdout += String(chunk);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(async () => {
  process.stdout.write = write;
  process.env = savedEnv;
  secrets?.destroy();
  await cloudFormation?.close();
  await moto?.stop();
});
afterEach(() => {
  expect(stdout).not.toContain('PRIVATE KEY');
});

const context = {
  functionName: 'Throughline-CdnSigningKeyHandler',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Throughline-CdnSigningKeyHandler',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/Throughline-CdnSigningKeyHandler',
  logStreamName: '2026/01/01/[$LATEST]abcdef',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as Context;

const base = () => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:Throughline-CdnSigningKeyHandler',
  // A pre-signed URL: its query holds the credentials.
  ResponseURL: `${cloudFormation.url}/cloudformation-response?X-Amz-Signature=s3cr3t`,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Throughline/1',
  RequestId: randomUUID(),
  LogicalResourceId: 'CdnSigningKeyKeyPair2E244917',
  ResourceType: 'Custom::CdnSigningKey',
});
const create = (secretArn: string): CloudFormationCustomResourceEvent => ({
  ...base(),
  RequestType: 'Create',
  ResourceProperties: { ServiceToken: base().ServiceToken, SecretArn: secretArn },
});
const update = (
  secretArn: string,
  oldSecretArn: string,
  physicalId: string,
): CloudFormationCustomResourceEvent => ({
  ...base(),
  RequestType: 'Update',
  PhysicalResourceId: physicalId,
  ResourceProperties: { ServiceToken: base().ServiceToken, SecretArn: secretArn },
  OldResourceProperties: { ServiceToken: base().ServiceToken, SecretArn: oldSecretArn },
});
const remove = (secretArn: string, physicalId: string): CloudFormationCustomResourceEvent => ({
  ...base(),
  RequestType: 'Delete',
  PhysicalResourceId: physicalId,
  ResourceProperties: { ServiceToken: base().ServiceToken, SecretArn: secretArn },
});

/** Runs the handler and returns the one response it PUT, checked against the request it answers. */
async function answer(event: CloudFormationCustomResourceEvent): Promise<CustomResourceResponse> {
  const before = puts.length;
  await handler(event, context);
  expect(puts).toHaveLength(before + 1);
  const put = puts.at(-1) as Put;
  // What CloudFormation's pre-signed S3 URL accepts: a PUT with no content type, to the URL as given.
  expect(put).toMatchObject({
    method: 'PUT',
    path: '/cloudformation-response?X-Amz-Signature=s3cr3t',
    contentType: '',
  });
  expect(put.body).toMatchObject({
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  return put.body;
}

async function secret(value = 'placeholder'): Promise<string> {
  const { ARN } = await secrets.send(
    new CreateSecretCommand({ Name: `signing-key-${randomUUID().slice(0, 8)}`, SecretString: value }),
  );
  if (ARN === undefined) throw new Error('moto created a secret without an ARN');
  return ARN;
}
const stored = async (secretId: string) =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? '';

describe('the CDN signing key custom resource', () => {
  it('creates an RSA key pair: the private key into the secret, the public key to CloudFormation', async () => {
    const arn = await secret();
    const created = await answer(create(arn));
    expect(created).toMatchObject({ Status: 'SUCCESS', Reason: 'generated a key pair' });
    expect(created.PhysicalResourceId).toMatch(/^cdn-signing-key-[0-9a-f]{24}$/);
    const publicPem = created.Data?.PublicKeyPem ?? '';
    // CloudFront takes SPKI PEM public keys of RSA 2048.
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const publicKey = createPublicKey(publicPem);
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const privatePem = await stored(arn);
    // PKCS#1, which `aws cloudfront sign` reads as well as the SDK's signer.
    expect(privatePem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    // CloudFront signs policies with RSA-SHA1: what the private key signs, the registered key verifies.
    const policy = '{"Statement":[{"Resource":"https://d111.cloudfront.net/performance/tests/abc/results"}]}';
    const signature = createSign('RSA-SHA1').update(policy).sign(privatePem);
    expect(createVerify('RSA-SHA1').update(policy).verify(publicPem, signature)).toBe(true);
    // Only the public half goes to CloudFormation; the log says what was done, with the Lambda context.
    expect(JSON.stringify(created)).not.toContain('PRIVATE KEY');
    expect(stdout).toMatch(/"message":"custom resource done".*"requestType":"Create"/);
    expect(stdout).toContain('"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678"');
  });

  it('keeps the key pair on an update of the same secret (a redeploy)', async () => {
    const arn = await secret();
    const created = await answer(create(arn));
    const privatePem = await stored(arn);
    const updated = await answer(update(arn, arn, created.PhysicalResourceId));
    expect(updated).toEqual({
      ...created,
      RequestId: updated.RequestId,
      Reason: 'kept the key pair',
    });
    expect(await stored(arn)).toBe(privatePem);
  });

  it('fills a new secret with a new key pair when the update names another secret', async () => {
    const [first, second] = [await secret(), await secret()];
    const created = await answer(create(first));
    const firstKey = await stored(first);
    const moved = await answer(update(second, first, created.PhysicalResourceId));
    expect(moved).toMatchObject({ Status: 'SUCCESS', Reason: 'generated a key pair' });
    // A new physical id: CloudFormation then deletes the old resource, which leaves its secret alone.
    expect(moved.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(moved.Data?.PublicKeyPem).not.toBe(created.Data?.PublicKeyPem);
    expect(await stored(second)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(await stored(first)).toBe(firstKey);
  });

  it('leaves the secret to CloudFormation on delete', async () => {
    const arn = await secret();
    const created = await answer(create(arn));
    const privatePem = await stored(arn);
    const deleted = await answer(remove(arn, created.PhysicalResourceId));
    expect(deleted).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: created.PhysicalResourceId,
      Reason: 'the key goes with its secret',
    });
    expect(await stored(arn)).toBe(privatePem);
  });

  it('reports a missing secret to CloudFormation as FAILED instead of leaving it waiting', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf';
    const failed = await answer(create(missing));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'cdn-signing-key-failed' });
    expect(failed.Reason).toContain(`writing secret ${missing} failed (ResourceNotFoundException`);
    expect(failed.Reason.length).toBeLessThanOrEqual(400);
    expect(failed).not.toHaveProperty('Data');
  });

  it('refuses a request without SecretArn, and still answers', async () => {
    const event = create('');
    const failed = await answer({ ...event, ResourceProperties: { ServiceToken: base().ServiceToken } });
    expect(failed).toMatchObject({
      Status: 'FAILED',
      Reason: 'the SecretArn property must name the secret of the key',
    });
  });

  it('fails an update whose secret holds no private key rather than replacing the key, keeping the id', async () => {
    const arn = await secret('-----BEGIN PUBLIC KEY-----\nnot a private key\n-----END PUBLIC KEY-----\n');
    const failed = await answer(update(arn, arn, 'cdn-signing-key-0123456789abcdef01234567'));
    expect(failed).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'cdn-signing-key-0123456789abcdef01234567',
      Reason: 'the text is not a PEM private key',
    });
    expect(await stored(arn)).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});

describe('the CloudFormation responder', () => {
  const response: CustomResourceResponse = {
    Status: 'SUCCESS',
    Reason: 'r',
    PhysicalResourceId: 'p',
    StackId: 's',
    RequestId: 'q',
    LogicalResourceId: 'l',
  };

  it('tries again after a 5xx or a dropped connection, and delivers', async () => {
    let calls = 0;
    const flaky = await startHttp((req, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 503;
        res.end();
      } else if (calls === 2) req.socket.destroy();
      else req.resume().on('end', () => res.end());
    });
    try {
      await createCloudFormationResponder({ retryDelayMs: 10 }).send(`${flaky.url}/r`, response);
      expect(calls).toBe(3);
    } finally {
      await flaky.close();
    }
  });

  it('gives up at once on a 4xx (an expired or altered URL), without the URL’s credentials in the error', async () => {
    let calls = 0;
    const expired = await startHttp((_req, res) => {
      calls++;
      res.statusCode = 403;
      res.end('<Error><Code>AccessDenied</Code></Error>');
    });
    try {
      const err = await createCloudFormationResponder({ retryDelayMs: 10 })
        .send(`${expired.url}/r?X-Amz-Signature=s3cr3t`, response)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'E_CFN_RESPONSE',
        message: `CloudFormation did not take the response at ${expired.url}/r: HTTP 403`,
      });
      expect(calls).toBe(1);
    } finally {
      await expired.close();
    }
  });

  it('gives up after its tries when nothing answers, naming the last problem', async () => {
    let calls = 0;
    const down = await startHttp((_req, res) => {
      calls++;
      res.statusCode = 502;
      res.end();
    });
    try {
      await expect(
        createCloudFormationResponder({ attempts: 2, retryDelayMs: 10 }).send(`${down.url}/r`, response),
      ).rejects.toMatchObject({
        code: 'E_CFN_RESPONSE',
        message: `CloudFormation did not take the response at ${down.url}/r after 2 tries: HTTP 502`,
      });
      expect(calls).toBe(2);
    } finally {
      await down.close();
    }
  });
});
