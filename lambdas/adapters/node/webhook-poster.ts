import { setTimeout as delay } from 'node:timers/promises';
import { ThroughlineError } from '../../model/errors';

/**
 * POSTs JSON to a Slack or generic webhook with global fetch. A webhook URL is a credential (a
 * Slack one lets anyone post to the channel), so no message this module makes contains it: only
 * its host. Retries what may pass (network errors, timeouts, 408, 429, 5xx); a 4xx is final.
 * A retried POST can deliver a notice twice, which beats not delivering it.
 */

export type WebhookErrorCode = 'E_WEBHOOK_URL' | 'E_WEBHOOK_REJECTED' | 'E_WEBHOOK_FAILED';

/** No `cause`: what fetch throws may quote the URL, which is a credential. */
export class WebhookError extends ThroughlineError {
  declare readonly code: WebhookErrorCode;
  constructor(
    code: WebhookErrorCode,
    message: string,
    /** The last HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(code, message, status === undefined ? undefined : { details: { status } });
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'WebhookError';
  }
}

export interface WebhookPosterOptions {
  /** Per attempt, answer and body included. Default 5 s. */
  readonly timeoutMs?: number;
  /** Tries in all. Default 3. */
  readonly attempts?: number;
  /** Backoff before the 2nd try, doubled for each further one, with jitter. Default 500 ms. */
  readonly backoffMs?: number;
  /** The longest wait a Retry-After header can impose. Default 10 s. */
  readonly maxRetryAfterMs?: number;
  /** For tests. Defaults: timers/promises setTimeout, Math.random. */
  readonly sleep?: (ms: number) => Promise<unknown>;
  readonly random?: () => number;
}

export interface WebhookPostResult {
  readonly status: number;
  readonly attempts: number;
}

export interface WebhookPoster {
  /** Resolves with the 2xx status; rejects with a WebhookError after the last failed try. */
  post(url: string, body: unknown): Promise<WebhookPostResult>;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** https only; plain http only to loopback, which is where tests stand in for the webhook. */
export function checkWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The TypeError would carry the input: our own error does not.
    throw new WebhookError('E_WEBHOOK_URL', 'the webhook URL is not a valid URL');
  }
  if (parsed.username || parsed.password)
    throw new WebhookError('E_WEBHOOK_URL', 'the webhook URL must not contain credentials');
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.test(parsed.hostname)))
    return parsed;
  throw new WebhookError(
    'E_WEBHOOK_URL',
    `refusing to post to ${parsed.protocol}//${parsed.host}: webhooks must use https (http only to loopback)`,
  );
}

/** Retry-After as delta-seconds or an HTTP date, in ms, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, capMs: number, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1_000 : Date.parse(trimmed) - now;
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), capMs);
}

/** Whatever a server or the network says back could quote the URL: its parts are blanked. */
function scrub(text: string, secrets: readonly string[]): string {
  for (const s of secrets) if (s.length > 1) text = text.split(s).join('<webhook>');
  return text;
}

function networkProblem(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return `${e?.message ?? String(err)}${e?.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`;
}

export function createWebhookPoster(options: WebhookPosterOptions = {}): WebhookPoster {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const sleep = options.sleep ?? delay;
  const random = options.random ?? Math.random;

  return {
    async post(url, body) {
      const target = checkWebhookUrl(url);
      const payload = JSON.stringify(body);
      const secrets = [url, target.href, target.pathname + target.search];
      let problem = '';
      let status: number | undefined;
      for (let attempt = 1; ; attempt++) {
        let waitMs: number | undefined;
        try {
          const res = await fetch(target, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'throughline-notifier' },
            body: payload,
            // A redirect could lead anywhere, http included: the answer is taken as it is.
            redirect: 'manual',
            signal: AbortSignal.timeout(timeoutMs),
          });
          const text = await res.text().catch(() => '');
          status = res.status;
          if (status >= 200 && status < 300) return { status, attempts: attempt };
          problem = `HTTP ${status}${text.trim() ? ` ${JSON.stringify(scrub(text.trim(), secrets).slice(0, 200))}` : ''}`;
          if (status !== 408 && status !== 429 && status < 500)
            throw new WebhookError(
              'E_WEBHOOK_REJECTED',
              `webhook at ${target.host} refused the notification: ${problem}`,
              status,
            );
          waitMs = retryAfterMs(res.headers.get('retry-after'), maxRetryAfterMs);
        } catch (err) {
          if (err instanceof WebhookError) throw err;
          status = undefined;
          problem = scrub(networkProblem(err, timeoutMs), secrets);
        }
        if (attempt >= attempts)
          throw new WebhookError(
            'E_WEBHOOK_FAILED',
            `webhook at ${target.host} failed after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: ${problem}`,
            status,
          );
        // Equal jitter: at least half the exponential step, so retries still spread out.
        await sleep(waitMs ?? backoffMs * 2 ** (attempt - 1) * (0.5 + random() / 2));
      }
    },
  };
}
