import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CacheDriver } from '../../lambdas/ports/cache-driver';

/**
 * The CacheDriver contract (DESIGN.md §6.2): the disk tier and every Redis topology run this suite.
 * Each `make()` returns a driver on a NEW namespace of the SAME backend (a sibling folder, another
 * key prefix on the same servers), so isolation between namespaces is tested for real.
 */
export interface CacheDriverFixture {
  readonly driver: CacheDriver;
  /** Lets `ms` of the driver's time pass: an injected clock, or a real wait (the default). */
  readonly elapse?: (ms: number) => Promise<void>;
  /** Disconnects (if still connected) and removes what the namespace left behind. */
  cleanup(): Promise<void>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (s: string) => new TextEncoder().encode(s);

function expectBytes(got: Uint8Array | undefined, expected: Uint8Array): void {
  expect(got, 'value is present').toBeInstanceOf(Uint8Array);
  const g = got as Uint8Array;
  expect(g.byteLength).toBe(expected.byteLength);
  // Buffer.compare, not toEqual: a 1.5 MB diff would drown the report.
  expect(Buffer.compare(Buffer.from(g.buffer, g.byteOffset, g.byteLength), Buffer.from(expected))).toBe(0);
}

export function cacheDriverContract(name: string, make: () => Promise<CacheDriverFixture>): void {
  describe(`CacheDriver contract: ${name}`, () => {
    const fixtures: CacheDriverFixture[] = [];
    let driver: CacheDriver;
    let elapse: (ms: number) => Promise<void>;
    const another = async () => {
      const f = await make();
      fixtures.push(f);
      return f.driver;
    };

    beforeEach(async () => {
      const f = await make();
      fixtures.push(f);
      driver = f.driver;
      elapse = f.elapse ?? ((ms) => delay(ms));
    });
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((f) => f.cleanup()));
    });

    it('round-trips binary values: empty, every byte value, over 1 MB, a view into a larger buffer', async () => {
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      const large = new Uint8Array(randomBytes(1_500_000));
      const backing = bytes(9, 9, 1, 0, 2, 9);
      const view = backing.subarray(2, 5);
      await driver.set('empty', new Uint8Array(0));
      await driver.set('every', every);
      await driver.set('large', large);
      await driver.set('view', view);
      expectBytes(await driver.get('empty'), new Uint8Array(0));
      expectBytes(await driver.get('every'), every);
      expectBytes(await driver.get('large'), large);
      expectBytes(await driver.get('view'), bytes(1, 0, 2));
      expect(await driver.get('absent')).toBeUndefined();
    });

    it('keys may hold any text: spaces, unicode, glob and hash-tag characters', async () => {
      const keys = ['a b', 'Grüße · チェックアウト 🚀', 'x*y?[z]\\', '{tag}:1', '', 'nul\0byte'];
      for (const [i, key] of keys.entries()) await driver.set(key, bytes(i));
      for (const [i, key] of keys.entries()) expectBytes(await driver.get(key), bytes(i));
    });

    it('overwrites, and a later set without TTL removes the earlier TTL', async () => {
      await driver.set('k', text('one'), 100);
      await driver.set('k', text('two'));
      await elapse(150);
      expectBytes(await driver.get('k'), text('two'));
    });

    it('expires entries after their TTL; entries without TTL stay', async () => {
      await driver.set('short', text('s'), 100);
      await driver.set('long', text('l'), 60_000);
      await driver.set('forever', text('f'));
      expectBytes(await driver.get('short'), text('s'));
      await elapse(150);
      expect(await driver.get('short')).toBeUndefined();
      expect(await driver.getMany(['short', 'long', 'forever'])).toEqual([
        undefined,
        expect.any(Uint8Array),
        expect.any(Uint8Array),
      ]);
    });

    it('a TTL of zero or less deletes what was stored', async () => {
      await driver.set('k', text('v'));
      await driver.set('k', text('w'), 0);
      expect(await driver.get('k')).toBeUndefined();
      await driver.set('k', text('v'));
      await driver.set('k', text('w'), -5);
      expect(await driver.get('k')).toBeUndefined();
    });

    it('getMany answers in order, with misses and repeated keys', async () => {
      await driver.set('a', text('A'));
      await driver.set('c', text('C'));
      const got = await driver.getMany(['c', 'missing', 'a', 'c', 'b']);
      expect(got.map((v) => v && Buffer.from(v).toString())).toEqual(['C', undefined, 'A', 'C', undefined]);
      expect(await driver.getMany([])).toEqual([]);
    });

    it('getMany and delete handle more keys than one command carries', async () => {
      const keys = Array.from({ length: 2_345 }, (_, i) => `bulk:${i}`);
      await Promise.all(keys.map((k, i) => driver.set(k, text(String(i)))));
      const got = await driver.getMany(['nope', ...keys]);
      expect(got[0]).toBeUndefined();
      expect(got.slice(1).map((v) => v && Buffer.from(v).toString())).toEqual(keys.map((_, i) => String(i)));
      expect(await driver.delete([...keys, 'nope'])).toBe(keys.length);
      expect((await driver.getMany(keys)).every((v) => v === undefined)).toBe(true);
    });

    it('delete counts only the keys that existed', async () => {
      await driver.set('a', text('A'));
      await driver.set('b', text('B'));
      await driver.set('gone', text('G'), 50);
      await elapse(100);
      expect(await driver.delete(['a', 'missing', 'gone', 'a'])).toBe(1);
      expect(await driver.get('a')).toBeUndefined();
      expectBytes(await driver.get('b'), text('B'));
      expect(await driver.delete([])).toBe(0);
    });

    it('deletePattern deletes exactly the matching keys of this namespace, never sets', async () => {
      const other = await another();
      const keys = ['user:1', 'user:2', 'user:{9}:x', 'users', 'user', 'order:1', 'userX:1'];
      for (const k of keys) {
        await driver.set(k, text(k));
        await other.set(k, text(k));
      }
      await driver.addToSet('user:tags', ['user:1']);
      expect(await driver.deletePattern('user:*')).toBe(3);
      const left = await driver.getMany(keys);
      expect(keys.filter((_, i) => left[i] !== undefined)).toEqual(['users', 'user', 'order:1', 'userX:1']);
      expect(await driver.setMembers('user:tags')).toEqual(['user:1']);
      expect((await other.getMany(keys)).every((v) => v !== undefined)).toBe(true);
      expect(await driver.deletePattern('user?:1')).toBe(1);
      expect(await driver.deletePattern('[uo]*')).toBe(3);
      expect(await driver.deletePattern('nothing*')).toBe(0);
    });

    it('deletePattern spans many SCAN batches', async () => {
      const keys = Array.from({ length: 2_500 }, (_, i) => `page:${i}`);
      await Promise.all(keys.map((k) => driver.set(k, bytes(1))));
      await driver.set('keep', bytes(2));
      expect(await driver.deletePattern('page:*')).toBe(keys.length);
      expect(await driver.getMany(['page:0', 'page:2499', 'keep'])).toEqual([
        undefined,
        undefined,
        expect.any(Uint8Array),
      ]);
    });

    it('sets: add (a union), members, delete; a value of the same name is separate', async () => {
      expect(await driver.setMembers('tag')).toEqual([]);
      await driver.addToSet('tag', ['a', 'b']);
      await driver.addToSet('tag', ['b', 'c', 'Grüße 🚀']);
      await driver.addToSet('tag', []);
      expect((await driver.setMembers('tag')).sort()).toEqual(['Grüße 🚀', 'a', 'b', 'c']);
      await driver.set('tag', text('value'));
      await driver.deleteSet('tag');
      expect(await driver.setMembers('tag')).toEqual([]);
      expectBytes(await driver.get('tag'), text('value'));
      await driver.deleteSet('never-existed');
    });

    it('sets: concurrent adds lose no member', async () => {
      const members = Array.from({ length: 60 }, (_, i) => `m${i}`);
      await Promise.all(members.map((m) => driver.addToSet('crowd', [m], 60_000)));
      expect((await driver.setMembers('crowd')).sort()).toEqual([...members].sort());
    });

    it('sets expire; a later TTL extends expiry, never shortens it; a set without expiry keeps none', async () => {
      await driver.addToSet('short', ['x'], 100);
      await driver.addToSet('extended', ['x'], 100);
      await driver.addToSet('extended', ['y'], 60_000);
      await driver.addToSet('kept', ['x'], 60_000);
      await driver.addToSet('kept', ['y'], 100);
      await driver.addToSet('persistent', ['x']);
      await driver.addToSet('persistent', ['y'], 100);
      await elapse(150);
      expect(await driver.setMembers('short')).toEqual([]);
      expect((await driver.setMembers('extended')).sort()).toEqual(['x', 'y']);
      expect((await driver.setMembers('kept')).sort()).toEqual(['x', 'y']);
      expect((await driver.setMembers('persistent')).sort()).toEqual(['x', 'y']);
    });

    it('clear empties this namespace (values and sets) and nothing else', async () => {
      const other = await another();
      for (const d of [driver, other]) {
        await d.set('k', text('v'));
        await d.set('k2', text('v'), 60_000);
        await d.addToSet('s', ['k']);
      }
      await driver.clear();
      expect(await driver.getMany(['k', 'k2'])).toEqual([undefined, undefined]);
      expect(await driver.setMembers('s')).toEqual([]);
      expect((await other.getMany(['k', 'k2'])).every((v) => v !== undefined)).toBe(true);
      expect(await other.setMembers('s')).toEqual(['k']);
      await driver.set('k', text('again'));
      expectBytes(await driver.get('k'), text('again'));
    });

    it('disconnect resolves, is idempotent, and later calls reject with E_CACHE_CLOSED', async () => {
      await driver.set('k', text('v'));
      await driver.disconnect();
      await driver.disconnect();
      const err = await driver.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      // The code, not the class: any adapter (memory, disk, Redis) can meet this contract.
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ code: 'E_CACHE_CLOSED' });
    });
  });
}
