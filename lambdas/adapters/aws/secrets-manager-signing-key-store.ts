import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ThroughlineError } from '../../model/errors';
import type { SigningKeyStore } from '../../ports/signing-key-store';

/**
 * The signing key store on Secrets Manager: the private key is the secret's string value. Messages
 * name the secret and what Secrets Manager answered, never the value.
 */

export class SigningKeySecretError extends ThroughlineError {
  constructor(message: string, cause?: unknown) {
    super('E_SIGNING_KEY_SECRET', message, cause === undefined ? undefined : { cause });
    this.name = 'SigningKeySecretError';
  }
}

const why = (err: unknown) =>
  err instanceof Error ? `${err.name}: ${err.message}` : `unexpected answer: ${String(err)}`;

export function createSecretsManagerSigningKeyStore(client: SecretsManagerClient): SigningKeyStore {
  return {
    async read(secretId) {
      let value: string | undefined;
      try {
        value = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
      } catch (err) {
        throw new SigningKeySecretError(`reading secret ${secretId} failed (${why(err)})`, err);
      }
      if (value === undefined || value === '')
        throw new SigningKeySecretError(`secret ${secretId} holds no text (binary secrets are not read)`);
      return value;
    },
    async write(secretId, privateKeyPem) {
      try {
        await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: privateKeyPem }));
      } catch (err) {
        throw new SigningKeySecretError(`writing secret ${secretId} failed (${why(err)})`, err);
      }
    },
  };
}
