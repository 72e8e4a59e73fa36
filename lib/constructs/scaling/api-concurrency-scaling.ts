import { Duration, TimeZone } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import type { Alias, IScalableFunctionAttribute } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ApiScalingSettings, ScheduleSettings } from '../../config/scaling-settings';

export interface ApiConcurrencyScalingProps {
  /** The `live` alias of every route that gets provisioned concurrency, by route id. */
  readonly aliases: ReadonlyMap<string, Alias>;
  readonly settings: ApiScalingSettings;
}

/**
 * Provisioned concurrency on the API's read-heavy routes: each `live` alias (what API Gateway
 * invokes) is an Application Auto Scaling target between min and max, tracking the share of its
 * provisioned concurrency in use, with the configured scheduled actions. Warm instances answer
 * without a cold start, which is what a p99 latency target on a rarely-called API needs.
 */
export class ApiConcurrencyScaling extends Construct {
  /** The scalable attribute of each aliased route, by route id. */
  readonly targets: ReadonlyMap<string, IScalableFunctionAttribute>;

  constructor(scope: Construct, id: string, props: ApiConcurrencyScalingProps) {
    super(scope, id);
    const s = props.settings;
    const targets = new Map<string, IScalableFunctionAttribute>();
    for (const [route, alias] of props.aliases) {
      const target = alias.addAutoScaling({ minCapacity: s.min, maxCapacity: s.max });
      target.scaleOnUtilization({
        utilizationTarget: s.utilizationTarget,
        scaleInCooldown: Duration.seconds(s.scaleInCooldownSeconds),
        scaleOutCooldown: Duration.seconds(s.scaleOutCooldownSeconds),
      });
      for (const schedule of s.schedules) target.scaleOnSchedule(schedule.name, scalingSchedule(schedule));
      targets.set(route, target);
    }
    this.targets = targets;
  }
}

/** A scheduled action as CDK takes it. */
export function scalingSchedule(s: ScheduleSettings) {
  return {
    schedule: Schedule.expression(s.schedule),
    ...(s.min === undefined ? {} : { minCapacity: s.min }),
    ...(s.max === undefined ? {} : { maxCapacity: s.max }),
    ...(s.timezone === undefined ? {} : { timeZone: TimeZone.of(s.timezone) }),
  };
}
