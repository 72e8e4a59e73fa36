import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerSigningKeyStore } from '../adapters/aws/secrets-manager-signing-key-store';
import {
  type CloudFormationResponderOptions,
  createCloudFormationResponder,
} from '../adapters/node/cloudformation-responder';
import { createRsaKeyPairs } from '../adapters/node/rsa-key-pairs';
import type { CdnSigningKeyConfig } from '../config/cdn-signing-key';
import { createSigningKeyResource, type SigningKeyResource } from '../core/deployment/cdn-signing-key';
import type { Log } from '../ports/log';

export interface AwsSigningKeyOverrides {
  /** A client of your own (tests point one at moto); default one for the configured region. */
  readonly secrets?: SecretsManagerClient;
  readonly responder?: CloudFormationResponderOptions;
}

/** Lambda wiring of the signing key resource: Secrets Manager, node:crypto, fetch to CloudFormation. */
export function awsCdnSigningKey(
  config: CdnSigningKeyConfig,
  log: Log,
  overrides: AwsSigningKeyOverrides = {},
): SigningKeyResource {
  return createSigningKeyResource({
    store: createSecretsManagerSigningKeyStore(
      overrides.secrets ?? new SecretsManagerClient({ region: config.region }),
    ),
    keys: createRsaKeyPairs(),
    responder: createCloudFormationResponder(overrides.responder),
    log,
  });
}
