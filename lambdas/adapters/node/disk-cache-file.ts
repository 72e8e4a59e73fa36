import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One disk-tier entry per file. The name is the SHA-256 of kind + key (fixed length, safe on every
 * file system whatever the key holds); the header carries what the name cannot give back: the key
 * (for deletePattern and to rule out a foreign file), the expiry and the payload length (a file
 * cut short by a crash is detected, not served).
 *
 *   0  u32  magic 'TLC1'          8  f64  expiresAt, epoch ms (0: never)
 *   4  u8   kind 'v' | 's'       16  u32  key length in bytes
 *   5  3 bytes reserved           20  u32  payload length in bytes
 *  24  key (UTF-8), then the payload: the value's bytes, or a set's members as a JSON array.
 */

/** `v`: a value; `s`: a set. Separate names, so a key and a set of the same name never collide. */
export type EntryKind = 'v' | 's';

export interface EntryHeader {
  readonly kind: EntryKind;
  readonly key: string;
  readonly expiresAt: number;
  readonly payloadBytes: number;
}

export const HEADER_BYTES = 24;
const MAGIC = 0x31434c54;
/** The payload length is a u32 in the header. */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;

export const ENTRY_NAME = /^[0-9a-f]{64}$/;
/** `<entry>.<pid>.<n>.tmp`: written, then renamed over the entry so readers never see half a file. */
export const TEMP_NAME = /^[0-9a-f]{64}\.\d+\.\d+\.tmp$/;

export function entryName(kind: EntryKind, key: string): string {
  return createHash('sha256').update(kind).update('\0').update(key).digest('hex');
}

/** The header and key bytes that precede a payload of `payloadBytes`. */
export function encodeHeader(h: EntryHeader): Buffer {
  const key = Buffer.from(h.key, 'utf8');
  const out = Buffer.alloc(HEADER_BYTES + key.length);
  out.writeUInt32LE(MAGIC, 0);
  out.write(h.kind, 4, 'latin1');
  out.writeDoubleLE(h.expiresAt, 8);
  out.writeUInt32LE(key.length, 16);
  out.writeUInt32LE(h.payloadBytes, 20);
  key.copy(out, HEADER_BYTES);
  return out;
}

/**
 * The header of a file of `fileBytes` whose first bytes are `head` (at least HEADER_BYTES + the key
 * length), or undefined when it is not one of ours or is truncated.
 */
export function decodeHeader(
  head: Buffer,
  fileBytes: number,
): (EntryHeader & { readonly payloadOffset: number }) | undefined {
  if (head.length < HEADER_BYTES || head.readUInt32LE(0) !== MAGIC) return undefined;
  const kind = head.toString('latin1', 4, 5);
  if (kind !== 'v' && kind !== 's') return undefined;
  const expiresAt = head.readDoubleLE(8);
  const keyBytes = head.readUInt32LE(16);
  const payloadBytes = head.readUInt32LE(20);
  const payloadOffset = HEADER_BYTES + keyBytes;
  if (!Number.isFinite(expiresAt) || head.length < payloadOffset) return undefined;
  if (payloadOffset + payloadBytes !== fileBytes) return undefined;
  const key = head.toString('utf8', HEADER_BYTES, payloadOffset);
  return { kind, key, expiresAt, payloadBytes, payloadOffset };
}

async function readHeader(
  handle: FileHandle,
  fileBytes: number,
): Promise<(EntryHeader & { readonly payloadOffset: number }) | undefined> {
  const fixed = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await handle.read(fixed, 0, HEADER_BYTES, 0);
  if (bytesRead < HEADER_BYTES || fixed.readUInt32LE(0) !== MAGIC) return undefined;
  const keyBytes = fixed.readUInt32LE(16);
  if (HEADER_BYTES + keyBytes > fileBytes) return undefined;
  const head = Buffer.alloc(HEADER_BYTES + keyBytes);
  fixed.copy(head);
  await handle.read(head, HEADER_BYTES, keyBytes, HEADER_BYTES);
  return decodeHeader(head, fileBytes);
}

/**
 * An entry file's header, size and modification time, reading only the header (the index rebuild
 * does not touch payloads); undefined when the file is unreadable, not ours, or not named by the
 * hash of what its header says.
 */
export async function readEntryFile(
  dir: string,
  file: string,
): Promise<
  (EntryHeader & { readonly file: string; readonly bytes: number; readonly mtimeMs: number }) | undefined
> {
  try {
    const handle = await open(join(dir, file), 'r');
    try {
      const { size, mtimeMs } = await handle.stat();
      const h = await readHeader(handle, size);
      if (!h || entryName(h.kind, h.key) !== file) return undefined;
      return {
        file,
        kind: h.kind,
        key: h.key,
        expiresAt: h.expiresAt,
        payloadBytes: h.payloadBytes,
        bytes: size,
        mtimeMs,
      };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
