import {
  type ApplicationAutoScalingClient,
  type ScalingPolicy as AwsPolicy,
  DeleteScheduledActionCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { mapLimit } from '../../core/map-limit';
import { PlatformError } from '../../core/tests/errors';
import type { ScalableTargetRef } from '../../model/scaling';
import type {
  ScalableTargetStatus,
  ScalingBackend,
  ScalingConfigChange,
  ScheduleSpec,
} from '../../ports/scaling';
import { call, PREDEFINED_METRIC, toPolicy, toSchedule } from './app-autoscaling-mapping';
import {
  ACTIVITY_PAGE,
  describeActivities,
  describePolicies,
  describeSchedules,
  describeTarget,
  type Identity,
  identity,
} from './app-autoscaling-reads';
import { type CapacityClients, readCapacity } from './current-capacity';

/**
 * The scaling port on Application Auto Scaling. The CDK stack registers the targets; this adapter
 * reads them, changes min/max, the target-tracking policy and schedules, and forces a capacity.
 *
 * A manual capacity is AWS's documented way: min = max = capacity, and the service scales to it.
 * Scheduled scaling is suspended meanwhile (a schedule would otherwise rewrite min/max), which is
 * what `suspended` reports; the next configure lifts it.
 */

export interface AppAutoScalingOptions extends CapacityClients {
  readonly autoscaling: ApplicationAutoScalingClient;
  /** Targets read at once by status(). Default 4 (the API throttles at a few calls a second). */
  readonly concurrency?: number;
}

const POLICY_NAME = (t: ScalableTargetRef) => `throughline-${t.id}-target-tracking`;

export function createAppAutoScaling(o: AppAutoScalingOptions): ScalingBackend {
  const aas = o.autoscaling;
  const concurrency = o.concurrency ?? 4;

  async function statusOf(t: ScalableTargetRef): Promise<ScalableTargetStatus> {
    const id = identity(t);
    const [target, policyList, scheduleList, recent, capacity] = await Promise.all([
      describeTarget(aas, t, id),
      describePolicies(aas, t, id),
      describeSchedules(aas, t, id),
      // In-progress activities are the newest; one page finds them. Not being able to list them
      // (throttling, a missing permission) must not hide the rest of the status.
      describeActivities(aas, t, id, { limit: ACTIVITY_PAGE, includeNotScaled: false, maxPages: 1 }).catch(
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
      readCapacity(o, t),
    ]);
    const s = target.SuspendedState;
    return {
      id: t.id,
      kind: t.kind,
      serviceNamespace: id.ServiceNamespace,
      resourceId: id.ResourceId,
      scalableDimension: id.ScalableDimension,
      current: capacity.current,
      desired: capacity.desired ?? capacity.current,
      min: target.MinCapacity ?? 0,
      max: target.MaxCapacity ?? 0,
      limits: t.limits,
      suspended: Boolean(
        s?.DynamicScalingInSuspended || s?.DynamicScalingOutSuspended || s?.ScheduledScalingSuspended,
      ),
      policies: policyList.map(toPolicy),
      schedules: scheduleList.map(toSchedule),
      activitiesInProgress:
        recent instanceof Error
          ? []
          : recent.filter((a) => a.status === 'Pending' || a.status === 'InProgress'),
      ...(recent instanceof Error
        ? { warnings: [`activities in progress could not be read: ${recent.message}`] }
        : {}),
    };
  }

  const register = (t: ScalableTargetRef, id: Identity, min: number, max: number, hold: boolean) =>
    call(t.id, 'RegisterScalableTarget', () =>
      aas.send(
        new RegisterScalableTargetCommand({
          ...id,
          MinCapacity: min,
          MaxCapacity: max,
          SuspendedState: {
            DynamicScalingInSuspended: false,
            DynamicScalingOutSuspended: false,
            ScheduledScalingSuspended: hold,
          },
        }),
      ),
    );

  /** The existing target-tracking policy with the new figures, or a new one on the kind's metric. */
  function trackingPolicy(t: ScalableTargetRef, existing: readonly AwsPolicy[], change: ScalingConfigChange) {
    const tracking = existing.filter(
      (p) => p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingScalingPolicyConfiguration,
    );
    const predefined = t.kind === 'local-workers' ? undefined : PREDEFINED_METRIC[t.kind];
    const policy =
      tracking.find(
        (p) =>
          p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType ===
          predefined,
      ) ?? tracking[0];
    const cooldowns = {
      ...(change.scaleInCooldownSeconds !== undefined
        ? { ScaleInCooldown: change.scaleInCooldownSeconds }
        : {}),
      ...(change.scaleOutCooldownSeconds !== undefined
        ? { ScaleOutCooldown: change.scaleOutCooldownSeconds }
        : {}),
    };
    if (policy?.PolicyName && policy.TargetTrackingScalingPolicyConfiguration) {
      const c = policy.TargetTrackingScalingPolicyConfiguration;
      return {
        PolicyName: policy.PolicyName,
        config: { ...c, TargetValue: change.targetValue ?? c.TargetValue, ...cooldowns },
      };
    }
    if (change.targetValue === undefined || !predefined)
      throw new PlatformError(
        'E_INVALID_REQUEST',
        `target ${t.id} has no target-tracking policy: give targetValue to create one`,
        { target: t.id },
      );
    return {
      PolicyName: POLICY_NAME(t),
      config: {
        TargetValue: change.targetValue,
        PredefinedMetricSpecification: { PredefinedMetricType: predefined },
        ...cooldowns,
      },
    };
  }

  async function replaceSchedules(t: ScalableTargetRef, id: Identity, wanted: readonly ScheduleSpec[]) {
    const existing = await describeSchedules(aas, t, id);
    // Put before delete, so a schedule being replaced never leaves a gap.
    for (const s of wanted)
      await call(t.id, 'PutScheduledAction', () =>
        aas.send(
          new PutScheduledActionCommand({
            ...id,
            ScheduledActionName: s.name,
            Schedule: s.schedule,
            ...(s.timezone ? { Timezone: s.timezone } : {}),
            ScalableTargetAction: {
              ...(s.min !== undefined ? { MinCapacity: s.min } : {}),
              ...(s.max !== undefined ? { MaxCapacity: s.max } : {}),
            },
          }),
        ),
      );
    const keep = new Set(wanted.map((s) => s.name));
    for (const a of existing)
      if (a.ScheduledActionName && !keep.has(a.ScheduledActionName))
        await call(t.id, 'DeleteScheduledAction', () =>
          aas.send(new DeleteScheduledActionCommand({ ...id, ScheduledActionName: a.ScheduledActionName })),
        );
  }

  return {
    source: 'application-autoscaling',

    status: (targets) => mapLimit(targets, concurrency, statusOf),

    async configure(t, change) {
      const id = identity(t);
      const current = await describeTarget(aas, t, id);
      const touchesPolicy =
        change.targetValue !== undefined ||
        change.scaleInCooldownSeconds !== undefined ||
        change.scaleOutCooldownSeconds !== undefined;
      // Worked out before any write, so a request that cannot apply changes nothing.
      const policy = touchesPolicy
        ? trackingPolicy(t, await describePolicies(aas, t, id), change)
        : undefined;
      await register(
        t,
        id,
        change.min ?? current.MinCapacity ?? 0,
        change.max ?? current.MaxCapacity ?? 0,
        false,
      );
      if (policy)
        await call(t.id, 'PutScalingPolicy', () =>
          aas.send(
            new PutScalingPolicyCommand({
              ...id,
              PolicyName: policy.PolicyName,
              PolicyType: 'TargetTrackingScaling',
              TargetTrackingScalingPolicyConfiguration: policy.config,
            }),
          ),
        );
      if (change.schedules) await replaceSchedules(t, id, change.schedules);
      return statusOf(t);
    },

    async setCapacity(t, capacity) {
      const id = identity(t);
      await register(t, id, capacity, capacity, true);
      return statusOf(t);
    },

    activities: async (t, q) =>
      describeActivities(aas, t, identity(t), {
        limit: q.limit,
        includeNotScaled: true,
        ...(q.fromMs !== undefined ? { fromMs: q.fromMs } : {}),
      }),
  };
}
