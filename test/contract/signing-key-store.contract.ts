import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SigningKeyStore } from '../../lambdas/ports/signing-key-store';

/**
 * The SigningKeyStore contract (DESIGN.md §6.2): every adapter runs this suite, each test with a
 * fresh, existing secret from `make()` and the id of one that does not exist.
 */

export interface SigningKeyStoreFixture {
  readonly store: SigningKeyStore;
  /** An existing secret (its initial value is not a key). */
  readonly secretId: string;
  /** A secret id nothing exists under. */
  readonly missingId: string;
  cleanup(): Promise<void>;
}

const PEM = (n: number) =>
  `-----BEGIN RSA PRIVATE KEY-----\n${String(n).repeat(64).slice(0, 64)}\n-----END RSA PRIVATE KEY-----\n`;

export function signingKeyStoreContract(name: string, make: () => Promise<SigningKeyStoreFixture>): void {
  describe(`SigningKeyStore contract: ${name}`, () => {
    let fixture: SigningKeyStoreFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('reads back exactly what was written, newlines included', async () => {
      await fixture.store.write(fixture.secretId, PEM(1));
      expect(await fixture.store.read(fixture.secretId)).toBe(PEM(1));
    });

    it('keeps the last value written', async () => {
      await fixture.store.write(fixture.secretId, PEM(1));
      await fixture.store.write(fixture.secretId, PEM(2));
      expect(await fixture.store.read(fixture.secretId)).toBe(PEM(2));
    });

    it('refuses to read a secret that does not exist, naming it', async () => {
      const err = await fixture.store.read(fixture.missingId).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIGNING_KEY_SECRET' });
      expect((err as Error).message).toContain(fixture.missingId);
    });

    it('refuses to write to a secret that does not exist, and does not create it', async () => {
      const err = await fixture.store.write(fixture.missingId, PEM(3)).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SIGNING_KEY_SECRET' });
      expect((err as Error).message).toContain(fixture.missingId);
      await expect(fixture.store.read(fixture.missingId)).rejects.toMatchObject({
        code: 'E_SIGNING_KEY_SECRET',
      });
    });

    it('never puts the value in an error message', async () => {
      await fixture.store.write(fixture.secretId, PEM(4));
      const err = await fixture.store.write(fixture.missingId, PEM(5)).catch((e: unknown) => e);
      expect((err as Error).message).not.toContain('PRIVATE KEY');
    });
  });
}
