import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  createWebhookSecretReader,
  WebhookSecretError,
  type WebhookSecretOptions,
  type WebhookSecretReader,
} from '../adapters/aws/webhook-secret';
import {
  createWebhookPoster,
  WebhookError,
  type WebhookPoster,
  type WebhookPosterOptions,
} from '../adapters/node/webhook-poster';
import type { NotifierConfig } from '../config/notifier';
import {
  type Notice,
  parseNotice,
  type SnsEnvelope,
  slackMessage,
  webhookPayload,
} from '../core/observability/notification';
import { ThroughlineError } from '../model/errors';
import type { Log } from '../ports/log';

/**
 * The alarm notifier: each SNS message → notice → Slack or webhook JSON → POST. Every record is
 * tried; if any failed, deliver() then rejects, so Lambda's async retries (and the SNS delivery
 * policy) try the invocation again. Records go one at a time, in order, as people read them.
 */

export class NotifierError extends ThroughlineError {
  declare readonly code: 'E_NOTIFY_FAILED';
  constructor(message: string, options?: { readonly details?: unknown }) {
    super('E_NOTIFY_FAILED', message, options);
    // Spelled out: the Lambda bundles are minified, which renames classes (new.target.name).
    this.name = 'NotifierError';
  }
}

export interface AlarmNotifierDeps {
  readonly secret: WebhookSecretReader;
  readonly poster: WebhookPoster;
  readonly log: Log;
}

export interface AlarmNotifier {
  deliver(records: readonly SnsEnvelope[]): Promise<void>;
}

/** What the logs may say about a notice: never the webhook URL, never the whole message. */
function describe(notice: Notice, sns: SnsEnvelope): Record<string, unknown> {
  const base = { kind: notice.kind, ...(sns.MessageId ? { messageId: sns.MessageId } : {}) };
  return notice.kind === 'message'
    ? { ...base, subject: notice.subject ?? null }
    : { ...base, alarm: notice.alarm, state: notice.state, previousState: notice.previousState ?? null };
}

export function createAlarmNotifier(deps: AlarmNotifierDeps): AlarmNotifier {
  return {
    async deliver(records) {
      const failures: string[] = [];
      for (const sns of records) {
        const notice = parseNotice(sns);
        const about = describe(notice, sns);
        try {
          const target = await deps.secret.get();
          const body = target.format === 'slack' ? slackMessage(notice) : webhookPayload(notice);
          const { status, attempts } = await deps.poster.post(target.url, body);
          deps.log.info('notification delivered', { ...about, format: target.format, status, attempts });
        } catch (err) {
          if (err instanceof WebhookSecretError) {
            // Not configured yet (the stack creates the secret with a placeholder): retrying cannot
            // help, and email subscribers of the topic still get the notice.
            deps.log.error('notification skipped: the webhook secret holds no webhook URL yet', {
              ...about,
              error: err.message,
            });
            deps.secret.invalidate();
            continue;
          }
          // A refused URL may have been rotated since we cached it: read the secret again next time.
          if (err instanceof WebhookError && err.code === 'E_WEBHOOK_REJECTED') deps.secret.invalidate();
          const message = err instanceof Error ? err.message : String(err);
          deps.log.error('notification failed', {
            ...about,
            code: (err as { code?: unknown }).code ?? null,
            error: message,
          });
          failures.push(
            `${notice.kind === 'message' ? (notice.subject ?? 'message') : notice.alarm}: ${message}`,
          );
        }
      }
      if (failures.length > 0)
        throw new NotifierError(
          `${failures.length} of ${records.length} notifications failed:\n${failures.map((f) => `  ${f}`).join('\n')}`,
          { details: { failed: failures.length, records: records.length } },
        );
    },
  };
}

export interface AwsNotifierOverrides {
  /** A client of your own (tests point one at moto); default one for the configured region. */
  readonly secrets?: SecretsManagerClient;
  readonly poster?: WebhookPosterOptions;
  readonly secret?: Omit<WebhookSecretOptions, 'onStaleRead'>;
}

/** Lambda wiring: Secrets Manager for the target, fetch for the POST. Built once per container. */
export function awsAlarmNotifier(
  config: NotifierConfig,
  log: Log,
  overrides: AwsNotifierOverrides = {},
): AlarmNotifier {
  const client = overrides.secrets ?? new SecretsManagerClient({ region: config.region });
  const secret = createWebhookSecretReader(client, config.webhookSecretArn, {
    ...overrides.secret,
    onStaleRead: (err) =>
      log.error('webhook secret refresh failed; using the value read before', {
        error: err instanceof Error ? err.message : String(err),
      }),
  });
  return createAlarmNotifier({ secret, poster: createWebhookPoster(overrides.poster), log });
}
