import { type Env, fail, type Problems, requiredVar } from './parse';

export interface NotifierConfig {
  readonly region: string;
  /** The secret holding the Slack or webhook URL (THROUGHLINE_WEBHOOK_SECRET_ARN). */
  readonly webhookSecretArn: string;
}

/** The alarm notifier (notify-alarm): where it runs and which secret holds the webhook URL. */
export function notifierConfig(env: Env = process.env): NotifierConfig {
  const problems: Problems = [];
  const region = requiredVar(env, 'AWS_REGION', problems);
  const webhookSecretArn = requiredVar(env, 'THROUGHLINE_WEBHOOK_SECRET_ARN', problems);
  if (
    webhookSecretArn &&
    !/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s]+$/.test(webhookSecretArn)
  )
    problems.push(
      `THROUGHLINE_WEBHOOK_SECRET_ARN=${JSON.stringify(webhookSecretArn)}: a Secrets Manager secret ARN`,
    );
  if (problems.length > 0) fail(problems);
  return { region, webhookSecretArn };
}
