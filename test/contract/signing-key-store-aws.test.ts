import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretsManagerSigningKeyStore } from '../../lambdas/adapters/aws/secrets-manager-signing-key-store';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { signingKeyStoreContract } from './signing-key-store.contract';

// The Secrets Manager signing key store against moto's Secrets Manager: one server for the file, a
// fresh secret (created the way the stack creates it: with a generated placeholder) for every test.

let moto: Moto;
let secrets: SecretsManagerClient;
beforeAll(async () => {
  moto = await startMoto();
  secrets = new SecretsManagerClient(awsClientConfig(moto.endpoint));
});
afterAll(async () => {
  secrets?.destroy();
  await moto?.stop();
});

async function freshSecret(): Promise<string> {
  const { ARN } = await secrets.send(
    new CreateSecretCommand({ Name: `signing-key-${randomUUID().slice(0, 8)}`, SecretString: 'placeholder' }),
  );
  if (ARN === undefined) throw new Error('moto created a secret without an ARN');
  return ARN;
}

signingKeyStoreContract('Secrets Manager (moto)', async () => {
  const secretId = await freshSecret();
  return {
    store: createSecretsManagerSigningKeyStore(secrets),
    secretId,
    missingId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf',
    cleanup: async () => {
      await secrets.send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }));
    },
  };
});

describe('Secrets Manager signing key store (moto)', () => {
  it('writes the key as the secret’s string value, for `aws cloudfront sign` to read', async () => {
    const secretId = await freshSecret();
    await createSecretsManagerSigningKeyStore(secrets).write(secretId, 'pem text');
    const { SecretString, SecretBinary } = await secrets.send(
      new GetSecretValueCommand({ SecretId: secretId }),
    );
    expect(SecretString).toBe('pem text');
    expect(SecretBinary).toBeUndefined();
  });

  it('refuses a secret that holds a binary value', async () => {
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: `binary-${randomUUID().slice(0, 8)}`,
        SecretBinary: Buffer.from([1, 2]),
      }),
    );
    await expect(createSecretsManagerSigningKeyStore(secrets).read(ARN ?? '')).rejects.toMatchObject({
      code: 'E_SIGNING_KEY_SECRET',
      message: expect.stringContaining('holds no text'),
    });
  });

  it('names what Secrets Manager answered, and keeps its error as the cause', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf';
    const err = (await createSecretsManagerSigningKeyStore(secrets)
      .read(missing)
      .catch((e: unknown) => e)) as Error & { cause?: { name?: string } };
    expect(err.message).toMatch(/ResourceNotFoundException/);
    expect(err.cause?.name).toBe('ResourceNotFoundException');
  });
});
