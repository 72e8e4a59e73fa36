import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** In-process loopback servers for engine and transport tests; closed by the test that opens them. */

export interface TestServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function startHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  return listen(createServer(handler), 'http');
}

/** A self-signed certificate for 127.0.0.1, made with openssl for this run. */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tl-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

export function startHttps(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  return listen(createHttpsServer(selfSignedCert(), handler) as unknown as Server, 'https');
}

export interface RawServer {
  readonly url: string;
  /** Connections accepted so far, and how many of them the client has closed. */
  readonly stats: { accepted: number; closed: number; received: string };
  close(): Promise<void>;
}

/**
 * A loopback TCP server that answers every connection with whatever `respond` writes, for responses
 * no well-behaved HTTP server would send (endless headers, giant chunk lines). Everything the
 * clients sent is kept in `stats.received`.
 */
export async function startRawHttp(respond: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const stats = { accepted: 0, closed: 0, received: '' };
  const server = createNetServer((socket) => {
    stats.accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      stats.closed++;
      sockets.delete(socket);
    });
    let answered = false;
    socket.on('data', (d: Buffer) => {
      stats.received += d.toString('latin1');
      if (!answered && stats.received.includes('\r\n\r\n')) {
        answered = true;
        respond(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `piece` again and again, as fast as the peer reads, until the socket closes. */
export function writeForever(socket: Socket, piece: Buffer): void {
  const more = () => {
    while (!socket.destroyed && socket.write(piece)) {}
    if (!socket.destroyed) socket.once('drain', more);
  };
  more();
}
