import { join } from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RemovalMode } from '../../config/settings';
import { NO_RESERVATION } from '../shared/checkov';
import { HandlerFunction } from '../shared/handler-function';
import { toRemovalPolicy } from '../shared/removal-policy';
import type { AlarmNaming } from './alarm-naming';
import { type CustomAlarmSpec, deadLettersAlarm } from './alarm-spec';
import type { EncryptedLogs } from './encrypted-logs';

export interface AlarmNotificationsProps {
  /** Addresses subscribed by email (`monitoring.emails` and `alarmEmail`). */
  readonly emails: readonly string[];
  /** Whether to forward alarms to a Slack or other webhook (`monitoring.webhook.enabled`). */
  readonly webhook: boolean;
  readonly naming: AlarmNaming;
  readonly removalPolicy: RemovalMode;
  readonly logs: EncryptedLogs;
  /** Folder holding the handler entry files (lambdas/entrypoints/lambda). */
  readonly entryDir: string;
  /** Powertools settings and Node options every function gets. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Where alarm state changes go: an SNS topic with its own rotating KMS key (CloudWatch cannot
 * publish to a topic under aws/sns), TLS-only, that only this stack's alarms may publish to; email
 * subscriptions; and, when the webhook is enabled, a notifier function that posts each message to
 * the URL kept in a Secrets Manager secret (created empty-handed: put the URL in after deploy).
 * The same key encrypts that secret and the notifier's dead-letter queue, where a notice rests
 * when every delivery to the webhook failed: alarm notices are under one key wherever they are.
 */
export class AlarmNotifications extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly webhookSecret?: Secret;
  readonly notifier?: HandlerFunction;
  /** Notices the notifier could not deliver (every retry failed or the hour ran out). */
  readonly deadLetterQueue?: Queue;

  constructor(scope: Construct, id: string, props: AlarmNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description:
        'Throughline: encrypts alarm notifications (the topic, the webhook secret, undelivered notices)',
      enableKeyRotation: true,
      removalPolicy: toRemovalPolicy(props.removalPolicy),
    });
    // Who may publish, to the key and to the topic alike: CloudWatch acting for this stack's alarms
    // in this account only (aws:SourceArn / aws:SourceAccount guard against the confused deputy).
    const thisStacksAlarms = {
      ArnLike: { 'aws:SourceArn': props.naming.arnPattern(stack) },
      StringEquals: { 'aws:SourceAccount': stack.account },
    };
    // CloudWatch encrypts the messages it publishes with the topic's key, so it must be allowed to
    // use it (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html); the key serves this
    // topic only.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToEncrypt',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: thisStacksAlarms,
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Throughline alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: thisStacksAlarms,
      }),
    );
    for (const email of new Set(props.emails)) this.topic.addSubscription(new EmailSubscription(email));
    if (props.webhook) {
      this.webhookSecret = new Secret(this, 'WebhookSecret', {
        description:
          'Throughline: the Slack or webhook URL alarm notifications are posted to. Replace the generated ' +
          'placeholder with the URL after deploy (aws secretsmanager put-secret-value).',
        // A webhook URL is a bearer credential: reading it takes kms:Decrypt on this key too.
        encryptionKey: this.key,
        removalPolicy: toRemovalPolicy(props.removalPolicy),
      });
      this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.notifier = this.buildNotifier(props, this.webhookSecret, this.deadLetterQueue);
    }
  }

  /** A Warning when a notice could not be posted to the webhook (emails still got it). */
  get deadLetterAlarm(): CustomAlarmSpec | undefined {
    if (this.deadLetterQueue === undefined) return undefined;
    return deadLettersAlarm(
      this.deadLetterQueue,
      'alarm-notices-undelivered',
      'Alarm notices could not be posted to the webhook and wait in the notifier dead-letter queue (the ' +
        "notify-alarm function's log says why; check the URL in the webhook secret).",
    );
  }

  /** What publishing a notice needs: sns:Publish on the topic and encrypting with its key. */
  grantPublish(grantee: IGrantable): void {
    // Not topic.grantPublish: it adds kms:GenerateDataKey* where SNS needs exactly these two.
    Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  private buildNotifier(props: AlarmNotificationsProps, secret: Secret, deadLetters: Queue): HandlerFunction {
    const notifier = new HandlerFunction(this, 'Notifier', {
      entry: join(props.entryDir, 'notify-alarm.ts'),
      description: 'Throughline: forwards alarm notifications to the configured Slack or webhook URL',
      logs: props.logs,
      environment: { ...props.environment, THROUGHLINE_WEBHOOK_SECRET_ARN: secret.secretArn },
      memorySize: 256,
      // One record can take ~37 s: 3 tries of 5 s, up to 2 Retry-After waits of 10 s, backoff.
      timeout: Duration.seconds(60),
      // A notice older than an hour helps nobody; two retries cover a webhook's brief outage.
      maxEventAge: Duration.hours(1),
      retryAttempts: 2,
      deadLetterQueue: deadLetters,
      checkov: {
        concurrency:
          'SNS invokes it once per alarm state change; a burst of them is paced by the webhook’s own rate limit, ' +
          `whose Retry-After the handler honours, and by Lambda’s asynchronous retries. ${NO_RESERVATION}`,
        vpc:
          'It posts to the webhook URL of Slack or another receiver on the internet and calls Secrets Manager; in ' +
          'a VPC it would need a NAT gateway (billed per hour) for a few notices a day, and reaches nothing private.',
      },
    });
    // GetSecretValue / DescribeSecret on this one secret; CDK lets the role decrypt with the key
    // through Secrets Manager (kms:ViaService) in the key's policy.
    secret.grantRead(notifier);
    // Lambda sends what could not be delivered with the function's role: SendMessage (added by
    // CDK) and the key's data keys through SQS only.
    notifier.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    this.topic.addSubscription(new LambdaSubscription(notifier.function));
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret holds a webhook URL issued by Slack or another receiver; only that service can issue a ' +
        'new one, so there is nothing a rotation Lambda could do. Rotate by issuing a new URL and putting it ' +
        'into the secret (docs/configuration.md).',
    });
    return notifier;
  }
}
