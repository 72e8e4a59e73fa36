import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestResults } from '../../model/results';
import { ApiError, type PerformanceApi, type RemoteTest } from '../../ports/performance-api';

/** A client of the deployed performance API (`/performance/tests…`), SigV4-signed when credentials exist. */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

/**
 * The standard AWS credential chain (environment, SSO, shared files, web identity, ECS/EC2 roles),
 * memoized and refreshed before expiry; `undefined` with the reason when it yields nothing.
 */
export async function awsCredentialChain(): Promise<
  { provider: CredentialsProvider; reason?: undefined } | { provider?: undefined; reason: string }
> {
  const provider = fromNodeProviderChain();
  try {
    await provider();
    return { provider };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

export interface ApiClientOptions {
  /** The API root (`https://…/v1`), without `/performance`. */
  readonly root: string;
  /** Omitted: requests go unsigned (the local platform has no auth). */
  readonly signing?: { readonly region: string; readonly credentials: CredentialsProvider } | undefined;
  /** Retries on network errors, 5xx and 429 (default 3). */
  readonly retries?: number;
  /** Per attempt (default 30 s). */
  readonly timeoutMs?: number;
}

const RETRY_BASE_MS = 500;
const RETRY_AFTER_CAP_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

/** Retry-After as seconds or an HTTP date; otherwise exponential backoff with jitter. */
function retryDelayMs(attempt: number, retryAfter: string | undefined): number {
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms)) return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
  }
  return RETRY_BASE_MS * 2 ** attempt + Math.random() * RETRY_BASE_MS;
}

function toApiError(status: number, body: unknown, text: string): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string')
    return new ApiError(status, e.code, e.message, e.details);
  const snippet = text.trim().slice(0, 200);
  return new ApiError(status, `E_HTTP_${status}`, `HTTP ${status}${snippet ? `: ${snippet}` : ''}`);
}

export function createApiClient(o: ApiClientOptions): PerformanceApi {
  const retries = o.retries ?? 3;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const signer =
    o.signing &&
    new SignatureV4({
      service: 'execute-api',
      region: o.signing.region,
      credentials: o.signing.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });

  async function send(method: string, path: string, body?: string, extra: Record<string, string> = {}) {
    const url = new URL(`${o.root}${path}`);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json', ...extra };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const unsigned = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(body === undefined ? {} : { body }),
    };
    const signed = signer ? await signer.sign(unsigned) : unsigned;
    return new Promise<Reply & { text: string }>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        {
          method,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          headers: signed.headers,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: json, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1_000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends (re-signing each attempt); network errors, 5xx and 429 are retried. Error answers throw ApiError. */
  async function call(method: string, path: string, body?: string, extra?: Record<string, string>) {
    for (let attempt = 0; ; attempt++) {
      let reply: Awaited<ReturnType<typeof send>>;
      try {
        reply = await send(method, path, body, extra);
      } catch (err) {
        if (attempt >= retries)
          throw new Error(
            `${method} ${o.root}${path} failed after ${attempt + 1} attempts: ${(err as Error).message}`,
            { cause: err },
          );
        await sleep(retryDelayMs(attempt, undefined));
        continue;
      }
      const retryable = reply.status >= 500 || reply.status === 429;
      if (retryable && attempt < retries) {
        const after = reply.headers['retry-after'];
        await sleep(retryDelayMs(attempt, Array.isArray(after) ? after[0] : after));
        continue;
      }
      if (reply.status >= 400) throw toApiError(reply.status, reply.body, reply.text);
      if (typeof reply.body !== 'object' || reply.body === null)
        throw new ApiError(
          reply.status,
          'E_BAD_RESPONSE',
          `${method} ${o.root}${path} did not answer JSON (is ${o.root} the API root?)`,
        );
      return reply;
    }
  }

  const testPath = (id: string) => `/performance/tests/${encodeURIComponent(id)}`;
  return {
    testUrl: (id) => `${o.root}${testPath(id)}`,
    async createTest(submission, idempotencyKey) {
      const reply = await call('POST', '/performance/tests', JSON.stringify(submission), {
        'idempotency-key': idempotencyKey,
      });
      return { test: reply.body as RemoteTest, replayed: reply.headers['idempotent-replayed'] === 'true' };
    },
    getTest: async (id) => (await call('GET', testPath(id))).body as RemoteTest,
    cancelTest: async (id) => (await call('DELETE', testPath(id))).body as RemoteTest,
    getResults: async (id) => (await call('GET', `${testPath(id)}/results`)).body as TestResults,
  };
}
