import {
  type ApplicationAutoScalingClient,
  type ScalingPolicy as AwsPolicy,
  type ScheduledAction as AwsSchedule,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  type ScalableDimension,
  type ScalableTarget,
  type ServiceNamespace,
} from '@aws-sdk/client-application-auto-scaling';
import { PlatformError } from '../../core/tests/errors';
import type { ScalableTargetRef } from '../../model/scaling';
import type { ScalingActivity } from '../../ports/scaling';
import { AppAutoScalingError, call, toActivity } from './app-autoscaling-mapping';

/** Application Auto Scaling reads of one target, every page followed. */

export type Identity = {
  readonly ServiceNamespace: ServiceNamespace;
  readonly ResourceId: string;
  readonly ScalableDimension: ScalableDimension;
};

/** Not-scaled activities can outnumber real ones many times: pages of the API's maximum. */
export const ACTIVITY_PAGE = 50;

export function identity(t: ScalableTargetRef): Identity {
  if (t.kind === 'local-workers' || !t.serviceNamespace || !t.resourceId || !t.scalableDimension)
    throw new PlatformError(
      'E_INVALID_REQUEST',
      `target ${t.id} is not an Application Auto Scaling target (it needs serviceNamespace, resourceId and scalableDimension)`,
      { target: t.id, kind: t.kind },
    );
  // The configuration is validated as strings; AWS itself rejects a namespace or dimension it does not know.
  return {
    ServiceNamespace: t.serviceNamespace as ServiceNamespace,
    ResourceId: t.resourceId,
    ScalableDimension: t.scalableDimension as ScalableDimension,
  };
}

/** The API filters by resource; results are checked again so a looser filter cannot mix targets in. */
const same = (id: Identity, x: { ResourceId?: string | undefined; ScalableDimension?: string | undefined }) =>
  x.ResourceId === id.ResourceId && x.ScalableDimension === id.ScalableDimension;

export async function describeTarget(
  aas: ApplicationAutoScalingClient,
  t: ScalableTargetRef,
  id: Identity,
): Promise<ScalableTarget> {
  const res = await call(t.id, 'DescribeScalableTargets', () =>
    aas.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: id.ServiceNamespace,
        ResourceIds: [id.ResourceId],
        ScalableDimension: id.ScalableDimension,
      }),
    ),
  );
  const found = (res.ScalableTargets ?? []).find((x) => same(id, x));
  if (!found)
    throw new AppAutoScalingError(
      'E_SCALING_TARGET_NOT_REGISTERED',
      `target ${t.id} (${id.ResourceId}, ${id.ScalableDimension}) is not registered with Application Auto Scaling`,
    );
  return found;
}

export async function describePolicies(
  aas: ApplicationAutoScalingClient,
  t: ScalableTargetRef,
  id: Identity,
): Promise<AwsPolicy[]> {
  const out: AwsPolicy[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call(t.id, 'DescribeScalingPolicies', () =>
      aas.send(new DescribeScalingPoliciesCommand({ ...id, ...(NextToken ? { NextToken } : {}) })),
    );
    out.push(...(page.ScalingPolicies ?? []).filter((p) => same(id, p)));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

export async function describeSchedules(
  aas: ApplicationAutoScalingClient,
  t: ScalableTargetRef,
  id: Identity,
): Promise<AwsSchedule[]> {
  const out: AwsSchedule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await call(t.id, 'DescribeScheduledActions', () =>
      aas.send(new DescribeScheduledActionsCommand({ ...id, ...(NextToken ? { NextToken } : {}) })),
    );
    out.push(...(page.ScheduledActions ?? []).filter((a) => same(id, a)));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** Newest first (as the API returns them), until `limit` entries, one started before `fromMs`, or `maxPages`. */
export async function describeActivities(
  aas: ApplicationAutoScalingClient,
  t: ScalableTargetRef,
  id: Identity,
  q: {
    readonly fromMs?: number;
    readonly limit: number;
    readonly includeNotScaled: boolean;
    readonly maxPages?: number;
  },
): Promise<ScalingActivity[]> {
  const out: ScalingActivity[] = [];
  if (q.limit < 1) return out;
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const page = await call(t.id, 'DescribeScalingActivities', () =>
      aas.send(
        new DescribeScalingActivitiesCommand({
          ...id,
          IncludeNotScaledActivities: q.includeNotScaled,
          MaxResults: ACTIVITY_PAGE,
          ...(NextToken ? { NextToken } : {}),
        }),
      ),
    );
    pages++;
    for (const a of page.ScalingActivities ?? []) {
      if (!same(id, a)) continue;
      if (q.fromMs !== undefined && (a.StartTime?.getTime() ?? 0) < q.fromMs) return out;
      out.push(toActivity(t.id, a));
      if (out.length >= q.limit) return out;
    }
    NextToken = page.NextToken;
  } while (NextToken && pages < (q.maxPages ?? Number.POSITIVE_INFINITY));
  return out;
}
