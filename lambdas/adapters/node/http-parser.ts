import type { ErrorKind } from '../../model/window';
import type { HttpResult } from '../../ports/http';
import { ParsedResult } from './http-response';

const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** Longest status line plus headers we read (nginx's and Node's defaults are 8-16 KiB; some CDNs send more). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size line (with extensions) or trailer line; Node's own parser allows 16 KiB of extensions. */
export const MAX_CHUNK_LINE_BYTES = 16 * 1024;
const HEAD_TOO_LARGE = `response headers larger than ${MAX_HEAD_BYTES} bytes`;
const CHUNK_LINE_TOO_LONG = `chunk-size or trailer line longer than ${MAX_CHUNK_LINE_BYTES} bytes`;
const bodyTooLarge = (max: number) => `response body larger than ${max} bytes (maxResponseBodyBytes)`;

enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

/**
 * Incremental HTTP/1.1 response parser: status line and headers, then a body delimited by
 * Content-Length, chunked encoding or the end of the connection. Body bytes are only copied when
 * the caller keeps the body; otherwise they are just counted.
 */
export class ResponseParser {
  bytes = 0;
  keepAlive = true;
  /**
   * Set when the response breaks a limit or its framing: push() then returns true and the caller
   * must close the connection (what follows on it cannot be trusted to start a response).
   */
  error: string | undefined;
  /** Head bytes that arrived over several reads, copied into one buffer that grows by doubling. */
  private head: Buffer | undefined;
  private headLength = 0;
  private keptBytes = 0;
  /** Status line and headers, kept as bytes: turned into a string only if someone reads headers. */
  private headBytes: Buffer = EMPTY;
  private status = 0;
  private mode = Body.None;
  private remaining = 0;
  private readonly chunks: Buffer[] = []; // emptied by reset()
  /** Chunked mode: unparsed bytes (a partial size line or trailer). */
  private pendingChunked: Buffer | undefined;
  private inChunkData = 0;
  private complete = false;

  private isHead = false;
  private keepBody = false;

  /** `maxBodyBytes`: the largest body kept for checks and captures; bodies only counted are not limited. */
  constructor(private readonly maxBodyBytes: number = Number.POSITIVE_INFINITY) {}

  /** Readies the parser for the next response on the same connection (no allocation per request). */
  reset(isHead: boolean, keepBody: boolean): this {
    this.isHead = isHead;
    this.keepBody = keepBody;
    this.bytes = 0;
    this.keepAlive = true;
    this.error = undefined;
    this.head = undefined;
    this.headLength = 0;
    this.keptBytes = 0;
    this.headBytes = EMPTY;
    this.status = 0;
    this.mode = Body.None;
    this.remaining = 0;
    this.chunks.length = 0;
    this.pendingChunked = undefined;
    this.inChunkData = 0;
    this.complete = false;
    return this;
  }

  /** Feeds bytes; true once the response is complete. */
  push(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.status === 0) {
      const found = this.findHead(chunk);
      if (found === undefined) return this.error !== undefined;
      const { buf, end } = found;
      this.parseHead(buf, end);
      if (this.error !== undefined) return true;
      if (this.status >= 100 && this.status < 200) {
        // Interim response (100 Continue): the real one follows.
        this.status = 0;
        if (end + 4 >= buf.length) return false;
        const rest = buf.subarray(end + 4);
        this.bytes -= rest.length; // push() counts them again
        return this.push(rest);
      }
      chunk = buf.subarray(end + 4);
      if (this.mode === Body.None) return this.finish(true);
    }
    switch (this.mode) {
      case Body.Length: {
        const take = Math.min(this.remaining, chunk.length);
        if (this.keepBody && take > 0 && !this.keep(chunk.subarray(0, take))) return true;
        this.remaining -= take;
        return this.finish(this.remaining === 0);
      }
      case Body.UntilClose:
        if (this.keepBody && chunk.length > 0 && !this.keep(chunk)) return true;
        return false;
      case Body.Chunked:
        return this.finish(this.chunked(chunk));
      default:
        return this.finish(true);
    }
  }

  /**
   * Looks for the end of the head, copying only when it spans reads (into a buffer that doubles, so
   * a head that trickles in costs linear copying) and searching only the bytes not yet searched.
   */
  private findHead(chunk: Buffer): { buf: Buffer; end: number } | undefined {
    if (!this.head) {
      const end = chunk.indexOf(CRLF2);
      if (end >= 0 && end + 4 <= MAX_HEAD_BYTES) return { buf: chunk, end };
      if (end >= 0 || chunk.length > MAX_HEAD_BYTES) {
        this.error = HEAD_TOO_LARGE;
        return undefined;
      }
      this.head = Buffer.allocUnsafe(Math.max(4096, chunk.length * 2));
    }
    const from = Math.max(0, this.headLength - 3);
    const needed = this.headLength + chunk.length;
    if (needed > this.head.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.head.length * 2));
      this.head.copy(grown, 0, 0, this.headLength);
      this.head = grown;
    }
    chunk.copy(this.head, this.headLength);
    this.headLength = needed;
    const buf = this.head.subarray(0, needed);
    const end = buf.indexOf(CRLF2, from);
    if (end >= 0 && end + 4 <= MAX_HEAD_BYTES) {
      this.head = undefined;
      this.headLength = 0;
      return { buf, end };
    }
    if (end >= 0 || needed > MAX_HEAD_BYTES) this.error = HEAD_TOO_LARGE;
    return undefined;
  }

  /** Keeps body bytes for checks and captures, unless that would pass the limit. */
  private keep(bytes: Buffer): boolean {
    this.keptBytes += bytes.length;
    if (this.keptBytes > this.maxBodyBytes) {
      this.chunks.length = 0;
      this.error = bodyTooLarge(this.maxBodyBytes);
      return false;
    }
    this.chunks.push(bytes);
    return true;
  }

  private finish(complete: boolean): boolean {
    this.complete = complete;
    return complete;
  }

  /** Reads the status and the framing headers straight from the bytes (no string per response). */
  private parseHead(buf: Buffer, end: number): void {
    this.headBytes = buf.subarray(0, end);
    const d = (i: number) => (buf[i] ?? 0) - 48;
    this.status = end >= 12 ? d(9) * 100 + d(10) * 10 + d(11) : 0;
    if (!(this.status >= 100 && this.status <= 999)) this.status = 0;
    const http10 = buf[7] === 0x30;
    let connection = '';
    let chunked = false;
    let length = -1;
    let at = buf.indexOf(13);
    while (at >= 0 && at < end) {
      const start = at + 2;
      let lineEnd = buf.indexOf(13, start);
      if (lineEnd < 0 || lineEnd > end) lineEnd = end;
      const first = (buf[start] ?? 0) | 0x20;
      if (first === 0x63 || first === 0x74) {
        if (nameIs(buf, start, CONTENT_LENGTH))
          length = Number(value(buf, start + CONTENT_LENGTH.length + 1, lineEnd));
        else if (nameIs(buf, start, CONNECTION))
          connection = value(buf, start + CONNECTION.length + 1, lineEnd).toLowerCase();
        else if (nameIs(buf, start, TRANSFER_ENCODING))
          chunked = value(buf, start + TRANSFER_ENCODING.length + 1, lineEnd)
            .toLowerCase()
            .includes('chunked');
      }
      at = lineEnd;
    }
    this.keepAlive = http10 ? connection.includes('keep-alive') : !connection.includes('close');
    if (
      this.isHead ||
      this.status === 204 ||
      this.status === 304 ||
      (this.status >= 100 && this.status < 200)
    )
      this.mode = Body.None;
    else if (chunked) this.mode = Body.Chunked;
    else if (length >= 0) {
      this.remaining = Number.isFinite(length) ? length : 0;
      // Known too big before a byte of it arrives: no need to read it to fail it.
      if (this.keepBody && this.remaining > this.maxBodyBytes) this.error = bodyTooLarge(this.maxBodyBytes);
      this.mode = this.remaining > 0 ? Body.Length : Body.None;
    } else {
      this.mode = Body.UntilClose;
      this.keepAlive = false;
    }
  }

  /** Consumes chunked body bytes; true after the last chunk and its trailers. */
  private chunked(chunk: Buffer): boolean {
    let buf = this.pendingChunked ? Buffer.concat([this.pendingChunked, chunk]) : chunk;
    this.pendingChunked = undefined;
    while (buf.length > 0) {
      if (this.inChunkData > 0) {
        const take = Math.min(this.inChunkData, buf.length);
        if (this.keepBody && !this.keep(buf.subarray(0, take))) return true;
        this.inChunkData -= take;
        buf = buf.subarray(take);
        continue;
      }
      const eol = buf.indexOf(CRLF);
      if (eol < 0) {
        if (buf.length > MAX_CHUNK_LINE_BYTES) {
          this.error = CHUNK_LINE_TOO_LONG;
          return true;
        }
        this.pendingChunked = buf;
        return false;
      }
      if (eol > MAX_CHUNK_LINE_BYTES) {
        this.error = CHUNK_LINE_TOO_LONG;
        return true;
      }
      if (this.remaining === -1) {
        // After the last chunk: trailer lines until an empty one.
        if (eol === 0) return true;
        buf = buf.subarray(eol + 2);
        continue;
      }
      if (eol === 0) {
        // CRLF that ends a chunk's data.
        buf = buf.subarray(2);
        continue;
      }
      const size = Number.parseInt(buf.toString('latin1', 0, eol), 16);
      if (!(size >= 0)) {
        this.error = 'invalid chunk size';
        return true;
      }
      buf = buf.subarray(eol + 2);
      if (size === 0) this.remaining = -1;
      else this.inChunkData = size;
    }
    return false;
  }

  endsAtClose(): boolean {
    return this.status !== 0 && this.mode === Body.UntilClose && !this.complete;
  }

  result(bytesOut: number): HttpResult {
    const { status } = this;
    const errorKind: ErrorKind | undefined =
      status >= 500 ? 'http_5xx' : status >= 400 ? 'http_4xx' : undefined;
    return new ParsedResult(
      status,
      this.headBytes,
      this.keepBody ? Buffer.concat(this.chunks).toString('utf8') : '',
      this.bytes,
      bytesOut,
      errorKind,
    );
  }
}

const EMPTY = Buffer.alloc(0);
const codes = (name: string) => Uint8Array.from(name, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = codes('content-length');
const CONNECTION = codes('connection');
const TRANSFER_ENCODING = codes('transfer-encoding');

/** Does the header line at `start` carry this (lower-case) name, compared case-insensitively? */
function nameIs(buf: Buffer, start: number, name: Uint8Array): boolean {
  if (buf[start + name.length] !== 0x3a) return false;
  for (let i = 0; i < name.length; i++) if (((buf[start + i] ?? 0) | 0x20) !== name[i]) return false;
  return true;
}

const value = (buf: Buffer, from: number, to: number): string => buf.toString('latin1', from, to).trim();
