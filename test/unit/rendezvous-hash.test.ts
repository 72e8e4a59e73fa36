import { describe, expect, it } from 'vitest';
import { hashTag, keySlot } from '../../lambdas/adapters/node/key-slot';
import { murmur3, RendezvousHash } from '../../lambdas/adapters/node/rendezvous-hash';

const NODES = ['10.0.1.11:6379', '10.0.2.12:6379', '10.0.3.13:6379', '10.0.1.14:6379'];
const KEYS = Array.from({ length: 200_000 }, (_, i) => `t:v:user:${i}:profile`);
const shardMap = (ids: readonly string[]) => new RendezvousHash(ids.map((id) => ({ id, value: id })));
const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i % 3}.${10 + i}:6379`);

function counts(r: RendezvousHash<string>, keys: readonly string[] = KEYS): Map<string, number> {
  const c = new Map<string, number>();
  for (const k of keys) {
    const node = r.nodeFor(k);
    c.set(node, (c.get(node) ?? 0) + 1);
  }
  return c;
}

describe('rendezvous hashing over shards', () => {
  it('gives every node of 2 to 20 within 5 % of an even share of 200,000 keys', () => {
    for (let n = 2; n <= 20; n++) {
      const c = counts(shardMap(nodesOf(n)));
      expect(c.size).toBe(n);
      const even = KEYS.length / n;
      for (const count of c.values()) expect(Math.abs(count - even) / even).toBeLessThan(0.05);
    }
  });

  it('adding a node moves about 1/(N+1) of the keys, all of them to the new node', () => {
    for (const n of [3, 9]) {
      const ids = nodesOf(n + 1);
      const before = shardMap(ids.slice(0, n));
      const after = shardMap(ids);
      let moved = 0;
      let betweenOldNodes = 0;
      for (const k of KEYS) {
        const to = after.nodeFor(k);
        if (before.nodeFor(k) === to) continue;
        moved++;
        if (to !== ids[n]) betweenOldNodes++;
      }
      expect(betweenOldNodes).toBe(0);
      expect(Math.abs(moved / KEYS.length - 1 / (n + 1))).toBeLessThan(0.01);
    }
  });

  it("removing a node moves only that node's keys, spread over every survivor", () => {
    const before = shardMap(NODES);
    const after = shardMap(NODES.filter((n) => n !== NODES[1]));
    const receivers = new Map<string, number>();
    let needlesslyMoved = 0;
    for (const k of KEYS) {
      const from = before.nodeFor(k);
      const to = after.nodeFor(k);
      if (from !== NODES[1]) needlesslyMoved += to === from ? 0 : 1;
      else receivers.set(to, (receivers.get(to) ?? 0) + 1);
    }
    expect(needlesslyMoved).toBe(0);
    expect([...receivers.keys()].sort()).toEqual([NODES[0], NODES[2], NODES[3]].sort());
    // A quarter of the keys, a third of them to each survivor.
    for (const count of receivers.values()) expect(count / KEYS.length).toBeCloseTo(1 / 12, 2);
  });

  it('modulo hashing, for contrast, moves about three keys in four when a fourth node joins', () => {
    const mod = (k: string, n: number) => murmur3(Buffer.from(k)) % n;
    const moved = KEYS.filter((k) => mod(k, 3) !== mod(k, 4)).length / KEYS.length;
    expect(moved).toBeGreaterThan(0.7);
  });

  it('depends on node ids, not on the order they are listed in', () => {
    const a = shardMap(NODES);
    const b = shardMap([...NODES].reverse());
    expect(KEYS.slice(0, 5_000).every((k) => a.nodeFor(k) === b.nodeFor(k))).toBe(true);
  });

  it('refuses no nodes and repeated ids', () => {
    expect(() => shardMap([])).toThrow(/at least one node/);
    expect(() => shardMap(['a:1', 'a:1'])).toThrow(/repeat/);
  });

  it('hashes keys with MurmurHash3 x86_32 (published test vectors)', () => {
    const hex = (s: string) => murmur3(Buffer.from(s)).toString(16);
    expect(hex('')).toBe('0');
    expect(hex('hello')).toBe('248bfa47');
    expect(hex('The quick brown fox jumps over the lazy dog')).toBe('2e4ff723');
  });
});

describe('hash tags and cluster slots', () => {
  it('hashes the first non-empty {…} section, else the whole key, like Redis Cluster', () => {
    expect(hashTag('{user1000}.following').toString()).toBe('user1000');
    expect(hashTag('foo{}{bar}').toString()).toBe('foo{}{bar}');
    expect(hashTag('foo{{bar}}zap').toString()).toBe('{bar');
    expect(hashTag('foo{bar}{zap}').toString()).toBe('bar');
    expect(hashTag('no-tag').toString()).toBe('no-tag');
  });

  it('maps keys to slots with CRC16/XMODEM mod 16384 (the spec example: 123456789 → 0x31C3)', () => {
    expect(keySlot('123456789')).toBe(0x31c3 % 16_384);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });
});
