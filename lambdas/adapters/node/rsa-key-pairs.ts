import { createHash, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { ThroughlineError } from '../../model/errors';
import type { KeyPairs } from '../../ports/key-pairs';

/** RSA key pairs with node:crypto: 2048 bits, the size CloudFront takes for signed URLs and cookies. */

export class KeyPairError extends ThroughlineError {
  constructor(message: string, cause?: unknown) {
    super('E_KEY_PAIR_INVALID', message, cause === undefined ? undefined : { cause });
    this.name = 'KeyPairError';
  }
}

const generateAsync = promisify(generateKeyPair);

export const RSA_MODULUS_BITS = 2048;

export function createRsaKeyPairs(): KeyPairs {
  return {
    async generate() {
      const { publicKey, privateKey } = await generateAsync('rsa', {
        modulusLength: RSA_MODULUS_BITS,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      });
      return { publicKeyPem: publicKey, privateKeyPem: privateKey };
    },
    async publicKeyOf(privateKeyPem) {
      let key: ReturnType<typeof createPrivateKey>;
      try {
        // createPublicKey alone would also take a public key: the secret must hold the private one.
        key = createPrivateKey(privateKeyPem);
      } catch (err) {
        throw new KeyPairError('the text is not a PEM private key', err);
      }
      if (key.asymmetricKeyType !== 'rsa')
        throw new KeyPairError(`the private key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not RSA`);
      return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    },
    fingerprint(publicKeyPem) {
      return createHash('sha256').update(publicKeyPem).digest('hex');
    },
  };
}
