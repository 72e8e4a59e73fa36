import {
  COMPRESSION_ALGORITHMS,
  type CompressionAlgorithm,
  type Compressor,
} from '../../../ports/compressor';
import { CacheError } from './cache-error';

/**
 * A cached value with its metadata, and its byte form in the remote tiers.
 *
 *   ┌──────┬─────┬──────────────┬──────────────────────┬──────────────────────────────────┐
 *   │ "TL" │ v=1 │ u32 BE: hlen │ header JSON (hlen B) │ payload: JSON text or raw bytes, │
 *   │      │     │              │                      │ gzip/brotli when header.z is set │
 *   └──────┴─────┴──────────────┴──────────────────────┴──────────────────────────────────┘
 *
 * The header is JSON (readable with redis-cli, forward-compatible); the payload stays outside it so
 * compressed or binary values are not base64-inflated by a third, which would undo most of what
 * compression saves. Values are JSON data (`null` included; Date, Map and class instances come back
 * as what JSON.stringify made of them) or a Uint8Array/Buffer, stored as raw bytes and returned as a
 * Uint8Array. `undefined` is not a value: a loader returning it is not cached.
 */
export interface EntryMeta {
  /** Epoch ms when the value was loaded or set. */
  readonly createdAt: number;
  /** Logical expiry (epoch ms): fresh before, stale after. */
  readonly expiresAt: number;
  /** Epoch ms until which a stale value may still be served (≥ expiresAt); storage TTL ends here. */
  readonly graceUntil: number;
  readonly tags: readonly string[];
  /** Keys whose invalidation also invalidates this entry. */
  readonly dependsOn: readonly string[];
  /** How long the loader took (ms): XFetch's δ. */
  readonly loadMs: number;
  /** Bytes of the serialised value before compression. */
  readonly size: number;
}

export interface CacheEntry<T = unknown> extends EntryMeta {
  readonly value: T;
}

export type ValueKind = 'json' | 'bytes';

export interface SerializedValue {
  readonly kind: ValueKind;
  readonly payload: Uint8Array;
}

export interface CompressionSettings {
  readonly compressor: Compressor;
  readonly algorithm: CompressionAlgorithm;
  /** Payloads smaller than this are stored as they are. */
  readonly thresholdBytes: number;
}

export interface EncodedEntry {
  readonly bytes: Uint8Array;
  /** Payload bytes before and after compression (equal when not compressed). */
  readonly payloadBytes: number;
  readonly storedPayloadBytes: number;
  readonly algorithm: CompressionAlgorithm | undefined;
}

const MAGIC_T = 0x54;
const MAGIC_L = 0x4c;
const VERSION = 1;
const PREFIX_BYTES = 7;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function serializeValue(value: unknown): SerializedValue {
  if (value === undefined) {
    throw new CacheError('E_CACHE_INVALID_VALUE', 'undefined cannot be cached (use null for "no value")');
  }
  if (value instanceof Uint8Array) return { kind: 'bytes', payload: value };
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new CacheError('E_CACHE_INVALID_VALUE', `value is not JSON-serialisable: ${String(cause)}`, {
      cause,
    });
  }
  if (text === undefined) {
    throw new CacheError('E_CACHE_INVALID_VALUE', `a ${typeof value} is not JSON-serialisable`);
  }
  return { kind: 'json', payload: utf8.encode(text) };
}

export async function encodeEntry(
  meta: EntryMeta,
  value: SerializedValue,
  compression: CompressionSettings | undefined,
): Promise<EncodedEntry> {
  let payload = value.payload;
  let algorithm: CompressionAlgorithm | undefined;
  if (compression !== undefined && payload.byteLength >= compression.thresholdBytes) {
    const packed = await compression.compressor.compress(payload, compression.algorithm);
    // Already-compressed data (images, archives) grows a little; keep whichever is smaller.
    if (packed.byteLength < payload.byteLength) {
      payload = packed;
      algorithm = compression.algorithm;
    }
  }
  const header = utf8.encode(
    JSON.stringify({
      c: meta.createdAt,
      e: meta.expiresAt,
      g: meta.graceUntil,
      l: meta.loadMs,
      s: meta.size,
      k: value.kind,
      ...(algorithm === undefined ? {} : { z: algorithm }),
      ...(meta.tags.length === 0 ? {} : { t: meta.tags }),
      ...(meta.dependsOn.length === 0 ? {} : { d: meta.dependsOn }),
    }),
  );
  const bytes = new Uint8Array(PREFIX_BYTES + header.byteLength + payload.byteLength);
  bytes[0] = MAGIC_T;
  bytes[1] = MAGIC_L;
  bytes[2] = VERSION;
  new DataView(bytes.buffer).setUint32(3, header.byteLength);
  bytes.set(header, PREFIX_BYTES);
  bytes.set(payload, PREFIX_BYTES + header.byteLength);
  return { bytes, payloadBytes: value.payload.byteLength, storedPayloadBytes: payload.byteLength, algorithm };
}

export interface DecodedEntry {
  readonly entry: CacheEntry;
  /** Payload bytes as stored (compressed size when compressed). */
  readonly storedPayloadBytes: number;
}

/** Rejects (never returns garbage) on bytes that are not a whole, well-formed entry of this version. */
export async function decodeEntry(
  bytes: Uint8Array,
  compressor: Compressor | undefined,
): Promise<DecodedEntry> {
  if (bytes.byteLength < PREFIX_BYTES || bytes[0] !== MAGIC_T || bytes[1] !== MAGIC_L) {
    throw new Error('not a cache entry (bad magic)');
  }
  if (bytes[2] !== VERSION) throw new Error(`unsupported cache entry version ${String(bytes[2])}`);
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(3);
  if (PREFIX_BYTES + headerBytes > bytes.byteLength) throw new Error('truncated cache entry header');
  const h = JSON.parse(strictUtf8.decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes))) as Record<
    string,
    unknown
  >;
  const numbers = [h.c, h.e, h.g, h.l, h.s];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw new Error('cache entry header has missing or invalid times');
  }
  if (h.k !== 'json' && h.k !== 'bytes') throw new Error(`unknown value kind ${String(h.k)}`);
  const tags = stringList(h.t, 'tags');
  const dependsOn = stringList(h.d, 'dependsOn');
  let payload = bytes.subarray(PREFIX_BYTES + headerBytes);
  const storedPayloadBytes = payload.byteLength;
  if (h.z !== undefined) {
    if (!(COMPRESSION_ALGORITHMS as readonly unknown[]).includes(h.z)) {
      throw new Error(`unknown compression ${String(h.z)}`);
    }
    if (compressor === undefined)
      throw new Error(`entry is ${String(h.z)}-compressed but no compressor is set`);
    payload = await compressor.decompress(payload, h.z as CompressionAlgorithm);
  }
  const value = h.k === 'json' ? JSON.parse(strictUtf8.decode(payload)) : payload.slice();
  const entry: CacheEntry = {
    value,
    createdAt: h.c as number,
    expiresAt: h.e as number,
    graceUntil: h.g as number,
    loadMs: h.l as number,
    size: h.s as number,
    tags,
    dependsOn,
  };
  return { entry, storedPayloadBytes };
}

function stringList(value: unknown, what: string): readonly string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new Error(`cache entry header has invalid ${what}`);
}
