import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { RemovalMode } from '../../config/settings';
import { toRemovalPolicy } from '../shared/removal-policy';

export interface RunNotificationsProps {
  /** Subscribed by email when set (the `alarmEmail` setting). */
  readonly email?: string | undefined;
  readonly removalPolicy: RemovalMode;
}

/**
 * The topic every finished distributed run is announced on (status and headline figures), for
 * email and any subscriber a team adds. Encrypted with a customer-managed key rather than
 * aws/sns: AWS services that publish on a topic's behalf, such as the CloudWatch alarms that
 * observability will add, cannot use the AWS-managed key.
 */
export class RunNotifications extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: RunNotificationsProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Throughline: encrypts the run notifications topic',
      enableKeyRotation: true,
      removalPolicy: toRemovalPolicy(props.removalPolicy),
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Throughline load tests',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /** What publishing needs besides sns:Publish: encrypting the message with the topic's key. */
  grantEncrypt(grantee: IGrantable): void {
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
