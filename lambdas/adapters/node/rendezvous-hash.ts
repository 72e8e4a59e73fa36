import { mix32 } from '../../core/cache/policies/mix';

/**
 * Rendezvous (highest-random-weight) hashing for client-side sharding over independent
 * Redis/Valkey nodes: several non-cluster ElastiCache replication groups or self-managed servers,
 * where no server-side slot map exists. A key goes to the node whose score for it is highest,
 * score = mix32(hash(key) XOR seed(node)).
 *
 * Why not `hash(key) % N`: adding a fourth node to three remaps about 3/4 of all keys, so every
 * Lambda's L3 goes cold at once and the origin takes the stampede.
 * Why not a ketama ring: with 160 points per node a node still got up to 14 % more or fewer keys
 * than an even share (3–10 nodes, `npm run bench -- shard-balance`); rendezvous spreads keys as
 * evenly as the keys themselves allow (within a few per cent at 2–20 nodes), with no points to tune.
 *
 * How keys move: a new node takes exactly the keys it now scores highest on, about 1/(N+1) of
 * them, and every moved key moves TO the new node; no key changes hands between the old nodes.
 * Removing a node hands each of its keys to that key's runner-up, spread over all survivors.
 *
 * Seeds derive from each node's id (host:port), never its position in the list, so every client
 * with the same node set computes the same owners whatever order its configuration lists them in.
 * A lookup costs one MurmurHash3 of the key and N integer mixes (N is small: a few shards).
 */
export class RendezvousHash<T> {
  private readonly seeds: Uint32Array;
  private readonly values: readonly T[];

  constructor(nodes: readonly { readonly id: string; readonly value: T }[]) {
    if (nodes.length === 0) throw new Error('a shard map needs at least one node');
    if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw new Error('shard node ids repeat');
    // Sorted by id: equal scores (a 2^-32 event) go to the same node on every client.
    const sorted = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.seeds = Uint32Array.from(sorted, (n) => murmur3(Buffer.from(n.id, 'utf8')));
    this.values = sorted.map((n) => n.value);
  }

  /** The node owning `key` (hash the key's bytes; pass a hash tag to co-locate related keys). */
  nodeFor(key: string | Uint8Array): T {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    const h = murmur3(bytes);
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < this.seeds.length; i++) {
      const score = mix32((h ^ (this.seeds[i] as number)) >>> 0);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return this.values[best] as T;
  }
}

/**
 * MurmurHash3 (x86, 32-bit, seed 0) for keys: a key is hashed on every call, and MD5 through
 * node:crypto costs about 3 µs a key against well under 1 µs for this.
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
  return mix32(h);
}
