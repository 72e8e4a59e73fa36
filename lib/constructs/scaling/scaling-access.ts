// What the scaling API's handlers may do, and the environment they get: each reads or changes the
// scalable targets of THROUGHLINE_SCALABLE_TARGETS and nothing else, as far as IAM can say so.
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { OperationAccess } from '../api/performance-api';
import type { Operation } from '../api/routes';
import type { AlarmNotifications } from '../observability/alarm-notifications';
import type { HandlerFunction } from '../shared/handler-function';
import type { TestStorage } from '../storage/test-storage';
import { type ScalableTargetSpec, scalableTargetsJson } from './scalable-targets';
import { SERVICE_LINKED_ROLES, serviceLinkedRoleArn } from './service-linked-roles';

export interface ScalingAccessProps {
  readonly specs: readonly ScalableTargetSpec[];
  readonly storage: TestStorage;
  readonly notifications: AlarmNotifications;
}

const AAS_READ = [
  'application-autoscaling:DescribeScalableTargets',
  'application-autoscaling:DescribeScalingPolicies',
  'application-autoscaling:DescribeScalingActivities',
  'application-autoscaling:DescribeScheduledActions',
];

const AAS_ANY_RESOURCE =
  "Application Auto Scaling's Describe actions support no resource-level permissions, and its write actions " +
  'only take scalable-target ARNs with ids AWS assigns at registration, which CloudFormation does not return; ' +
  'the writes are held to the service namespaces and scalable dimensions of THROUGHLINE_SCALABLE_TARGETS ' +
  '(request condition keys), and what scaling may change on each service is granted per resource (the ' +
  'alias, service or replication group).';

/** The four scaling operations of the API: status, history, configuration and manual capacity. */
export class ScalingAccess {
  private readonly props: ScalingAccessProps;

  constructor(props: ScalingAccessProps) {
    this.props = props;
  }

  operations(): Pick<
    Record<Operation, OperationAccess>,
    'readScalingStatus' | 'readScalingHistory' | 'configureScaling' | 'scaleManually'
  > {
    const targets = { THROUGHLINE_SCALABLE_TARGETS: scalableTargetsJson(this.props.specs) };
    return {
      readScalingStatus: { environment: targets, grant: (h) => this.grantRead(h) },
      readScalingHistory: {
        environment: targets,
        grant: (h) => {
          this.grantRead(h);
          this.props.storage.grantScalingJournal(h, 'read');
        },
      },
      configureScaling: {
        environment: targets,
        grant: (h) => {
          this.grantChange(h, [
            'application-autoscaling:RegisterScalableTarget',
            'application-autoscaling:PutScalingPolicy',
            'application-autoscaling:PutScheduledAction',
            'application-autoscaling:DeleteScheduledAction',
          ]);
          this.grantTargetTrackingAlarms(h);
          this.props.storage.grantScalingJournal(h, 'append');
        },
      },
      scaleManually: {
        environment: { ...targets, THROUGHLINE_NOTIFY_TOPIC_ARN: this.props.notifications.topic.topicArn },
        grant: (h) => {
          this.grantChange(h, ['application-autoscaling:RegisterScalableTarget']);
          this.props.storage.grantScalingJournal(h, 'append');
          this.props.notifications.grantPublish(h);
        },
      },
    };
  }

  /** Describe every target, its policies, schedules and activities, and read each one's capacity. */
  private grantRead(h: HandlerFunction): void {
    this.allow(h, AAS_READ, ['*']);
    h.acknowledge('AwsSolutions-IAM5[Resource::*]', AAS_ANY_RESOURCE);
    this.allow(h, ['lambda:GetProvisionedConcurrencyConfig'], this.arns('lambda'));
    this.allow(h, ['ecs:DescribeServices'], this.arns('ecs'));
    this.allow(h, ['elasticache:DescribeReplicationGroups'], this.arns('elasticache'));
  }

  /**
   * Change targets: Application Auto Scaling's write actions (`writes`) for the namespaces and
   * dimensions of the registered targets only (its request condition keys), its Describe actions,
   * and what it requires of the caller besides its own actions
   * (https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html):
   * the service's read and update actions on each target and creating the service-linked role.
   */
  private grantChange(h: HandlerFunction, writes: readonly string[]): void {
    this.allow(h, AAS_READ, ['*']);
    const { specs } = this.props;
    if (specs.length > 0)
      h.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...writes],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'application-autoscaling:service-namespace': [...new Set(specs.map((s) => s.serviceNamespace))],
              'application-autoscaling:scalable-dimension': [
                ...new Set(specs.map((s) => s.scalableDimension)),
              ],
            },
          },
        }),
      );
    h.acknowledge('AwsSolutions-IAM5[Resource::*]', AAS_ANY_RESOURCE);
    this.allow(
      h,
      [
        'lambda:GetProvisionedConcurrencyConfig',
        'lambda:PutProvisionedConcurrencyConfig',
        'lambda:DeleteProvisionedConcurrencyConfig',
      ],
      this.arns('lambda'),
    );
    this.allow(h, ['ecs:DescribeServices', 'ecs:UpdateService'], this.arns('ecs'));
    this.allow(
      h,
      [
        'elasticache:DescribeReplicationGroups',
        'elasticache:ModifyReplicationGroupShardConfiguration',
        'elasticache:IncreaseReplicaCount',
        'elasticache:DecreaseReplicaCount',
      ],
      this.arns('elasticache'),
    );
    for (const namespace of new Set(this.props.specs.map((s) => s.serviceNamespace)))
      h.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [serviceLinkedRoleArn(h, namespace)],
          conditions: { StringLike: { 'iam:AWSServiceName': SERVICE_LINKED_ROLES[namespace].service } },
        }),
      );
  }

  /**
   * PutScalingPolicy has Application Auto Scaling create and delete the policy's alarms, named
   * `TargetTracking-<resource id>-…`, with the caller's CloudWatch permissions: only those alarms.
   */
  private grantTargetTrackingAlarms(h: HandlerFunction): void {
    const stack = Stack.of(h);
    for (const resourceId of new Set(this.props.specs.map((s) => s.resourceId))) {
      const pattern = `TargetTracking-${resourceId}-*`;
      this.allow(
        h,
        ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
        [`arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${pattern}`],
      );
      h.acknowledge(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${pattern}]`,
        'Target tracking alarms are created by Application Auto Scaling with a generated suffix ' +
          `(TargetTracking-${resourceId}-AlarmHigh-<uuid>); the grant covers the alarms of this one target only.`,
      );
    }
  }

  /** The ARNs of every target of a service (the alias, the ECS service, the replication group). */
  private arns(namespace: ScalableTargetSpec['serviceNamespace']): string[] {
    const stack = Stack.of(this.props.storage);
    const prefix = `arn:${stack.partition}:${namespace}:${stack.region}:${stack.account}:`;
    const ids = new Set(
      this.props.specs.filter((s) => s.serviceNamespace === namespace).map((s) => s.resourceId),
    );
    return [...ids].map((id) =>
      namespace === 'elasticache'
        ? `${prefix}replicationgroup:${id.replace(/^replication-group\//, '')}`
        : `${prefix}${id}`,
    );
  }

  private allow(h: HandlerFunction, actions: readonly string[], resources: readonly string[]): void {
    if (resources.length === 0) return;
    h.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [...resources] }));
  }
}
