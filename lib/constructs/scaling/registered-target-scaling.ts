import { Duration } from 'aws-cdk-lib';
import { PredefinedMetric, ScalableTarget, ServiceNamespace } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { CacheDimensionSettings, ScalingSettings } from '../../config/scaling-settings';
import { scalingSchedule } from './api-concurrency-scaling';
import type { ScalableTargetSpec } from './scalable-targets';
import { serviceLinkedRoleArn } from './service-linked-roles';

export interface RegisteredTargetScalingProps {
  readonly settings: Pick<ScalingSettings, 'elasticache' | 'ecsServices'>;
  /** Every scalable target (scalableTargetSpecs): their ids name the constructs. */
  readonly specs: readonly ScalableTargetSpec[];
}

/**
 * Application Auto Scaling of the registered ElastiCache replication groups (shards on the primary
 * engine CPU, replicas on the replicas' engine CPU) and ECS services (average CPU), each with its
 * scheduled actions. The stack registers the targets with the values in cdk.json; PUT
 * /performance/scaling/config changes them until the next deploy sets them back.
 */
export class RegisteredTargetScaling extends Construct {
  /** Every target registered here, by scalable target id. */
  readonly targets: ReadonlyMap<string, ScalableTarget>;
  private readonly registered = new Map<string, ScalableTarget>();

  constructor(scope: Construct, id: string, props: RegisteredTargetScalingProps) {
    super(scope, id);
    const spec = (resourceId: string, dimension: string): ScalableTargetSpec => {
      const found = props.specs.find((s) => s.resourceId === resourceId && s.scalableDimension === dimension);
      if (found === undefined) throw new Error(`no scalable target spec for ${resourceId} ${dimension}`);
      return found;
    };
    for (const group of props.settings.elasticache) {
      const resourceId = `replication-group/${group.replicationGroupId}`;
      if (group.shards)
        this.cache(
          spec(resourceId, 'elasticache:replication-group:NodeGroups'),
          group.shards,
          PredefinedMetric.ELASTICACHE_PRIMARY_ENGINE_CPU_UTILIZATION,
        );
      if (group.replicas)
        this.cache(
          spec(resourceId, 'elasticache:replication-group:Replicas'),
          group.replicas,
          PredefinedMetric.ELASTICACHE_REPLICA_ENGINE_CPU_UTILIZATION,
        );
    }
    for (const service of props.settings.ecsServices) {
      const target = this.register(
        spec(`service/${service.cluster}/${service.service}`, 'ecs:service:DesiredCount'),
        service.min,
        service.max,
      );
      target.scaleToTrackMetric('CpuTracking', {
        targetValue: service.targetCpuPercent,
        predefinedMetric: PredefinedMetric.ECS_SERVICE_AVERAGE_CPU_UTILIZATION,
        scaleInCooldown: Duration.seconds(service.scaleInCooldownSeconds),
        scaleOutCooldown: Duration.seconds(service.scaleOutCooldownSeconds),
      });
      for (const s of service.schedules) target.scaleOnSchedule(s.name, scalingSchedule(s));
    }
    this.targets = this.registered;
  }

  private cache(spec: ScalableTargetSpec, s: CacheDimensionSettings, metric: PredefinedMetric): void {
    const target = this.register(spec, s.min, s.max);
    target.scaleToTrackMetric('CpuTracking', {
      targetValue: s.targetCpuPercent,
      predefinedMetric: metric,
      scaleInCooldown: Duration.seconds(s.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(s.scaleOutCooldownSeconds),
    });
    for (const schedule of s.schedules) target.scaleOnSchedule(schedule.name, scalingSchedule(schedule));
  }

  private register(spec: ScalableTargetSpec, min: number, max: number): ScalableTarget {
    const namespace = spec.serviceNamespace === 'ecs' ? ServiceNamespace.ECS : ServiceNamespace.ELASTICACHE;
    const target = new ScalableTarget(this, spec.id, {
      serviceNamespace: namespace,
      resourceId: spec.resourceId,
      scalableDimension: spec.scalableDimension,
      minCapacity: min,
      maxCapacity: max,
      // The service-linked role, as CDK's own ECS and Lambda scaling use: without it CDK would create
      // a plain role with no permissions that Application Auto Scaling ignores anyway.
      role: Role.fromRoleArn(this, `${spec.id}-Role`, serviceLinkedRoleArn(this, spec.serviceNamespace), {
        mutable: false,
      }),
    });
    this.registered.set(spec.id, target);
    return target;
  }
}
