import { ThroughlineError } from '../model/errors';

/** The CDN signing key's custom resource (entrypoints/lambda/cdn-signing-key): where it runs. */

export class CdnSigningKeyConfigError extends ThroughlineError {
  constructor(problems: readonly string[]) {
    super('E_CONFIG', `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CdnSigningKeyConfigError';
  }
}

export interface CdnSigningKeyConfig {
  /** The region of the secret (AWS_REGION, which Lambda sets). */
  readonly region: string;
}

export function cdnSigningKeyConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CdnSigningKeyConfig {
  const region = env.AWS_REGION ?? '';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new CdnSigningKeyConfigError([
      region === ''
        ? 'AWS_REGION is not set'
        : `AWS_REGION=${JSON.stringify(region)}: a region such as "eu-west-1"`,
    ]);
  return { region };
}
