/**
 * Redis Cluster's key → slot map (CRC16/XMODEM of the key's hash tag, mod 16384), computed locally
 * so getMany/delete can group keys by slot: MGET and UNLINK refuse keys from different slots.
 * The same hash tag decides the node in client-side sharding, so `{user:42}`-tagged keys stay
 * together in every topology.
 */
export const CLUSTER_SLOTS = 16_384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

/** The bytes that are hashed: between the first `{` and the next `}` when non-empty, else the key. */
export function hashTag(key: string): Buffer {
  const bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b);
  if (open < 0) return bytes;
  const close = bytes.indexOf(0x7d, open + 1);
  return close > open + 1 ? bytes.subarray(open + 1, close) : bytes;
}

export function keySlot(key: string): number {
  return crc16(hashTag(key)) % CLUSTER_SLOTS;
}
