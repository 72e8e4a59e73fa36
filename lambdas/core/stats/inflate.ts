/**
 * A zlib (RFC 1950) / DEFLATE (RFC 1951) decoder. Why our own: core may not import node:zlib,
 * and a window's histogram is a stream of a few hundred bytes, for which setting up a native
 * inflater (a fresh state and 32 kB window per call) costs more than decoding it here.
 * Huffman codes are read through one lookup table each (the next max-code-length bits give the
 * symbol and its length), built per block: small streams have short codes, so small tables.
 * Checks the zlib header and the Adler-32 of the output: a corrupt histogram fails, never miscounts.
 */

export class InflateError extends Error {}

const LENGTH_BASE = Uint16Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
]);
const LENGTH_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
const DIST_BASE = Uint16Array.from([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]);
const DIST_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** The order in which a dynamic block sends its code-length code lengths. */
const CLEN_ORDER = Uint8Array.from([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);
const REVERSED_BYTE = Uint8Array.from({ length: 256 }, (_, b) => {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
});

/** The next 17+ bits from bit position p, first bit lowest (bytes past the end read as 0). */
const peek = (src: Uint8Array, p: number): number => {
  const at = p >> 3;
  return (src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16)) >>> (p & 7);
};

const nextCode = new Uint16Array(16);

/**
 * A Huffman code as a dynamic block describes it: only its symbols of nonzero length, in symbol
 * order (of ~260 literal/length symbols a histogram stream uses ~70), and how many of each length.
 */
class Code {
  readonly symbols: Uint16Array;
  readonly lengths: Uint8Array;
  readonly count = new Uint16Array(16);
  size = 0;
  constructor(capacity: number) {
    this.symbols = new Uint16Array(capacity);
    this.lengths = new Uint8Array(capacity);
  }
  clear(): void {
    this.size = 0;
    this.count.fill(0);
  }
  push(symbol: number, length: number): void {
    this.symbols[this.size] = symbol;
    this.lengths[this.size++] = length;
    this.count[length]!++;
  }
  /**
   * Fills `table`: entry = symbol << 4 | length for every value of the next `bits` stream bits
   * (codes are sent first bit first, so reversed), 0 where no code matches, `bits` being the
   * longest code length. Returns the mask of `bits` bits.
   */
  build(table: Uint16Array): number {
    const count = this.count;
    let bits = 15;
    while (bits > 0 && count[bits] === 0) bits--;
    let code = 0;
    let left = 1;
    for (let l = 1; l <= bits; l++) {
      left = left * 2 - count[l]!;
      if (left < 0) throw new InflateError('over-subscribed Huffman code');
      code = (code + (l > 1 ? count[l - 1]! : 0)) << 1;
      nextCode[l] = code;
    }
    const size = 1 << bits;
    // A complete code (every code zlib writes but one-symbol ones) overwrites every entry.
    if (left !== 0) table.fill(0, 0, size);
    for (let i = 0; i < this.size; i++) {
      const l = this.lengths[i]!;
      const c = nextCode[l]!++;
      const reversed = ((REVERSED_BYTE[c & 0xff]! << 8) | REVERSED_BYTE[c >> 8]!) >> (16 - l);
      const entry = (this.symbols[i]! << 4) | l;
      for (let k = reversed; k < size; k += 1 << l) table[k] = entry;
    }
    return size - 1;
  }
}

const FIXED_LIT = new Uint16Array(1 << 9);
const FIXED_DIST = new Uint16Array(1 << 5);
{
  const fixed = new Code(288);
  for (let s = 0; s < 288; s++) fixed.push(s, s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8);
  fixed.build(FIXED_LIT);
  fixed.clear();
  for (let s = 0; s < 32; s++) fixed.push(s, 5);
  fixed.build(FIXED_DIST);
}

/** One decoder, reused: the bytes it returns are valid until its next call. */
export class Inflater {
  private out: Uint8Array = new Uint8Array(1 << 12);
  private readonly lit = new Code(288);
  private readonly dist = new Code(32);
  private readonly clen = new Code(19);
  private readonly clenLengths = new Uint8Array(19);
  private readonly litTable = new Uint16Array(1 << 15);
  private readonly distTable = new Uint16Array(1 << 15);
  private readonly clenTable = new Uint16Array(1 << 7);
  private litMask = 0;
  private distMask = 0;

  /** Decompresses the zlib stream in src[start, end); returns the output bytes (a view, reused). */
  inflate(src: Uint8Array, start: number, end: number): Uint8Array {
    if (end - start < 6 || end > src.length) throw new InflateError('zlib stream too short');
    const cmf = src[start]!;
    const flg = src[start + 1]!;
    if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) !== 0)
      throw new InflateError('not a zlib deflate stream');
    // p is a bit position; reads of up to 3 bytes past a valid one stay inside the 4-byte checksum.
    let p = (start + 2) * 8;
    const limit = (end - 4) * 8;
    let out = this.out;
    let outLen = 0;
    let last = 0;
    while (last === 0) {
      if (p + 3 > limit) throw new InflateError('zlib stream truncated');
      last = peek(src, p) & 1;
      const type = (peek(src, p) >> 1) & 3;
      p += 3;
      if (type === 0) {
        p = ((p + 7) >> 3) * 8;
        const at = p >> 3;
        const len = src[at]! | (src[at + 1]! << 8);
        if ((len ^ 0xffff) !== (src[at + 2]! | (src[at + 3]! << 8)) || p + (4 + len) * 8 > limit)
          throw new InflateError('bad stored block');
        out = this.reserve(outLen + len);
        out.set(src.subarray(at + 4, at + 4 + len), outLen);
        outLen += len;
        p += (4 + len) * 8;
        continue;
      }
      if (type === 3) throw new InflateError('invalid block type');
      let lit = FIXED_LIT;
      let dist = FIXED_DIST;
      let litMask = (1 << 9) - 1;
      let distMask = (1 << 5) - 1;
      if (type === 2) {
        p = this.dynamic(src, p, limit);
        lit = this.litTable;
        dist = this.distTable;
        litMask = this.litMask;
        distMask = this.distMask;
      }
      for (;;) {
        const e = lit[peek(src, p) & litMask]!;
        p += e & 15;
        if (e === 0 || p > limit) throw new InflateError('invalid or truncated literal/length code');
        const sym = e >> 4;
        if (sym < 256) {
          if (outLen === out.length) out = this.reserve(outLen + 1);
          out[outLen++] = sym;
          continue;
        }
        if (sym === 256) break;
        const l = sym - 257;
        if (l >= 29) throw new InflateError('invalid length code');
        const len = LENGTH_BASE[l]! + (peek(src, p) & ((1 << LENGTH_EXTRA[l]!) - 1));
        p += LENGTH_EXTRA[l]!;
        const d = dist[peek(src, p) & distMask]!;
        p += d & 15;
        const ds = d >> 4;
        if (d === 0 || ds >= 30) throw new InflateError('invalid distance code');
        const back = DIST_BASE[ds]! + (peek(src, p) & ((1 << DIST_EXTRA[ds]!) - 1));
        p += DIST_EXTRA[ds]!;
        if (back > outLen || p > limit) throw new InflateError('distance too far back or truncated');
        if (outLen + len > out.length) out = this.reserve(outLen + len);
        // Byte by byte: a match may overlap the bytes it is copying (a run).
        for (let i = outLen, stop = outLen + len; i < stop; i++) out[i] = out[i - back]!;
        outLen += len;
      }
    }
    const result = out.subarray(0, outLen);
    const a = end - 4;
    const expected = ((src[a]! << 24) | (src[a + 1]! << 16) | (src[a + 2]! << 8) | src[a + 3]!) >>> 0;
    if (adler32(result) !== expected) throw new InflateError('zlib checksum mismatch');
    return result;
  }

  /** Reads a dynamic block's code lengths and builds its two tables; returns the new bit position. */
  private dynamic(src: Uint8Array, p: number, limit: number): number {
    if (p + 14 > limit) throw new InflateError('zlib stream truncated');
    const head = peek(src, p);
    const nlen = (head & 31) + 257;
    const ndist = ((head >> 5) & 31) + 1;
    const ncode = ((head >> 10) & 15) + 4;
    p += 14;
    if (nlen > 286 || ndist > 30) throw new InflateError('bad dynamic block counts');
    const clenLengths = this.clenLengths.fill(0);
    for (let i = 0; i < ncode; i++, p += 3) clenLengths[CLEN_ORDER[i]!] = peek(src, p) & 7;
    const { lit, dist, clen } = this;
    clen.clear();
    for (let s = 0; s < 19; s++) if (clenLengths[s] !== 0) clen.push(s, clenLengths[s]!);
    const clenTable = this.clenTable;
    const clenMask = clen.build(clenTable);
    lit.clear();
    dist.clear();
    let prev = 0;
    let hasEndOfBlock = false;
    for (let i = 0; i < nlen + ndist; ) {
      const e = clenTable[peek(src, p) & clenMask]!;
      p += e & 15;
      if (e === 0 || p > limit) throw new InflateError('invalid or truncated code-length code');
      const sym = e >> 4;
      let length = sym;
      let repeat = 1;
      if (sym >= 16) {
        const extra = sym === 16 ? 2 : sym === 17 ? 3 : 7;
        repeat = (sym === 18 ? 11 : 3) + (peek(src, p) & ((1 << extra) - 1));
        p += extra;
        if (sym === 16 && i === 0) throw new InflateError('repeat with no first length');
        length = sym === 16 ? prev : 0;
      }
      if (i + repeat > nlen + ndist) throw new InflateError('too many code lengths');
      // Zero lengths are skipped: the codes keep only their symbols in use.
      if (length === 0) i += repeat;
      else
        for (const stop = i + repeat; i < stop; i++) {
          if (i >= nlen) dist.push(i - nlen, length);
          else {
            lit.push(i, length);
            if (i === 256) hasEndOfBlock = true;
          }
        }
      prev = length;
    }
    if (!hasEndOfBlock) throw new InflateError('no end-of-block code');
    this.litMask = lit.build(this.litTable);
    this.distMask = dist.build(this.distTable);
    return p;
  }

  private reserve(n: number): Uint8Array {
    if (n <= this.out.length) return this.out;
    const grown = new Uint8Array(Math.max(this.out.length * 2, n));
    grown.set(this.out);
    this.out = grown;
    return grown;
  }
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // Reduced every 5,552 bytes, as RFC 1950's reference does: the sums stay small integers.
    const stop = Math.min(bytes.length, i + 5_552);
    for (; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65_521;
    b %= 65_521;
  }
  return ((b << 16) | a) >>> 0;
}
