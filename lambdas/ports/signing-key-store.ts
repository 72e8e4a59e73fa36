/** Where the CDN signing key's private half is kept (a Secrets Manager secret on AWS). */
export interface SigningKeyStore {
  /** The PEM text kept under `secretId`; rejects when the secret does not exist or holds no text. */
  read(secretId: string): Promise<string>;
  /** Makes `privateKeyPem` the current value kept under `secretId`. */
  write(secretId: string, privateKeyPem: string): Promise<void>;
}
