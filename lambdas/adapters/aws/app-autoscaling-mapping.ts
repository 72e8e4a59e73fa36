import type {
  ScalingActivity as AwsActivity,
  ScalingPolicy as AwsPolicy,
  ScheduledAction as AwsSchedule,
  MetricType,
  TargetTrackingScalingPolicyConfiguration,
} from '@aws-sdk/client-application-auto-scaling';
import { PlatformError } from '../../core/tests/errors';
import type { ScalableKind } from '../../model/scaling';
import type { ScalingActivity, ScalingPolicySummary, ScheduleSpec } from '../../ports/scaling';

/** Application Auto Scaling's shapes to the scaling port's, and its errors to ours. */

/** The predefined metric a new target-tracking policy follows, per kind. */
export const PREDEFINED_METRIC: Readonly<Record<Exclude<ScalableKind, 'local-workers'>, MetricType>> = {
  'lambda-provisioned-concurrency': 'LambdaProvisionedConcurrencyUtilization',
  'ecs-service': 'ECSServiceAverageCPUUtilization',
  'elasticache-shards': 'ElastiCachePrimaryEngineCPUUtilization',
  'elasticache-replicas': 'ElastiCacheReplicaEngineCPUUtilization',
};

export function metricOf(c: TargetTrackingScalingPolicyConfiguration): string | undefined {
  if (c.PredefinedMetricSpecification?.PredefinedMetricType)
    return c.PredefinedMetricSpecification.PredefinedMetricType;
  const custom = c.CustomizedMetricSpecification;
  if (custom?.MetricName)
    return custom.Namespace ? `${custom.Namespace}/${custom.MetricName}` : custom.MetricName;
  // Metric-math customized metrics: name the first metric the math reads.
  const m = custom?.Metrics?.find((q) => q.MetricStat?.Metric?.MetricName)?.MetricStat?.Metric;
  return m ? `${m.Namespace ? `${m.Namespace}/` : ''}${m.MetricName}` : undefined;
}

export function toPolicy(p: AwsPolicy): ScalingPolicySummary {
  const c = p.TargetTrackingScalingPolicyConfiguration;
  const metric = c ? metricOf(c) : undefined;
  const type = (['TargetTrackingScaling', 'StepScaling', 'PredictiveScaling'] as const).find(
    (t) => t === p.PolicyType,
  );
  return {
    name: p.PolicyName ?? '',
    type: type ?? 'StepScaling',
    ...(metric ? { metric } : {}),
    ...(c?.TargetValue !== undefined ? { targetValue: c.TargetValue } : {}),
    ...(c?.ScaleInCooldown !== undefined ? { scaleInCooldownSeconds: c.ScaleInCooldown } : {}),
    ...(c?.ScaleOutCooldown !== undefined ? { scaleOutCooldownSeconds: c.ScaleOutCooldown } : {}),
    ...(c?.DisableScaleIn !== undefined ? { disableScaleIn: c.DisableScaleIn } : {}),
  };
}

export function toSchedule(a: AwsSchedule): ScheduleSpec {
  const action = a.ScalableTargetAction;
  return {
    name: a.ScheduledActionName ?? '',
    schedule: a.Schedule ?? '',
    ...(a.Timezone ? { timezone: a.Timezone } : {}),
    ...(action?.MinCapacity !== undefined ? { min: action.MinCapacity } : {}),
    ...(action?.MaxCapacity !== undefined ? { max: action.MaxCapacity } : {}),
  };
}

const STATUSES = ['Pending', 'InProgress', 'Successful', 'Overridden', 'Unfulfilled', 'Failed'] as const;

export function toActivity(targetId: string, a: AwsActivity): ScalingActivity {
  const reasons = (a.NotScaledReasons ?? []).map((r) => ({
    code: r.Code ?? '',
    ...(r.CurrentCapacity !== undefined ? { currentCapacity: r.CurrentCapacity } : {}),
    ...(r.MinCapacity !== undefined ? { min: r.MinCapacity } : {}),
    ...(r.MaxCapacity !== undefined ? { max: r.MaxCapacity } : {}),
  }));
  const status = STATUSES.find((s) => s === a.StatusCode) ?? 'Failed';
  return {
    id: a.ActivityId ?? '',
    target: targetId,
    startedAt: (a.StartTime ?? new Date(0)).toISOString(),
    ...(a.EndTime ? { endedAt: a.EndTime.toISOString() } : {}),
    // Not-scaled activities say why nothing moved; that, not their status code, is the news.
    status: reasons.length > 0 ? 'NotScaled' : status,
    cause: a.Cause ?? '',
    description: a.Description ?? '',
    ...(a.StatusMessage ? { statusMessage: a.StatusMessage } : {}),
    ...(reasons.length > 0 ? { notScaledReasons: reasons } : {}),
  };
}

/** Stable code of this adapter's own failures; `cause` keeps the SDK error. */
export class AppAutoScalingError extends PlatformError {
  constructor(
    override readonly code: 'E_SCALING_TARGET_NOT_REGISTERED' | 'E_SCALING_API',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, undefined, options);
    this.name = 'AppAutoScalingError';
  }
}

/**
 * Runs one API call for a target. AWS's ValidationException is the request's fault (min above max,
 * a schedule it cannot parse): it becomes E_INVALID_REQUEST with AWS's message; anything else keeps
 * its cause under E_SCALING_API.
 */
export async function call<T>(targetId: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const message = err instanceof Error ? err.message : String(err);
    if (name === 'ValidationException')
      throw new PlatformError(
        'E_INVALID_REQUEST',
        `Application Auto Scaling rejected ${operation} for ${targetId}: ${message}`,
        { target: targetId, operation, awsError: name },
        { cause: err },
      );
    throw new AppAutoScalingError('E_SCALING_API', `${operation} failed for ${targetId}: ${message}`, {
      cause: err,
    });
  }
}
