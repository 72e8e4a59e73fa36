import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import type { Log } from '../../ports/log';
import { HttpError, toHttpError } from './errors';

/** Reading API Gateway (REST, proxy) events and writing their results: shared by every handler. */

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;

const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

export function header(event: ApiEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {}))
    if (k.toLowerCase() === lower) return v ?? undefined;
  return undefined;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function text(
  statusCode: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): ApiResult {
  return { statusCode, headers: { ...BASE_HEADERS, 'content-type': contentType, ...headers }, body };
}

/** Largest definition accepted: it is stored whole in one DynamoDB item (400 KB) with its status. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Deepest nesting accepted in a body (a definition needs about 8; request bodies a little more). */
const MAX_DEPTH = 64;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The JSON body. 415 unless it is declared application/json (which also keeps browsers from
 * posting to a local server cross-site without a preflight), 413 over MAX_BODY_BYTES, 400 for
 * malformed or absurdly nested JSON.
 */
export function jsonBody(event: ApiEvent): unknown {
  const type = header(event, 'content-type');
  if (type === undefined || !/^application\/(.+\+)?json\s*(;|$)/i.test(type))
    throw new HttpError(
      415,
      'E_UNSUPPORTED_MEDIA_TYPE',
      `send content-type: application/json${type ? `, not ${type}` : ''}`,
    );
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES)
    throw new HttpError(413, 'E_PAYLOAD_TOO_LARGE', `the body is over ${MAX_BODY_BYTES / 1024} KiB`);
  if (raw.trim() === '')
    throw new HttpError(400, 'E_INVALID_JSON', 'the request body is empty; send a test definition');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new HttpError(
      400,
      'E_INVALID_JSON',
      `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (depthOf(parsed) > MAX_DEPTH)
    throw new HttpError(400, 'E_INVALID_JSON', `the request body nests deeper than ${MAX_DEPTH} levels`);
  return parsed;
}

/** Parses query or path parameters with a schema; every problem becomes one 400. */
export function params<S extends z.ZodType>(
  schema: S,
  values: Record<string, string | undefined> | null,
): z.output<S> {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined)),
  );
  if (parsed.success) return parsed.data;
  throw new HttpError(400, 'E_INVALID_REQUEST', 'invalid request parameters', {
    problems: parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : ''),
      message: i.message,
    })),
  });
}

/** middy middleware: any error becomes the JSON error body with its status; 5xx are logged, never leaked. */
export function jsonErrors(log: Log): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: (request) => {
      const { status, body, internal } = toHttpError(request.error);
      if (internal)
        log.error('unhandled error', {
          path: request.event.path,
          method: request.event.httpMethod,
          requestId: request.event.requestContext?.requestId,
          error: request.error instanceof Error ? request.error.stack : String(request.error),
        });
      request.response = json(status, body);
    },
  };
}
