import { awsCredentialChain, createApiClient } from '../adapters/node/api-client';
import { ThroughlineError } from '../model/errors';
import type { PerformanceApi } from '../ports/performance-api';

/** Signing set-up: loopback (the local platform) may go unsigned; anything else needs credentials and a region. */
export async function remoteApiClient(
  root: URL,
  region: string | undefined,
  loopback: boolean,
): Promise<PerformanceApi> {
  const chain = await awsCredentialChain();
  const base = root.href.replace(/\/$/, '');
  if (!chain.provider) {
    if (loopback) return createApiClient({ root: base });
    throw new ThroughlineError(
      'E_USAGE',
      `no AWS credentials to sign requests to ${root.host}: the standard AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/config or credentials, SSO, web identity, ECS/EC2 roles) found none (${chain.reason})`,
    );
  }
  if (!region && !loopback)
    throw new ThroughlineError(
      'E_USAGE',
      `cannot tell the AWS region of ${root.host}: pass --region or set AWS_REGION`,
    );
  // A placeholder region for the local platform, which ignores signatures.
  return createApiClient({
    root: base,
    signing: { region: region ?? 'us-east-1', credentials: chain.provider },
  });
}
