import { Lazy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RemovalMode } from '../../config/settings';
import { toRemovalPolicy } from '../shared/removal-policy';

export interface EncryptedLogsProps {
  /** Retention of every log group made here (the `logRetentionDays` setting). */
  readonly retention: RetentionDays;
  readonly removalPolicy: RemovalMode;
}

/**
 * Log groups for the whole stack, all encrypted with one customer-managed KMS key.
 *
 * CloudWatch Logs has no AWS-managed key: without a key of our own, log data (request paths,
 * caller ARNs, handler errors) is encrypted with a service-owned key whose use nobody can audit or
 * revoke. One rotating key for every log group costs $1 a month and keeps that control with the
 * account.
 */
export class EncryptedLogs extends Construct {
  readonly key: Key;
  private readonly props: EncryptedLogsProps;
  /** ARNs of the groups made here with a name of their own (the others are named by CloudFormation). */
  private readonly namedGroupArns: string[] = [];

  constructor(scope: Construct, id: string, props: EncryptedLogsProps) {
    super(scope, id);
    this.props = props;
    const { region, stackName } = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description: 'Throughline: encrypts the CloudWatch log groups of this stack',
      enableKeyRotation: true,
      removalPolicy: toRemovalPolicy(props.removalPolicy),
    });
    // CloudWatch Logs encrypts on the log group's behalf, with the group's ARN as encryption context
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). The
    // condition holds the key to this stack's groups: those CloudFormation names
    // (`<stack name>-<logical id>-<suffix>`) and, by exact ARN, those made here with a name.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisStack',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Lazy.list({
              produce: () => [this.groupArn(`${stackName}-*`), ...this.namedGroupArns],
            }),
          },
        },
      }),
    );
  }

  /** A new encrypted log group with the stack's retention and removal policy. */
  logGroup(scope: Construct, id: string, logGroupName?: string): LogGroup {
    if (logGroupName !== undefined) this.namedGroupArns.push(this.groupArn(logGroupName));
    return new LogGroup(scope, id, {
      ...(logGroupName === undefined ? {} : { logGroupName }),
      encryptionKey: this.key,
      retention: this.props.retention,
      removalPolicy: toRemovalPolicy(this.props.removalPolicy),
    });
  }

  private groupArn(name: string): string {
    const { partition, region, account } = Stack.of(this);
    return `arn:${partition}:logs:${region}:${account}:log-group:${name}`;
  }
}
