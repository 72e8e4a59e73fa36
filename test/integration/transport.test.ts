import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTransport } from '../../lambdas/adapters/node/http-transport';
import type { HttpRequest, HttpTransport } from '../../lambdas/ports/http';
import { startHttp, startHttps, startRawHttp, type TestServer, writeForever } from '../helpers/http-servers';
import { freePort } from '../helpers/processes';

// The HTTP/1.1 transport against real loopback servers: framing, keep-alive, timeouts, TLS, and
// every error kind a report counts.

const transport: HttpTransport = createNodeTransport({
  connectTimeoutMs: 2_000,
  insecureSkipTLSVerify: false,
});
const request = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'GET',
  url: new URL(url),
  headers: {},
  timeoutMs: 2_000,
  keepBody: true,
  ...extra,
});

let server: TestServer;
let connections = 0;
beforeAll(async () => {
  server = await startHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-trace': 'abc' });
      res.write('hello ');
      setTimeout(() => res.end('world'), 20);
    } else if (url.pathname === '/close') {
      res.writeHead(200, { connection: 'close', 'content-length': '2' });
      res.end('ok');
    } else if (url.pathname === '/hang') {
      // never answers
    } else if (url.pathname === '/reset') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 10);
    } else if (url.pathname === '/echo') {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () =>
        res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] })),
      );
    } else if (url.pathname === '/continue') {
      res.writeContinue();
      res.end('after continue');
    } else if (url.pathname === '/status') {
      res.writeHead(Number(url.searchParams.get('code')));
      res.end();
    } else res.end('plain');
  });
  server.server.on('connection', () => {
    connections++;
  });
});
afterAll(() => server.close());

describe('node HTTP transport', () => {
  it('reads chunked bodies and headers, and keeps the connection alive', async () => {
    const client = transport.createClient();
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const r = await client.send(request(`${server.url}/chunked`));
      expect(r.status).toBe(200);
      expect(r.body).toBe('hello world');
      expect(r.headers['x-trace']).toBe('abc');
      expect(r.errorKind).toBeUndefined();
    }
    expect(connections - before).toBe(1);
    client.close();
  });

  it('opens a new connection after "connection: close"', async () => {
    const client = transport.createClient();
    const before = connections;
    for (let i = 0; i < 3; i++) expect((await client.send(request(`${server.url}/close`))).body).toBe('ok');
    expect(connections - before).toBe(3);
    client.close();
  });

  it('skips a 100 Continue and counts its bytes once', async () => {
    const client = transport.createClient();
    const r = await client.send(request(`${server.url}/continue`));
    expect(r).toMatchObject({ status: 200, body: 'after continue' });
    // "HTTP/1.1 100 Continue\r\n\r\n" (25 bytes) + the real response, each counted once; the
    // two responses differ by their bodies and one digit of Content-Length ("14" against "5").
    const real = await client.send(request(`${server.url}/`));
    expect(r.bytesIn - real.bytesIn).toBe(25 + 'after continue'.length - 'plain'.length + 1);
    client.close();
  });

  it('sends bodies with their length', async () => {
    const client = transport.createClient();
    const r = await client.send(
      request(`${server.url}/echo`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(JSON.parse(r.body)).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json' });
    expect(r.bytesOut).toBeGreaterThan(7);
    client.close();
  });

  it('classifies 4xx, 5xx, timeouts, resets and refused connections', async () => {
    const client = transport.createClient();
    expect((await client.send(request(`${server.url}/status?code=404`))).errorKind).toBe('http_4xx');
    expect((await client.send(request(`${server.url}/status?code=503`))).errorKind).toBe('http_5xx');
    const started = performance.now();
    const hang = await client.send(request(`${server.url}/hang`, { timeoutMs: 300 }));
    expect(hang).toMatchObject({ status: 0, errorKind: 'timeout' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await client.send(request(`${server.url}/reset`))).errorKind).toBe('reset');
    const closedPort = await freePort();
    expect((await client.send(request(`http://127.0.0.1:${closedPort}/`))).errorKind).toBe('refused');
    // After every failure the client still works.
    expect((await client.send(request(`${server.url}/`))).body).toBe('plain');
    client.close();
  });

  it('resends once when the server closed an idle keep-alive connection', async () => {
    const client = transport.createClient();
    expect((await client.send(request(`${server.url}/`))).status).toBe(200);
    server.server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 50));
    const r = await client.send(request(`${server.url}/`));
    expect(r.status).toBe(200);
    expect(r.errorKind).toBeUndefined();
    client.close();
  });

  it('interrupts a request when its signal aborts', async () => {
    const client = transport.createClient();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const r = await client.send(request(`${server.url}/hang`, { timeoutMs: 10_000 }), abort.signal);
    expect(r.status).toBe(0);
    expect(r.errorMessage).toBe('aborted');
    client.close();
  });

  it('speaks TLS, refusing a self-signed certificate unless told to skip verification', async () => {
    const tls = await startHttps((_req, res) => res.end('secure'));
    try {
      const strict = transport.createClient();
      expect((await strict.send(request(`${tls.url}/`))).errorKind).toBe('tls');
      strict.close();
      const lax = createNodeTransport({
        connectTimeoutMs: 2_000,
        insecureSkipTLSVerify: true,
      }).createClient();
      const r = await lax.send(request(`${tls.url}/`));
      expect(r).toMatchObject({ status: 200, body: 'secure' });
      lax.close();
    } finally {
      await tls.close();
    }
  });
});

// Issue item 6, defense in depth: whatever reaches the transport, it never writes a header line
// holding CR or LF (validation and request building refuse them first).
describe('node HTTP transport: header injection', () => {
  it('refuses to send a header whose name or value holds a line break, and never writes it', async () => {
    const raw = await startRawHttp((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    try {
      const client = transport.createClient();
      for (const headers of [
        { 'x-a': 'v\r\nHost: evil.test' },
        { 'x-a\r\nHost': 'evil.test' },
        { 'x-a': 'v\nx' },
      ]) {
        const r = await client.send(request(`${raw.url}/`, { headers }));
        expect(r).toMatchObject({ status: 0, errorKind: 'other' });
        expect(r.errorMessage).toMatch(/line break/);
      }
      expect(raw.stats.accepted).toBe(0);
      expect(raw.stats.received).toBe('');
      // A Transfer-Encoding of the caller's would contradict the Content-Length we send: dropped.
      const ok = await client.send(
        request(`${raw.url}/`, { method: 'POST', body: 'x', headers: { 'Transfer-Encoding': 'chunked' } }),
      );
      expect(ok.status).toBe(200);
      expect(raw.stats.received.toLowerCase()).not.toContain('transfer-encoding');
      expect(raw.stats.received.match(/^host:/gim)).toHaveLength(1);
      client.close();
    } finally {
      await raw.close();
    }
  });
});

// Issue item 8: a target (or anything between) must not make a VU buffer without bound. Each case
// would otherwise run into the 5 s request timeout (or the machine's memory); the limits answer at once.
describe('node HTTP transport: response limits', () => {
  const HEAD = 'HTTP/1.1 200 OK\r\n';
  /** Sends one request that the limit must fail, then checks the connection was closed and the client goes on. */
  async function overLimit(
    respond: Parameters<typeof startRawHttp>[0],
    message: RegExp,
    options: { keepBody?: boolean; maxResponseBodyBytes?: number } = {},
  ) {
    const raw = await startRawHttp(respond);
    const t = createNodeTransport({
      connectTimeoutMs: 2_000,
      insecureSkipTLSVerify: false,
      ...(options.maxResponseBodyBytes === undefined
        ? {}
        : { maxResponseBodyBytes: options.maxResponseBodyBytes }),
    });
    const client = t.createClient();
    try {
      const started = performance.now();
      const r = await client.send(
        request(`${raw.url}/`, { timeoutMs: 5_000, keepBody: options.keepBody ?? true }),
      );
      expect(r).toMatchObject({ status: 0, errorKind: 'other', body: '' });
      expect(r.errorMessage).toMatch(message);
      expect(performance.now() - started).toBeLessThan(4_000);
      // The client closed the connection (the server sees it a moment later).
      for (let i = 0; i < 100 && raw.stats.closed === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(raw.stats).toMatchObject({ accepted: 1, closed: 1 });
      // The VU goes on: its next request, on a fresh connection, is answered normally.
      expect((await client.send(request(`${server.url}/`))).body).toBe('plain');
      return r;
    } finally {
      client.close();
      await raw.close();
    }
  }

  it('fails an endless header at 64 KiB', async () => {
    const r = await overLimit((socket) => {
      socket.write(HEAD);
      writeForever(socket, Buffer.from(`x-pad: ${'a'.repeat(1_000)}\r\n`));
    }, /response headers larger than 65536 bytes/);
    expect(r.bytesIn).toBeLessThan(1024 * 1024);
  });

  it('fails a head that ends past 64 KiB even when it arrives in one piece', async () => {
    await overLimit(
      (socket) => socket.end(`${HEAD}x-pad: ${'a'.repeat(70_000)}\r\ncontent-length: 0\r\n\r\n`),
      /response headers larger than 65536 bytes/,
    );
  });

  it('fails an endless chunk-size line', async () => {
    await overLimit((socket) => {
      socket.write(`${HEAD}transfer-encoding: chunked\r\n\r\n`);
      writeForever(socket, Buffer.from('1'.repeat(4_096)));
    }, /chunk-size or trailer line longer than 16384 bytes/);
  });

  it('fails a chunked body past maxResponseBodyBytes when it is kept, and closes the connection', async () => {
    const piece = Buffer.from(`4000\r\n${'b'.repeat(0x4000)}\r\n`);
    await overLimit((socket) => {
      socket.write(`${HEAD}transfer-encoding: chunked\r\n\r\n`);
      writeForever(socket, piece);
    }, /response body larger than 4194304 bytes \(maxResponseBodyBytes\)/);
  });

  it('fails a body past a configured limit, by its Content-Length or as it streams until close', async () => {
    await overLimit(
      (socket) => socket.write(`${HEAD}content-length: 2000\r\n\r\n`),
      /response body larger than 1000 bytes/,
      { maxResponseBodyBytes: 1_000 },
    );
    await overLimit(
      (socket) => socket.write(`${HEAD}connection: close\r\n\r\n${'c'.repeat(1_500)}`),
      /response body larger than 1000 bytes/,
      { maxResponseBodyBytes: 1_000 },
    );
  });

  it('keeps a body at the limit, and only counts (never limits) bodies nothing reads', async () => {
    const body = 'd'.repeat(1_000);
    const raw = await startRawHttp((socket) => {
      socket.write(`${HEAD}content-length: ${body.length}\r\n\r\n${body}`);
    });
    const big = 6 * 1024 * 1024;
    const huge = await startRawHttp((socket) => {
      socket.write(`${HEAD}content-length: ${big}\r\n\r\n`);
      socket.end(Buffer.alloc(big, 0x65));
    });
    const client = createNodeTransport({
      connectTimeoutMs: 2_000,
      insecureSkipTLSVerify: false,
      maxResponseBodyBytes: 1_000,
    }).createClient();
    try {
      expect(await client.send(request(`${raw.url}/`))).toMatchObject({ status: 200, body });
      const counted = await client.send(request(`${huge.url}/`, { keepBody: false, timeoutMs: 5_000 }));
      expect(counted).toMatchObject({ status: 200, body: '' });
      expect(counted.errorKind).toBeUndefined();
      expect(counted.bytesIn).toBeGreaterThan(big);
    } finally {
      client.close();
      await raw.close();
      await huge.close();
    }
  });
});
