import type { ErrorKind, HttpResult } from '../../ports/http';

const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
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
  private head: Buffer | undefined;
  private headText = '';
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

  /** Readies the parser for the next response on the same connection (no allocation per request). */
  reset(isHead: boolean, keepBody: boolean): this {
    this.isHead = isHead;
    this.keepBody = keepBody;
    this.bytes = 0;
    this.keepAlive = true;
    this.head = undefined;
    this.headText = '';
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
      const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(CRLF2);
      if (end < 0) {
        this.head = buf;
        return false;
      }
      this.head = undefined;
      this.parseHead(buf.toString('latin1', 0, end));
      if (this.status >= 100 && this.status < 200) {
        // Interim response (100 Continue): the real one follows.
        this.status = 0;
        return end + 4 < buf.length ? this.push(buf.subarray(end + 4)) : false;
      }
      chunk = buf.subarray(end + 4);
      if (this.mode === Body.None) return this.finish(true);
    }
    switch (this.mode) {
      case Body.Length: {
        const take = Math.min(this.remaining, chunk.length);
        if (this.keepBody && take > 0) this.chunks.push(chunk.subarray(0, take));
        this.remaining -= take;
        return this.finish(this.remaining === 0);
      }
      case Body.UntilClose:
        if (this.keepBody && chunk.length > 0) this.chunks.push(chunk);
        return false;
      case Body.Chunked:
        return this.finish(this.chunked(chunk));
      default:
        return this.finish(true);
    }
  }

  private finish(complete: boolean): boolean {
    this.complete = complete;
    return complete;
  }

  private parseHead(text: string): void {
    // Only the few headers that frame the message are read here; the rest are parsed on demand.
    this.headText = text;
    const lower = text.toLowerCase();
    this.status = Number(text.slice(9, 12)) || 0;
    const connection = headerIn(text, lower, 'connection')?.toLowerCase() ?? '';
    this.keepAlive = text.startsWith('HTTP/1.0')
      ? connection.includes('keep-alive')
      : !connection.includes('close');
    const te = headerIn(text, lower, 'transfer-encoding');
    const cl = headerIn(text, lower, 'content-length');
    if (
      this.isHead ||
      this.status === 204 ||
      this.status === 304 ||
      (this.status >= 100 && this.status < 200)
    )
      this.mode = Body.None;
    else if (te?.toLowerCase().includes('chunked')) this.mode = Body.Chunked;
    else if (cl !== undefined) {
      this.remaining = Number(cl) || 0;
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
        if (this.keepBody) this.chunks.push(buf.subarray(0, take));
        this.inChunkData -= take;
        buf = buf.subarray(take);
        continue;
      }
      const eol = buf.indexOf(CRLF);
      if (eol < 0) {
        this.pendingChunked = buf;
        return false;
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
      buf = buf.subarray(eol + 2);
      if (size === 0) this.remaining = -1;
      else this.inChunkData = Number.isFinite(size) ? size : 0;
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
      this.headText,
      this.keepBody ? Buffer.concat(this.chunks).toString('utf8') : '',
      this.bytes,
      bytesOut,
      errorKind,
    );
  }
}

/** A response whose headers are parsed only if someone reads them (checks, captures). */
class ParsedResult implements HttpResult {
  private parsed: Record<string, string> | undefined;
  readonly errorKind?: ErrorKind;
  constructor(
    readonly status: number,
    private readonly headText: string,
    readonly body: string,
    readonly bytesIn: number,
    readonly bytesOut: number,
    errorKind: ErrorKind | undefined,
  ) {
    if (errorKind) this.errorKind = errorKind;
  }
  get headers(): Record<string, string> {
    this.parsed ??= parseHeaders(this.headText);
    return this.parsed;
  }
}

/** The value of one header (first occurrence), found in the lower-cased head text. */
function headerIn(text: string, lower: string, name: string): string | undefined {
  const at = lower.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const from = at + name.length + 3;
  const end = text.indexOf('\r\n', from);
  return text.slice(from, end < 0 ? text.length : end).trim();
}

/** All headers, names lower-cased; repeated headers joined with ", ". */
export function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|EPROTO|HOSTNAME/;

/** Maps a socket error to the kinds a report counts. */
export function classifyError(err: NodeJS.ErrnoException): ErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL')
    return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (TLS_ERROR.test(code) || TLS_ERROR.test(err.message)) return 'tls';
  return 'other';
}
