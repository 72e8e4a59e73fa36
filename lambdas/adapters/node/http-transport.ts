import { setMaxListeners } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { DEFAULT_MAX_RESPONSE_BODY_BYTES } from '../../model/defaults';
import { ThroughlineError } from '../../model/errors';
import type { ErrorKind } from '../../model/window';
import type { HttpClient, HttpRequest, HttpResult, HttpTransport, TransportOptions } from '../../ports/http';
import { type AddressCheck, guardedLookup, refusedLiteral } from './address-guard';
import { Deadlines } from './http-deadlines';
import { classifyError } from './http-errors';
import { ResponseParser } from './http-parser';

export interface NodeTransportOptions extends TransportOptions {
  /** Allow-list check applied to every address dialled (platform runs). */
  readonly addressCheck?: AddressCheck;
}

/**
 * HTTP/1.1 over raw TCP/TLS sockets, one keep-alive connection per origin per VU. Written for us
 * rather than on undici or node:http because the generator's own cost is the product: request
 * bytes are serialized once per distinct request and the response parser does only what load
 * testing needs (ADR 001).
 */

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
/** Wire bytes and connection key of each distinct request object, computed once. */
interface Encoded {
  readonly bytes: Buffer;
  readonly origin: string;
}
const encoded = new WeakMap<HttpRequest, Encoded>();

function encode(req: HttpRequest): Encoded {
  let e = encoded.get(req);
  if (!e) {
    e = { bytes: serialize(req), origin: req.url.origin };
    encoded.set(req, e);
  }
  return e;
}

/** Thrown by serialize() for a request it will not write; send() turns it into a failed request. */
class UnwritableRequestError extends ThroughlineError {
  declare readonly code: 'E_UNWRITABLE_REQUEST';
  constructor(message: string) {
    super('E_UNWRITABLE_REQUEST', message);
    this.name = 'UnwritableRequestError';
  }
}

/**
 * A CR or LF would end the header line early and start another the definition never had (a second
 * Host, a smuggled request). Validation and request building refuse them first; this is the last line.
 */
const LINE_BREAK = /[\r\n]/;

function serialize(req: HttpRequest): Buffer {
  const { url } = req;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  let head = `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  let userAgent = false;
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (
      lower === 'host' ||
      lower === 'content-length' ||
      lower === 'connection' ||
      lower === 'transfer-encoding'
    )
      continue;
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value))
      throw new UnwritableRequestError(`header ${JSON.stringify(name)} contains a line break; not sent`);
    if (lower === 'user-agent') userAgent = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!userAgent) head += 'user-agent: throughline/0.1\r\n';
  if (body) head += `content-length: ${body.length}\r\n`;
  else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')
    head += 'content-length: 0\r\n';
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

const failure = (errorKind: ErrorKind, message: string): HttpResult => ({
  status: 0,
  headers: EMPTY,
  body: '',
  bytesIn: 0,
  bytesOut: 0,
  errorKind,
  errorMessage: message,
});

class Connection {
  readonly socket: net.Socket;
  connected = false;
  closed = false;
  /** performance.now() by which the current phase (connect, or the response) must complete. */
  deadline = Number.POSITIVE_INFINITY;
  /** The request in flight (one at a time: a VU waits for its response). */
  private resolve: ((r: HttpResult) => void) | undefined;
  private bytesOut = 0;
  private timeoutMs = 0;
  private readonly parser: ResponseParser;

  constructor(
    url: URL,
    private readonly options: NodeTransportOptions,
    private readonly deadlines: Deadlines,
    onClose: (c: Connection) => void,
  ) {
    this.parser = new ResponseParser(options.maxResponseBodyBytes ?? DEFAULT_MAX_RESPONSE_BODY_BYTES);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = Number(url.port || (secure ? 443 : 80));
    const refused =
      options.addressCheck && net.isIP(host) ? refusedLiteral(options.addressCheck, host) : undefined;
    const lookup = options.addressCheck ? guardedLookup(options.addressCheck) : undefined;
    if (refused) {
      this.socket = new net.Socket();
      process.nextTick(() => this.socket.destroy(refused));
    } else
      this.socket = secure
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? '' : host,
            rejectUnauthorized: !options.insecureSkipTLSVerify,
            ALPNProtocols: ['http/1.1'],
            ...(lookup ? { lookup } : {}),
          })
        : net.connect({ host, port, ...(lookup ? { lookup } : {}) });
    this.socket.setNoDelay(true);
    this.deadline = performance.now() + options.connectTimeoutMs;
    deadlines.add(this);
    this.socket.once(secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.deadline = this.resolve ? performance.now() + this.timeoutMs : Number.POSITIVE_INFINITY;
    });
    this.socket.on('data', (chunk: Buffer) => {
      if (!this.resolve || !this.parser.push(chunk)) return;
      // Over a limit or badly framed: fail it and close, as the rest of the stream is unreadable.
      if (this.parser.error !== undefined) this.fail(failure('other', this.parser.error));
      else this.finish(this.parser.result(this.bytesOut), !this.parser.keepAlive);
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(failure(classifyError(err), err.message)),
    );
    this.socket.on('close', () => {
      this.closed = true;
      deadlines.delete(this);
      // A body delimited by the end of the connection is complete when the connection closes.
      if (this.resolve && this.parser.endsAtClose()) this.finish(this.parser.result(this.bytesOut), true);
      else this.fail(failure('reset', 'connection closed before the response was complete'));
      onClose(this);
    });
  }

  get busy(): boolean {
    return this.resolve !== undefined;
  }

  expire(): void {
    if (!this.connected)
      this.fail(failure('timeout', `connect timeout after ${this.options.connectTimeoutMs}ms`));
    else if (this.resolve) this.fail(failure('timeout', `no complete response within ${this.timeoutMs}ms`));
  }

  send(req: HttpRequest, bytes: Buffer, resolve: (r: HttpResult) => void): void {
    this.resolve = resolve;
    this.parser.reset(req.method === 'HEAD', req.keepBody);
    this.bytesOut = bytes.length;
    this.timeoutMs = req.timeoutMs;
    // While connecting, the connect deadline stands; the response deadline starts once connected.
    if (this.connected) this.deadline = performance.now() + req.timeoutMs;
    this.socket.write(bytes);
  }

  private finish(result: HttpResult, close: boolean): void {
    const resolve = this.resolve;
    if (!resolve) return;
    this.resolve = undefined;
    this.deadline = Number.POSITIVE_INFINITY;
    if (close) this.destroy();
    resolve(result);
  }

  fail(result: HttpResult): void {
    const resolve = this.resolve;
    this.destroy();
    if (!resolve) return;
    this.resolve = undefined;
    resolve({ ...result, bytesOut: this.bytesOut, bytesIn: this.parser.bytes });
  }

  destroy(): void {
    if (!this.closed) {
      this.closed = true;
      this.deadlines.delete(this);
      this.socket.destroy();
    }
  }
}

class NodeHttpClient implements HttpClient {
  private readonly connections = new Map<string, Connection>();
  private current: Connection | undefined;
  /** The signal we listen to: iterations usually share one, so the listener is added once, not per request. */
  private signal: AbortSignal | undefined;
  private readonly onAbort = () => this.current?.fail(failure('other', 'aborted'));

  constructor(
    private readonly options: NodeTransportOptions,
    private readonly deadlines: Deadlines,
  ) {}

  private connectionFor(url: URL, key: string): { conn: Connection; reused: boolean } {
    const existing = this.connections.get(key);
    if (existing && !existing.closed && !existing.busy) return { conn: existing, reused: true };
    const conn = new Connection(url, this.options, this.deadlines, (c) => {
      if (this.connections.get(key) === c) this.connections.delete(key);
    });
    // A VU sends one request at a time, so a busy connection here means an abandoned one.
    existing?.destroy();
    this.connections.set(key, conn);
    return { conn, reused: false };
  }

  private listen(signal: AbortSignal | undefined): void {
    if (signal === this.signal) return;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = signal;
    if (!signal) return;
    // Every VU of a scenario listens to the scenario's one signal: many listeners are expected.
    setMaxListeners(0, signal);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResult> {
    if (signal?.aborted) return Promise.resolve(failure('other', 'aborted'));
    this.listen(signal);
    let bytes: Buffer;
    let origin: string;
    try {
      ({ bytes, origin } = encode(req));
    } catch (err) {
      if (!(err instanceof UnwritableRequestError)) throw err;
      return Promise.resolve(failure('other', err.message));
    }
    // Callbacks inside, one promise per request: this is the generator's hot path.
    return new Promise((resolve) => {
      const attempt = (first: boolean) => {
        const { conn, reused } = this.connectionFor(req.url, origin);
        this.current = conn;
        conn.send(req, bytes, (result) => {
          this.current = undefined;
          // The server closed an idle keep-alive connection just as we reused it: resend once, fresh.
          const stale = reused && first && result.errorKind === 'reset' && result.bytesIn === 0;
          if (stale && !signal?.aborted) attempt(false);
          else resolve(result);
        });
      };
      attempt(true);
    });
  }

  close(): void {
    this.listen(undefined);
    for (const c of this.connections.values()) c.destroy();
    this.connections.clear();
  }
}

export function createNodeTransport(options: NodeTransportOptions): HttpTransport {
  const deadlines = new Deadlines();
  return { createClient: () => new NodeHttpClient(options, deadlines) };
}
