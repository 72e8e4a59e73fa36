import net from 'node:net';
import tls from 'node:tls';
import type {
  ErrorKind,
  HttpClient,
  HttpRequest,
  HttpResult,
  HttpTransport,
  TransportOptions,
} from '../../ports/http';
import { classifyError, ResponseParser } from './http-parser';

/**
 * HTTP/1.1 over raw TCP/TLS sockets, one keep-alive connection per origin per VU. Written for us
 * rather than on undici or node:http because the generator's own cost is the product: request
 * bytes are serialized once per distinct request and the response parser does only what load
 * testing needs (ADR 001).
 */

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const encoded = new WeakMap<HttpRequest, Buffer>();

function serialize(req: HttpRequest): Buffer {
  let bytes = encoded.get(req);
  if (bytes) return bytes;
  const { url } = req;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  let head = `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  let userAgent = false;
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || lower === 'connection') continue;
    if (lower === 'user-agent') userAgent = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!userAgent) head += 'user-agent: throughline/0.1\r\n';
  if (body) head += `content-length: ${body.length}\r\n`;
  else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')
    head += 'content-length: 0\r\n';
  head += '\r\n';
  bytes = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
  encoded.set(req, bytes);
  return bytes;
}

const failure = (errorKind: ErrorKind, message: string, bytesOut = 0): HttpResult => ({
  status: 0,
  headers: EMPTY,
  body: '',
  bytesIn: 0,
  bytesOut,
  errorKind,
  errorMessage: message,
});

class Connection {
  readonly socket: net.Socket;
  connected = false;
  closed = false;
  private pending:
    | { resolve: (r: HttpResult) => void; parser: ResponseParser; bytesOut: number; timer: NodeJS.Timeout }
    | undefined;

  constructor(url: URL, options: TransportOptions, onClose: (c: Connection) => void) {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = Number(url.port || (secure ? 443 : 80));
    this.socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? '' : host,
          rejectUnauthorized: !options.insecureSkipTLSVerify,
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({ host, port });
    this.socket.setNoDelay(true);
    const connectTimer = setTimeout(
      () => this.fail(failure('timeout', `connect timeout after ${options.connectTimeoutMs}ms`)),
      options.connectTimeoutMs,
    );
    this.socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      clearTimeout(connectTimer);
    });
    this.socket.on('data', (chunk: Buffer) => {
      const p = this.pending;
      if (!p) return;
      const done = p.parser.push(chunk);
      if (done) this.finish(p.parser.result(p.bytesOut), !p.parser.keepAlive);
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      const kind = classifyError(err);
      this.fail(failure(kind, err.message));
    });
    this.socket.on('close', () => {
      clearTimeout(connectTimer);
      this.closed = true;
      const p = this.pending;
      // A body delimited by the end of the connection is complete when the connection closes.
      if (p?.parser.endsAtClose()) this.finish(p.parser.result(p.bytesOut), true);
      else this.fail(failure('reset', 'connection closed before the response was complete'));
      onClose(this);
    });
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  send(req: HttpRequest): Promise<HttpResult> {
    const bytes = serialize(req);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => this.fail(failure('timeout', `no complete response within ${req.timeoutMs}ms`, bytes.length)),
        req.timeoutMs,
      );
      this.pending = {
        resolve,
        parser: new ResponseParser(req.method === 'HEAD', req.keepBody),
        bytesOut: bytes.length,
        timer,
      };
      this.socket.write(bytes);
    });
  }

  private finish(result: HttpResult, close: boolean): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    if (close) this.destroy();
    p.resolve(result);
  }

  fail(result: HttpResult): void {
    const p = this.pending;
    this.destroy();
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve({ ...result, bytesOut: p.bytesOut, bytesIn: p.parser.bytes });
  }

  destroy(): void {
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
    }
  }
}

class NodeHttpClient implements HttpClient {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly options: TransportOptions) {}

  private connectionFor(url: URL): { conn: Connection; reused: boolean } {
    const key = url.origin;
    const existing = this.connections.get(key);
    if (existing && !existing.closed && !existing.busy) return { conn: existing, reused: true };
    const conn = new Connection(url, this.options, (c) => {
      if (this.connections.get(key) === c) this.connections.delete(key);
    });
    // A VU sends one request at a time, so a busy connection here means an abandoned one.
    existing?.destroy();
    this.connections.set(key, conn);
    return { conn, reused: false };
  }

  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResult> {
    if (signal?.aborted) return failure('other', 'aborted');
    for (let attempt = 0; ; attempt++) {
      const { conn, reused } = this.connectionFor(req.url);
      const onAbort = () => conn.fail(failure('other', 'aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const result = await conn.send(req);
      signal?.removeEventListener('abort', onAbort);
      // The server closed an idle keep-alive connection just as we reused it: resend once, fresh.
      const stale = reused && attempt === 0 && result.errorKind === 'reset' && result.bytesIn === 0;
      if (stale && !signal?.aborted) continue;
      return result;
    }
  }

  close(): void {
    for (const c of this.connections.values()) c.destroy();
    this.connections.clear();
  }
}

export function createNodeTransport(options: TransportOptions): HttpTransport {
  return { createClient: () => new NodeHttpClient(options) };
}
