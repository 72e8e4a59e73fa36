import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ScalableTargetSpec } from './scalable-targets';

/**
 * The role Application Auto Scaling scales each kind of target with: one service-linked role per
 * service, which it creates on the first RegisterScalableTarget and manages itself
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html).
 */
export const SERVICE_LINKED_ROLES: Readonly<
  Record<ScalableTargetSpec['serviceNamespace'], { readonly service: string; readonly name: string }>
> = {
  lambda: {
    service: 'lambda.application-autoscaling.amazonaws.com',
    name: 'AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency',
  },
  ecs: {
    service: 'ecs.application-autoscaling.amazonaws.com',
    name: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
  },
  elasticache: {
    service: 'elasticache.application-autoscaling.amazonaws.com',
    name: 'AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG',
  },
};

/** The ARN of the service-linked role of a service namespace, in this stack's account. */
export function serviceLinkedRoleArn(
  scope: IConstruct,
  namespace: ScalableTargetSpec['serviceNamespace'],
): string {
  const role = SERVICE_LINKED_ROLES[namespace];
  return Stack.of(scope).formatArn({
    service: 'iam',
    region: '',
    resource: 'role',
    resourceName: `aws-service-role/${role.service}/${role.name}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
