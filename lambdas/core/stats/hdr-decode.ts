import { ThroughlineError } from '../../model/errors';
import { COUNTS_LENGTH, LOWEST_US, SIGNIFICANT_DIGITS } from './hdr-layout';
import { Inflater } from './inflate';

/**
 * Reads the standard compressed V2 HdrHistogram encoding (what any HdrHistogram writes with
 * encodeIntoCompressedBase64) straight into (index, count) pairs: base64 → 8-byte cookie and
 * length → zlib → 40-byte V2 header → ZigZag LEB128 counts, negative ones being runs of zeros.
 * No counts array is built: a window of a few hundred samples costs a few hundred steps, not the
 * 23,552 of a full-range histogram. Format and checks as in hdr-histogram-js (encoding.js,
 * JsHistogram.encoding.js).
 */

export class HistogramEncodingError extends ThroughlineError {
  constructor(message: string, cause?: unknown) {
    super('E_HISTOGRAM_ENCODING', `not a V2 HdrHistogram encoding of 1 µs, 3 digits: ${message}`, {
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'HistogramEncodingError';
  }
}

const COMPRESSED_COOKIE_BASE = 0x1c849304;
const COOKIE_BASE = 0x1c849303;
const HEADER_BYTES = 40;

/** Where decoded pairs go: ascending indexes, each with a count > 0; reused from one decode to the next. */
export interface BucketPairs {
  indexes: Uint16Array;
  counts: Float64Array;
  length: number;
}

export const newPairs = (capacity = 1_024): BucketPairs => ({
  indexes: new Uint16Array(capacity),
  counts: new Float64Array(capacity),
  length: 0,
});

const BASE64 = new Int16Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  BASE64[c.charCodeAt(0)] = i;

let bytes = new Uint8Array(1_024);
const inflater = new Inflater();

/** Standard base64 (padding optional, as base64-js reads it) into the shared byte buffer; returns its length. */
function fromBase64(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const n = Math.floor((end * 3) / 4);
  if (bytes.length < n) bytes = new Uint8Array(n * 2);
  const sextet = (i: number) => {
    const c = text.charCodeAt(i);
    const v = c < 128 ? BASE64[c]! : -1;
    if (v < 0) throw new HistogramEncodingError(`invalid base64 character at ${i}`);
    return v;
  };
  let out = 0;
  let i = 0;
  // Four characters, three bytes at a time; then the one or two bytes of a padded end.
  for (const whole = end - (end % 4); i < whole; i += 4) {
    const v = (sextet(i) << 18) | (sextet(i + 1) << 12) | (sextet(i + 2) << 6) | sextet(i + 3);
    bytes[out++] = v >> 16;
    bytes[out++] = (v >> 8) & 0xff;
    bytes[out++] = v & 0xff;
  }
  const rest = end - i;
  if (rest === 1) throw new HistogramEncodingError('base64 cut short');
  if (rest >= 2) {
    const v = (sextet(i) << 18) | (sextet(i + 1) << 12) | (rest === 3 ? sextet(i + 2) << 6 : 0);
    bytes[out++] = v >> 16;
    if (rest === 3) bytes[out++] = (v >> 8) & 0xff;
  }
  return out;
}

const int32 = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const int64 = (b: Uint8Array, at: number) => int32(b, at) * 2 ** 32 + int32(b, at + 4);

/** Decodes `encoded` into `into` (replacing what it held); returns the total count. */
export function decodePairs(encoded: string, into: BucketPairs): number {
  into.length = 0;
  const n = fromBase64(encoded.trim());
  if (n < 8 || (int32(bytes, 0) & ~0xf0) !== COMPRESSED_COOKIE_BASE)
    throw new HistogramEncodingError('no compressed V2 cookie');
  const end = 8 + int32(bytes, 4);
  if (end > n) throw new HistogramEncodingError('compressed length beyond the data');
  let raw: Uint8Array;
  try {
    raw = inflater.inflate(bytes, 8, end);
  } catch (err) {
    throw new HistogramEncodingError('corrupt zlib stream', err);
  }
  if (raw.length < HEADER_BYTES || (int32(raw, 0) & ~0xf0) !== COOKIE_BASE)
    throw new HistogramEncodingError('no V2 cookie');
  // Another lowest value or precision is another bucket layout: its indexes would mean other values.
  if (int32(raw, 12) !== SIGNIFICANT_DIGITS || int64(raw, 16) !== LOWEST_US)
    throw new HistogramEncodingError(`${int32(raw, 12)} digits from ${int64(raw, 16)}`);
  const stop = HEADER_BYTES + int32(raw, 4);
  if (stop > raw.length) throw new HistogramEncodingError('payload beyond the data');
  return readCounts(raw, HEADER_BYTES, stop, into);
}

function readCounts(raw: Uint8Array, from: number, stop: number, into: BucketPairs): number {
  let { indexes, counts } = into;
  let length = 0;
  let total = 0;
  let index = 0;
  let at = from;
  while (at < stop) {
    // LEB128-64b9B: 7 bits a byte, little end first; the ninth byte's 7 low bits as hdr-histogram-js reads them.
    let b = raw[at++]!;
    let v = b & 0x7f;
    for (let scale = 128; b & 0x80 && scale <= 2 ** 56; scale *= 128) {
      if (at >= stop) throw new HistogramEncodingError('count cut short');
      b = raw[at++]!;
      v += (b & 0x7f) * scale;
    }
    // ZigZag: even values are counts, odd ones -(v + 1) / 2, a run of that many zero counts.
    if (v % 2 === 1) {
      index += (v + 1) / 2;
      continue;
    }
    const count = v / 2;
    if (count > 0) {
      if (index >= COUNTS_LENGTH) throw new HistogramEncodingError(`index ${index} beyond 1 hour`);
      if (length === indexes.length) {
        const grownI = new Uint16Array(length * 2);
        const grownC = new Float64Array(length * 2);
        grownI.set(indexes);
        grownC.set(counts);
        indexes = into.indexes = grownI;
        counts = into.counts = grownC;
      }
      indexes[length] = index;
      counts[length++] = count;
      total += count;
    }
    index++;
  }
  into.length = length;
  return total;
}
