import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small shop API that ships with Throughline so every example has something to load on
 * loopback. It can also stall completely for a while at regular intervals, to show what
 * coordinated omission does to other tools' numbers.
 */

export interface DemoTargetOptions {
  readonly port: number;
  readonly host: string;
  /** Every `stallEveryMs`, stop answering for `stallForMs` (0: never). */
  readonly stallEveryMs: number;
  readonly stallForMs: number;
  /** Added to every response of /api/*. */
  readonly delayMs: number;
}

const PRODUCTS = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  name: `Product ${i + 1}`,
  price: 5 + i * 3,
}));
const PRODUCTS_JSON = JSON.stringify(PRODUCTS);

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_000_000) parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

export function createDemoTarget(o: DemoTargetOptions): Server {
  const startedAt = Date.now();
  /** ms until the current stall ends (0 when not stalled). */
  const stallLeft = () => {
    if (o.stallEveryMs <= 0 || o.stallForMs <= 0) return 0;
    const phase = (Date.now() - startedAt) % o.stallEveryMs;
    const stallStart = o.stallEveryMs - o.stallForMs;
    return phase >= stallStart ? o.stallEveryMs - phase : 0;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const path = url.pathname;
    if (path === '/' || path === '/health') return json(res, 200, { ok: true });
    if (path === '/api/products') return json(res, 200, PRODUCTS_JSON);
    const product = /^\/api\/products\/(\d+)$/.exec(path);
    if (product) {
      const p = PRODUCTS.find((x) => x.id === Number(product[1]));
      return p ? json(res, 200, p) : json(res, 404, { error: 'no such product' });
    }
    if (path === '/api/login' && req.method === 'POST') {
      const body = await readBody(req);
      let user = '';
      try {
        user = String(JSON.parse(body).user ?? '');
      } catch {}
      if (!user) return json(res, 400, { error: 'user is required' });
      return json(res, 200, { token: Buffer.from(`${user}:${Date.now()}`).toString('base64url') });
    }
    if (path === '/api/cart') {
      if (!/^Bearer \S+$/.test(req.headers.authorization ?? ''))
        return json(res, 401, { error: 'login first' });
      if (req.method === 'POST') await readBody(req);
      return json(res, 200, { items: 1, total: 8 });
    }
    if (path === '/delay') {
      const ms = Math.min(60_000, Number(url.searchParams.get('ms') ?? '100') || 0);
      return setTimeout(() => json(res, 200, { delayedMs: ms }), ms);
    }
    if (path === '/status') return json(res, Number(url.searchParams.get('code') ?? '200') || 200, {});
    if (path === '/upload' && req.method === 'POST')
      return json(res, 200, { received: (await readBody(req)).length });
    return json(res, 404, { error: 'not found' });
  };
  return createServer((req, res) => {
    const wait = stallLeft() + (req.url?.startsWith('/api/') ? o.delayMs : 0);
    if (wait > 0) setTimeout(() => void handle(req, res), wait);
    else void handle(req, res);
  });
}

export async function startDemoTarget(o: DemoTargetOptions): Promise<{ server: Server; url: string }> {
  const server = createDemoTarget(o);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${o.host}:${port}` };
}
