import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'aws-lambda';
import { platformCache } from '../../composition/cache';
import { localOperations, localPlatform, lockLocalDataDir } from '../../composition/local';
import type { LocalConfig } from '../../config/local';
import type { Log } from '../../ports/log';
import {
  cacheInvalidationsHandler,
  cacheStatsHandler,
  cacheWarmHandler,
  fetchThrough,
} from '../http/cache-handlers';
import { HttpError, toHttpError } from '../http/errors';
import {
  type ApiDeps,
  cancelTestHandler,
  createTestHandler,
  getResultsHandler,
  getTestHandler,
  listTestsHandler,
  openApiHandler,
} from '../http/handlers';
import type { ApiEvent, ApiResult } from '../http/http-io';
import {
  getMetricsHandler,
  listAlarmsHandler,
  scalingConfigHandler,
  scalingHistoryHandler,
  scalingManualHandler,
  scalingStatusHandler,
} from '../http/ops-handlers';
import { type HandlerName, matchRoute } from '../http/routes';
import type { ERROR_CODES } from '../http/schemas';

/**
 * Local mode: the Lambda handlers behind node:http on loopback. Each request becomes the API
 * Gateway REST proxy event the handler would get on AWS, so both run the same code.
 */

type ErrorCode = (typeof ERROR_CODES)[number];

const MAX_BODY = 1024 * 1024;
/** Names this loopback server answers to: another Host is a DNS-rebinding page or a misdirected proxy. */
const LOCAL_HOSTS = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting requests, interrupts running tests (keeping their results), releases the data folder. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'E_PAYLOAD_TOO_LARGE', `the body is over ${MAX_BODY} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  pathParameters: Record<string, string>,
  resource: string,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multi[k] = [...(multi[k] ?? []), v];
  }
  const requestId = randomUUID();
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    resource,
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multi).length ? multi : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      requestId,
      path: url.pathname,
      stage: 'local',
      httpMethod: req.method ?? 'GET',
    } as ApiEvent['requestContext'],
  };
}

const lambdaContext = (requestId: string): Context =>
  ({
    functionName: 'throughline-local',
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => 29_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as Context;

/**
 * What node:http answers itself, before any handler, for a request it cannot parse: the same JSON
 * error body as every other answer (its default is an empty body with no content type).
 */
const CLIENT_ERRORS: Record<string, readonly [number, string, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'E_HEADERS_TOO_LARGE',
    'the request line and headers are over 16 KiB',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'Request Timeout',
    'E_INVALID_REQUEST',
    'the request did not arrive in time',
  ],
  HPE: [400, 'Bad Request', 'E_INVALID_REQUEST', 'the request is not valid HTTP/1.1'],
};

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const answer =
    CLIENT_ERRORS[err.code ?? ''] ?? (err.code?.startsWith('HPE_') ? CLIENT_ERRORS.HPE : undefined);
  // A reset or a write error: nobody is left to answer.
  if (!socket.writable || !answer) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = answer;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function send(res: ServerResponse, result: ApiResult): void {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  res.writeHead(result.statusCode, { ...headers, 'content-length': Buffer.byteLength(result.body) });
  res.end(result.body);
}

export async function startLocalServer(
  config: LocalConfig,
  workerScript: URL | string,
  log: Log,
): Promise<LocalServer> {
  const unlock = await lockLocalDataDir(config.dataDir);
  try {
    const ops = await localOperations(config, log);
    const { platform, launcher, recover } = localPlatform(config, workerScript, log, ops.workers);
    const interrupted = await recover();
    if (interrupted.length > 0)
      log.info('marked tests left running by the last server as interrupted', { ids: interrupted });
    const cache = config.cache
      ? platformCache({ config: config.cache, diskDir: config.dataDir, runtime: 'local', log })
      : undefined;
    const deps: ApiDeps = {
      platform,
      log,
      cache,
      ...(config.cache ? { resultsTtlSeconds: config.cache.resultsTtlSeconds } : {}),
    };
    // Warming fetches through the same (cached) handlers; bound once they exist.
    const cacheApi = { cache, fetchPath: (path: string) => fetchThrough(handlers)(path) };
    const handlers: Record<HandlerName, (e: ApiEvent, c: Context) => Promise<ApiResult>> = {
      createTest: createTestHandler(deps),
      listTests: listTestsHandler(deps),
      getTest: getTestHandler(deps),
      getResults: getResultsHandler(deps),
      cancelTest: cancelTestHandler(deps),
      openApi: openApiHandler(deps),
      metricsSummary: getMetricsHandler({ metrics: ops.metrics, log, cache }),
      metricsGroup: getMetricsHandler({ metrics: ops.metrics, log, cache }),
      listAlarms: listAlarmsHandler({ alarms: ops.alarms, log }),
      scalingStatus: scalingStatusHandler({ scaling: ops.scaling, log }),
      scalingConfig: scalingConfigHandler({ scaling: ops.scaling, log }),
      scalingManual: scalingManualHandler({ scaling: ops.scaling, log }),
      scalingHistory: scalingHistoryHandler({ scaling: ops.scaling, log }),
      cacheStats: cacheStatsHandler({ api: cacheApi, log }),
      cacheInvalidations: cacheInvalidationsHandler({ api: cacheApi, log }),
      cacheWarm: cacheWarmHandler({ api: cacheApi, log }),
    };
    const server = createServer(async (req, res) => {
      try {
        const host = req.headers.host ?? '';
        if (!LOCAL_HOSTS.test(host))
          throw new HttpError(
            421,
            'E_INVALID_REQUEST',
            `this server answers to 127.0.0.1 or localhost, not ${JSON.stringify(host)}`,
          );
        let url: URL;
        try {
          url = new URL(req.url ?? '/', 'http://localhost');
        } catch {
          throw new HttpError(
            400,
            'E_INVALID_REQUEST',
            `${JSON.stringify(req.url)} is not a valid request target`,
          );
        }
        const match = matchRoute(req.method ?? 'GET', url.pathname);
        if (!match)
          throw new HttpError(
            404,
            'E_NOT_FOUND',
            `no route ${req.method} ${url.pathname}; see /performance/openapi.json`,
          );
        if ('allowed' in match) {
          res.setHeader('allow', match.allowed.join(', '));
          throw new HttpError(405, 'E_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
        }
        const body = await readBody(req);
        const event = toEvent(req, url, body, match.pathParameters, match.route.path);
        send(res, await handlers[match.route.handler](event, lambdaContext(event.requestContext.requestId)));
      } catch (err) {
        const { status, body, internal } = toHttpError(err);
        if (internal)
          log.error('local server error', { error: err instanceof Error ? err.stack : String(err) });
        if (!res.headersSent)
          send(res, {
            statusCode: status,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(body),
          });
        else res.destroy();
      }
    });
    server.on('clientError', answerClientError);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      server,
      close: () => {
        closing ??= (async () => {
          const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          await launcher.shutdown();
          ops.stop();
          await cache?.close().catch(() => {});
          server.closeAllConnections();
          await stopped;
          await unlock();
        })();
        return closing;
      },
    };
  } catch (err) {
    await unlock();
    throw err;
  }
}
