import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ThroughlineError } from '../../model/errors';

/**
 * Where notices go, read from Secrets Manager: the JSON `{"url": "...", "format": "slack" |
 * "webhook"}` or the bare URL. Read once per container and again after `refreshMs`, so a rotated
 * URL is picked up without a deploy. No message here contains the secret's value.
 */

export type WebhookFormat = 'slack' | 'webhook';

export interface WebhookTarget {
  readonly url: string;
  readonly format: WebhookFormat;
}

export class WebhookSecretError extends ThroughlineError {
  declare readonly code: 'E_WEBHOOK_SECRET';
  constructor(message: string, options?: { readonly cause?: unknown; readonly details?: unknown }) {
    super('E_WEBHOOK_SECRET', message, options);
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'WebhookSecretError';
  }
}

const secretSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  format: z.enum(['slack', 'webhook'], { error: 'must be "slack" or "webhook"' }).optional(),
});

/** Slack's incoming-webhook hosts (GovSlack included); any other URL gets the generic JSON. */
export function inferFormat(url: string): WebhookFormat {
  return /^hooks\.slack(-gov)?\.com$/i.test(new URL(url).hostname) ? 'slack' : 'webhook';
}

/** Every problem of the value, named by field; throws WebhookSecretError listing them. */
export function parseWebhookSecret(value: string, secretId: string): WebhookTarget {
  const text = value.trim();
  const fail = (problems: readonly string[]): never => {
    throw new WebhookSecretError(
      `secret ${secretId} is not a webhook setting:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  };
  if (!text.startsWith('{')) {
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol))
      fail(['expected {"url": "https://…", "format": "slack" | "webhook"} or an https URL']);
    return { url: text, format: inferFormat(text) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text near the error, the URL perhaps: left out.
    return fail(['the value starts with { but is not JSON']);
  }
  const parsed = secretSchema.safeParse(json);
  if (!parsed.success)
    return fail(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(value)'}: ${i.message}`));
  const { url, format } = parsed.data;
  return { url, format: format ?? inferFormat(url) };
}

export interface WebhookSecretReader {
  /** The current target: cached, re-read after the refresh interval. */
  get(): Promise<WebhookTarget>;
  /** Forgets the cached value, so the next get() reads the secret (after the webhook refused a URL). */
  invalidate(): void;
}

export interface WebhookSecretOptions {
  /** Default 5 minutes. */
  readonly refreshMs?: number;
  readonly now?: () => number;
  /** A refresh failed while an earlier value was kept in use. */
  readonly onStaleRead?: (err: unknown) => void;
}

export function createWebhookSecretReader(
  client: SecretsManagerClient,
  secretId: string,
  options: WebhookSecretOptions = {},
): WebhookSecretReader {
  const refreshMs = options.refreshMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let cached: { readonly target: WebhookTarget; readonly readAt: number } | undefined;
  let reading: Promise<WebhookTarget> | undefined;

  const read = async (): Promise<WebhookTarget> => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined)
      throw new WebhookSecretError(`secret ${secretId} has no string value (binary secrets are not read)`);
    return parseWebhookSecret(out.SecretString, secretId);
  };

  return {
    get() {
      if (cached && now() - cached.readAt < refreshMs) return Promise.resolve(cached.target);
      // Concurrent callers share one read.
      reading ??= read()
        .then(
          (target) => {
            cached = { target, readAt: now() };
            return target;
          },
          (err: unknown) => {
            // An alarm is better sent to the previous URL than not at all; next call reads again.
            if (!cached) throw err;
            options.onStaleRead?.(err);
            return cached.target;
          },
        )
        .finally(() => {
          reading = undefined;
        });
      return reading;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
