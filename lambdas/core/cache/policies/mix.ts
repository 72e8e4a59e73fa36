/**
 * 32-bit key hash: FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so the low bits
 * (the ones power-of-two masks keep) depend on every character. Computed once per cache entry.
 */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * murmur3's fmix32 finalizer: a bijection whose every output bit depends on every input bit.
 * The sketches pick a block from a hash's low bits and positions inside it from mix32(hash),
 * which is as good as an independent second hash.
 */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
