/** PEM halves of an asymmetric key pair. */
export interface KeyPair {
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), what CloudFront registers. */
  readonly publicKeyPem: string;
  /** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), what `aws cloudfront sign` and the SDK's signer read. */
  readonly privateKeyPem: string;
}

/** Makes and reads the RSA key pairs CloudFront checks signed URLs and cookies against. */
export interface KeyPairs {
  /** A new RSA-2048 key pair. */
  generate(): Promise<KeyPair>;
  /** The SPKI PEM public half of a PEM private key; rejects when the text is not a private key. */
  publicKeyOf(privateKeyPem: string): Promise<string>;
  /** The SHA-256 of the text, in hex: a stable name for a public key. */
  fingerprint(publicKeyPem: string): string;
}
