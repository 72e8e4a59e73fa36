import { describe, expect, it } from 'vitest';
import { HashRing, murmur3 } from '../../lambdas/adapters/node/consistent-hash';
import { hashTag, keySlot } from '../../lambdas/adapters/node/key-slot';

const NODES = ['10.0.1.11:6379', '10.0.2.12:6379', '10.0.3.13:6379', '10.0.1.14:6379'];
const KEYS = Array.from({ length: 60_000 }, (_, i) => `t:v:user:${i}:profile`);
const ring = (ids: readonly string[], virtualNodes?: number) =>
  new HashRing(
    ids.map((id) => ({ id, value: id })),
    virtualNodes,
  );

function shares(r: HashRing<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of KEYS) {
    const node = r.nodeFor(k);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return new Map([...counts].map(([n, c]) => [n, c / KEYS.length]));
}

describe('consistent-hash ring', () => {
  it('gives every node close to 1/N of the keys', () => {
    for (const n of [3, 4]) {
      const s = shares(ring(NODES.slice(0, n)));
      expect(s.size).toBe(n);
      for (const share of s.values()) expect(Math.abs(share - 1 / n)).toBeLessThan(0.05);
    }
  });

  it('with one point per node the split is far less even (why virtual nodes exist)', () => {
    const spread = (r: HashRing<string>) => {
      const s = [...shares(r).values()];
      return Math.max(...s) - Math.min(...s);
    };
    const few = Math.max(
      ...['a', 'b', 'c', 'd'].map((salt) =>
        spread(
          ring(
            NODES.map((n) => salt + n),
            1,
          ),
        ),
      ),
    );
    expect(few).toBeGreaterThan(spread(ring(NODES)) * 2);
  });

  it('adding a node moves about 1/(N+1) of the keys, all of them to the new node', () => {
    const before = ring(NODES.slice(0, 3));
    const after = ring(NODES);
    let moved = 0;
    let betweenOldNodes = 0;
    for (const k of KEYS) {
      const to = after.nodeFor(k);
      if (before.nodeFor(k) === to) continue;
      moved++;
      if (to !== NODES[3]) betweenOldNodes++;
    }
    expect(betweenOldNodes).toBe(0);
    expect(moved / KEYS.length).toBeGreaterThan(0.2);
    expect(moved / KEYS.length).toBeLessThan(0.3);
  });

  it("removing a node moves only that node's keys, spread over every survivor", () => {
    const before = ring(NODES);
    const after = ring(NODES.filter((n) => n !== NODES[1]));
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
    for (const count of receivers.values()) expect(count).toBeGreaterThan(KEYS.length * 0.04);
  });

  it('modulo hashing, for contrast, moves about three keys in four when a fourth node joins', () => {
    const mod = (k: string, n: number) => murmur3(Buffer.from(k)) % n;
    const moved = KEYS.filter((k) => mod(k, 3) !== mod(k, 4)).length / KEYS.length;
    expect(moved).toBeGreaterThan(0.7);
  });

  it('depends on node ids, not on the order they are listed in', () => {
    const a = ring(NODES);
    const b = ring([...NODES].reverse());
    expect(KEYS.slice(0, 5_000).every((k) => a.nodeFor(k) === b.nodeFor(k))).toBe(true);
  });

  it('refuses an empty ring and repeated ids', () => {
    expect(() => ring([])).toThrow(/at least one node/);
    expect(() => ring(['a:1', 'a:1'])).toThrow(/repeat/);
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
