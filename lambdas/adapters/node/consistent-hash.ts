import { createHash } from 'node:crypto';

/**
 * A consistent-hash ring (ketama style) for client-side sharding over independent Redis/Valkey
 * nodes: several non-cluster ElastiCache replication groups or self-managed servers, where no
 * server-side slot map exists.
 *
 * Why not `hash(key) % N`: adding a fourth node to three remaps about 3/4 of all keys, so every
 * Lambda's L3 goes cold at once and the origin takes the stampede. On the ring each node owns the
 * arcs ending at its points; a key belongs to the first point clockwise from its hash.
 *
 * How keys move: a new node only takes the arcs its own points cut off, about 1/(N+1) of the keys,
 * and every moved key moves TO the new node; no key changes hands between the old nodes. Removing
 * a node hands only its keys to the survivors. Virtual nodes (160 points per node by default, 4
 * per MD5 digest like libketama) make each node's share close to 1/N and spread a removed node's
 * keys over all survivors instead of one neighbour.
 *
 * Points derive from each node's id (host:port), never its position in the list, so every client
 * with the same node set computes the same ring whatever order its configuration lists them in.
 */
export class HashRing<T> {
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;
  private readonly values: readonly T[];

  constructor(nodes: readonly { readonly id: string; readonly value: T }[], virtualNodes = 160) {
    if (nodes.length === 0) throw new Error('a hash ring needs at least one node');
    if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw new Error('hash ring node ids repeat');
    const digests = Math.max(1, Math.ceil(virtualNodes / 4));
    const entries: { point: number; owner: number; id: string }[] = [];
    nodes.forEach((node, owner) => {
      for (let i = 0; i < digests; i++) {
        const d = md5(`${node.id}-${i}`);
        for (let p = 0; p < 4; p++) entries.push({ point: d.readUInt32LE(p * 4), owner, id: node.id });
      }
    });
    // Equal points (rare) are ordered by node id so every client breaks the tie the same way.
    entries.sort((a, b) => a.point - b.point || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.points = Uint32Array.from(entries, (e) => e.point);
    this.owners = Uint32Array.from(entries, (e) => e.owner);
    this.values = nodes.map((n) => n.value);
  }

  /** The node owning `key` (hash the key's bytes; pass a hash tag to co-locate related keys). */
  nodeFor(key: string | Uint8Array): T {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    return this.values[this.owners[this.indexFor(murmur3(bytes))] as number] as T;
  }

  /** First point at or after `hash`, wrapping past the top of the ring to the first point. */
  private indexFor(hash: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as number) < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }
}

const md5 = (data: string) => createHash('md5').update(data).digest();

/**
 * MurmurHash3 (x86, 32-bit, seed 0) for keys: a key is hashed on every call, and MD5 through
 * node:crypto costs about 3 µs a key against well under 1 µs for this; its avalanche spreads keys as
 * evenly over the ring as MD5 does. Points stay MD5 (computed once per node).
 */
export function murmur3(bytes: Uint8Array): number {
  let h = 0;
  const tail = bytes.length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = bytes[tail] as number;
    if (rest > 1) k |= (bytes[tail + 1] as number) << 8;
    if (rest > 2) k |= (bytes[tail + 2] as number) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
