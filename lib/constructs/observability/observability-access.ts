// What the metrics and alarms handlers may do, and the environment they get.
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { OperationAccess } from '../api/performance-api';
import type { Operation } from '../api/routes';
import type { AlarmNaming } from './alarm-naming';

export interface ObservabilityAccessProps {
  /** THROUGHLINE_MONITORED (monitoredJson). */
  readonly monitoredJson: string;
  readonly naming: AlarmNaming;
}

export class ObservabilityAccess {
  private readonly props: ObservabilityAccessProps;

  constructor(props: ObservabilityAccessProps) {
    this.props = props;
  }

  operations(): Pick<Record<Operation, OperationAccess>, 'readMetrics' | 'readAlarms'> {
    const { monitoredJson, naming } = this.props;
    return {
      readMetrics: {
        environment: { THROUGHLINE_MONITORED: monitoredJson },
        grant: (h) => {
          h.role.addToPrincipalPolicy(
            new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
          );
          h.acknowledge(
            'AwsSolutions-IAM5[Resource::*]',
            'cloudwatch:GetMetricData supports no resource-level permissions (metrics are not IAM resources), ' +
              'so it can only be granted on "*"; it reads metric values and nothing else, and the handler queries ' +
              'only the resources of THROUGHLINE_MONITORED.',
          );
        },
      },
      readAlarms: {
        environment: { THROUGHLINE_ALARM_PREFIX: naming.prefix },
        grant: (h) => {
          h.role.addToPrincipalPolicy(
            new PolicyStatement({
              actions: ['cloudwatch:DescribeAlarms'],
              resources: [naming.arnPattern(Stack.of(h))],
            }),
          );
          h.acknowledge(
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${naming.prefix}*]`,
            `DescribeAlarms on this stack's alarms only: every one is named "${naming.prefix}<what>" and stack ` +
              'names cannot contain "/", so the pattern matches no other stack\'s alarms (the handler asks with ' +
              'that prefix).',
          );
        },
      },
    };
  }
}
