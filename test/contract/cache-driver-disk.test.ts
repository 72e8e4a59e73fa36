import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDiskCacheDriver } from '../../lambdas/adapters/node/disk-cache-driver';
import { entryName } from '../../lambdas/adapters/node/disk-cache-file';
import type { CacheDriver } from '../../lambdas/ports/cache-driver';
import { cacheDriverContract } from './cache-driver.contract';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'throughline-disk-cache-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A clock the test moves: expiry on disk is decided by the injected `now`, never by waiting. */
function fakeClock(start = 1_767_225_600_000) {
  let t = start;
  return {
    now: () => t,
    async advance(ms: number) {
      t += ms;
    },
  };
}

// Namespaces are sibling folders of one parent: the disk tier's "same backend".
cacheDriverContract('disk', async () => {
  const dir = join(root, randomUUID());
  const clock = fakeClock();
  const driver = createDiskCacheDriver({ dir, maxBytes: 64 * 1024 * 1024, now: clock.now });
  return {
    driver,
    elapse: clock.advance,
    async cleanup() {
      await driver.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('disk cache driver specifics', () => {
  const open: CacheDriver[] = [];
  const make = (dir: string, maxBytes: number, now: () => number = Date.now) => {
    const d = createDiskCacheDriver({ dir, maxBytes, now });
    open.push(d);
    return d;
  };
  const newDir = () => join(root, randomUUID());
  const filesIn = async (dir: string) => (await readdir(dir)).sort();
  const bytesIn = async (dir: string) => {
    let total = 0;
    for (const f of await readdir(dir)) total += (await stat(join(dir, f))).size;
    return total;
  };
  const kb = (fill: number) => new Uint8Array(1_000).fill(fill);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.disconnect()));
  });

  it('stores one file per entry, named by the SHA-256 of kind and key, and leaves no temporary file', async () => {
    const dir = newDir();
    const d = make(dir, 1_000_000);
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.set('same', kb(i))));
    await d.set('other', kb(1));
    await d.addToSet('tag', ['same']);
    expect(await filesIn(dir)).toEqual(
      [entryName('v', 'same'), entryName('v', 'other'), entryName('s', 'tag')].sort(),
    );
    expect(await filesIn(dir)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]));
  });

  it('readers see the old or the new value while it is rewritten, never a mix', async () => {
    const d = make(newDir(), 10_000_000);
    const versions = Array.from({ length: 8 }, (_, i) => new Uint8Array(200_000).fill(i + 1));
    await d.set('k', versions[0] as Uint8Array);
    const reads: Promise<Uint8Array | undefined>[] = [];
    const writes = versions.map(async (v) => {
      reads.push(d.get('k'));
      await d.set('k', v);
      reads.push(d.get('k'));
    });
    await Promise.all(writes);
    for (const r of await Promise.all(reads)) {
      expect(r?.byteLength).toBe(200_000);
      const first = r?.[0] as number;
      expect(first).toBeGreaterThan(0);
      expect((r as Uint8Array).every((b) => b === first)).toBe(true);
    }
  });

  it('stays under maxBytes by evicting the least recently used values', async () => {
    const dir = newDir();
    const d = make(dir, 10_000);
    for (let i = 0; i < 9; i++) await d.set(`k${i}`, kb(i));
    await d.get('k0'); // k0 is now the most recent: k1 goes first
    await d.set('k9', kb(9));
    await d.set('k10', kb(10));
    const present = await d.getMany(Array.from({ length: 11 }, (_, i) => `k${i}`));
    expect(present.map((v, i) => (v ? `k${i}` : '-'))).toEqual([
      'k0',
      '-',
      '-',
      'k3',
      'k4',
      'k5',
      'k6',
      'k7',
      'k8',
      'k9',
      'k10',
    ]);
    expect(await bytesIn(dir)).toBeLessThanOrEqual(10_000);
  });

  it('evicts values before sets, and does not store an entry larger than maxBytes (deleting the older one)', async () => {
    const d = make(newDir(), 5_000);
    await d.addToSet('tag', ['a']);
    for (let i = 0; i < 6; i++) await d.set(`k${i}`, kb(i));
    expect(await d.setMembers('tag')).toEqual(['a']);
    await d.set('big', kb(1));
    await d.set('big', new Uint8Array(5_001));
    expect(await d.get('big')).toBeUndefined();
  });

  it('a set too large to keep is dropped with the values it indexes', async () => {
    const d = make(newDir(), 3_000);
    await d.set('a', kb(1));
    await d.set('keep', kb(2));
    const long = Array.from({ length: 50 }, (_, i) => `${'m'.repeat(60)}${i}`);
    await d.addToSet('tag', ['a', ...long]);
    expect(await d.setMembers('tag')).toEqual([]);
    expect(await d.getMany(['a', 'keep'])).toEqual([undefined, expect.any(Uint8Array)]);
  });

  it('deletes an expired entry file when it is read', async () => {
    const dir = newDir();
    const clock = fakeClock();
    const d = make(dir, 1_000_000, clock.now);
    await d.set('k', kb(1), 1_000);
    await clock.advance(999);
    expect(await d.get('k')).toBeDefined();
    await clock.advance(1);
    expect(await d.get('k')).toBeUndefined();
    expect(await filesIn(dir)).toEqual([]);
  });

  it('rebuilds its index from the folder: live entries kept in file-time order, junk removed, foreign files untouched', async () => {
    const dir = newDir();
    const clock = fakeClock();
    const first = make(dir, 1_000_000, clock.now);
    await first.set('old', kb(1));
    await first.set('new', kb(2));
    await first.set('expiring', kb(3), 1_000);
    await first.set('truncated', kb(4));
    await first.set('garbage', kb(5));
    await first.addToSet('tag', ['old', 'new']);
    await first.disconnect();
    // 'old' last written long ago, 'new' recently: after the restart 'old' is evicted first.
    await utimes(join(dir, entryName('v', 'old')), new Date(1_000_000), new Date(1_000_000));
    await truncate(join(dir, entryName('v', 'truncated')), 500);
    await writeFile(join(dir, entryName('v', 'garbage')), 'not an entry');
    const misnamed = '0'.repeat(64);
    await writeFile(join(dir, misnamed), await readFile(join(dir, entryName('v', 'new'))));
    await writeFile(join(dir, `${'a'.repeat(64)}.123.4.tmp`), 'half written');
    await writeFile(join(dir, 'README.txt'), 'not ours');
    await clock.advance(2_000);

    const second = make(dir, 1_000_000, clock.now);
    const got = await second.getMany(['old', 'new', 'expiring', 'truncated', 'garbage']);
    expect(got.map((v) => v?.[0])).toEqual([1, 2, undefined, undefined, undefined]);
    expect((await second.setMembers('tag')).sort()).toEqual(['new', 'old']);
    expect(await filesIn(dir)).toEqual(
      ['README.txt', entryName('v', 'old'), entryName('v', 'new'), entryName('s', 'tag')].sort(),
    );
    await second.disconnect();

    // A smaller cap on restart: the entry with the oldest file time goes first.
    const third = make(dir, 2_000, clock.now);
    expect((await third.getMany(['old', 'new'])).map((v) => v?.[0])).toEqual([undefined, 2]);
    await third.clear();
    expect(await filesIn(dir)).toEqual(['README.txt']);
  });

  it('reports every invalid option at once', () => {
    expect(() => createDiskCacheDriver({ dir: '', maxBytes: -1 })).toThrow(
      /dir must be a non-empty path; maxBytes must be a positive integer/,
    );
  });
});
