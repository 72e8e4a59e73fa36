import type { CustomResourceRequest, CustomResourceResponse } from '../../model/custom-resource';
import { ThroughlineError } from '../../model/errors';
import type { KeyPairs } from '../../ports/key-pairs';
import type { SigningKeyStore } from '../../ports/signing-key-store';
import { answerCustomResource, type CustomResourceDeps, type CustomResourceOutcome } from './custom-resource';

/**
 * The CDN signing key's custom resource (ADR 006). On Create it generates an RSA-2048 key pair,
 * keeps the private half in the secret named by `SecretArn` and returns the public half as
 * `PublicKeyPem` for CloudFront's public key. An Update with the same secret returns the public half
 * of the key already there, so a redeploy never changes the key; an Update naming another secret
 * fills that one with a new pair. Delete does nothing: the key goes with its secret.
 */

/** The attribute CloudFormation's `Fn::GetAtt` reads the public key from. */
export const PUBLIC_KEY_ATTRIBUTE = 'PublicKeyPem';
/** The property naming the secret. */
export const SECRET_PROPERTY = 'SecretArn';
/** The physical id of a key that was never made (a failed Create). */
export const FAILED_SIGNING_KEY_ID = 'cdn-signing-key-failed';

export class SigningKeyRequestError extends ThroughlineError {
  constructor(message: string) {
    super('E_SIGNING_KEY_REQUEST', message);
    this.name = 'SigningKeyRequestError';
  }
}

export interface SigningKeyDeps {
  readonly store: SigningKeyStore;
  readonly keys: KeyPairs;
}

/** `cdn-signing-key-<24 hex>`: names the public key, so the same key keeps the same id. */
export function signingKeyPhysicalId(keys: KeyPairs, publicKeyPem: string): string {
  return `cdn-signing-key-${keys.fingerprint(publicKeyPem).slice(0, 24)}`;
}

function secretOf(properties: Readonly<Record<string, unknown>>): string {
  const secret = properties[SECRET_PROPERTY];
  if (typeof secret !== 'string' || secret === '')
    throw new SigningKeyRequestError(`the ${SECRET_PROPERTY} property must name the secret of the key`);
  return secret;
}

export async function decideSigningKey(
  request: CustomResourceRequest,
  { store, keys }: SigningKeyDeps,
): Promise<CustomResourceOutcome> {
  if (request.requestType === 'Delete')
    return {
      physicalResourceId: request.physicalResourceId ?? FAILED_SIGNING_KEY_ID,
      reason: 'the key goes with its secret',
    };
  const secretId = secretOf(request.properties);
  const outcome = (publicKeyPem: string, reason: string): CustomResourceOutcome => ({
    physicalResourceId: signingKeyPhysicalId(keys, publicKeyPem),
    reason,
    data: { [PUBLIC_KEY_ATTRIBUTE]: publicKeyPem },
  });
  if (request.requestType === 'Update' && request.oldProperties?.[SECRET_PROPERTY] === secretId)
    return outcome(await keys.publicKeyOf(await store.read(secretId)), 'kept the key pair');
  const { publicKeyPem, privateKeyPem } = await keys.generate();
  await store.write(secretId, privateKeyPem);
  return outcome(publicKeyPem, 'generated a key pair');
}

export interface SigningKeyResource {
  /** Decides the request and answers CloudFormation (see answerCustomResource). */
  answer(request: CustomResourceRequest): Promise<CustomResourceResponse>;
}

export function createSigningKeyResource(deps: SigningKeyDeps & CustomResourceDeps): SigningKeyResource {
  return {
    answer: (request) =>
      answerCustomResource(request, (r) => decideSigningKey(r, deps), deps, FAILED_SIGNING_KEY_ID),
  };
}
