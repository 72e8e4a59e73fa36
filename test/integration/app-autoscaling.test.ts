import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  type DescribeScalingActivitiesCommandInput,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateReplicationGroupCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { type GetProvisionedConcurrencyConfigCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppAutoScaling } from '../../lambdas/adapters/aws/app-autoscaling';
import { AppAutoScalingError } from '../../lambdas/adapters/aws/app-autoscaling-mapping';
import { readCapacity } from '../../lambdas/adapters/aws/current-capacity';
import { PlatformError } from '../../lambdas/core/tests/errors';
import type { ScalableTargetRef } from '../../lambdas/model/scaling';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';

// The Application Auto Scaling backend against moto, with a real ECS service behind the target.
// What moto 5.2.5 lacks, and how these tests deal with it:
// - DescribeScalingActivities is not implemented: a middleware answers it with activities as AWS
//   shapes them (the stub below), for status' in-progress list and for activities();
// - Lambda's GetProvisionedConcurrencyConfig is not implemented: status reads null capacity from
//   moto (as it must when the call fails), and one test answers the call with a middleware;
// - ElastiCache is not a namespace moto's Application Auto Scaling accepts, so the replication
//   group's shards and replicas are read with readCapacity directly against moto's ElastiCache;
// - moto's ECS services report runningCount 0 (no tasks run), hence current 0, desired 2.

let moto: Moto;
let aas: ApplicationAutoScalingClient;
let ecs: ECSClient;
let elasticache: ElastiCacheClient;
const activityCalls: DescribeScalingActivitiesCommandInput[] = [];

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000);
const target = (id: string, service: string): ScalableTargetRef => ({
  id,
  kind: 'ecs-service',
  serviceNamespace: 'ecs',
  resourceId: `service/shop/${service}`,
  scalableDimension: 'ecs:service:DesiredCount',
  limits: { min: 0, max: 20 },
});
const checkout = target('checkout', 'checkout');
/** Its resource id contains checkout's: moto's policy filter is a substring match, AWS's is not. */
const checkoutV2 = target('checkout-v2', 'checkout-v2');

const activity = (id: string, minutesAgo: number, extra: Partial<ScalingActivity>): ScalingActivity => ({
  ActivityId: id,
  ServiceNamespace: 'ecs',
  ResourceId: 'service/shop/checkout',
  ScalableDimension: 'ecs:service:DesiredCount',
  Description: `activity ${id}`,
  Cause:
    'monitor alarm TargetTracking-service/shop/checkout-AlarmHigh in state ALARM triggered policy cpu-target',
  StartTime: ago(minutesAgo),
  StatusCode: 'Successful',
  ...extra,
});
/** What AWS would hold for checkout, newest first, two pages. */
const PAGES: ScalingActivity[][] = [
  [
    activity('a1', 1, { StatusCode: 'InProgress', Description: 'Setting desired count to 4.' }),
    activity('a2', 5, {
      StatusCode: 'Failed',
      Description: 'Attempting to scale out',
      NotScaledReasons: [{ Code: 'AlreadyAtMaxCapacity', MaxCapacity: 10, CurrentCapacity: 10 }],
    }),
    activity('a3', 10, { EndTime: ago(9) }),
  ],
  [
    activity('a4', 20, { EndTime: ago(19), StatusMessage: 'Successfully set desired count to 2.' }),
    activity('a5', 30, { StatusCode: 'Failed', StatusMessage: 'Service not stable' }),
  ],
];

function stubActivities(client: ApplicationAutoScalingClient) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'DescribeScalingActivitiesCommand') return next(args);
      const input = args.input as DescribeScalingActivitiesCommandInput;
      activityCalls.push({ ...input });
      const mine = input.ResourceId === 'service/shop/checkout';
      const page = input.NextToken === 'p2' ? 1 : 0;
      const items = (mine ? (PAGES[page] ?? []) : []).filter(
        (a) => input.IncludeNotScaledActivities || !a.NotScaledReasons,
      );
      return {
        output: {
          ScalingActivities: items,
          ...(mine && page === 0 ? { NextToken: 'p2' } : {}),
          $metadata: {},
        },
        response: {},
      } as unknown as Awaited<ReturnType<typeof next>>;
    },
    { step: 'initialize', name: 'describeScalingActivitiesStub' },
  );
}

beforeAll(async () => {
  moto = await startMoto();
  const config = awsClientConfig(moto.endpoint);
  aas = new ApplicationAutoScalingClient(config);
  stubActivities(aas);
  ecs = new ECSClient(config);
  elasticache = new ElastiCacheClient(config);
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout',
      containerDefinitions: [{ name: 'app', image: 'public.ecr.aws/nginx/nginx:latest', memory: 512 }],
    }),
  );
  for (const name of ['checkout', 'checkout-v2'])
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'shop',
        serviceName: name,
        taskDefinition: 'checkout',
        desiredCount: 2,
      }),
    );
  for (const t of [checkout, checkoutV2])
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: t.resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 10,
      }),
    );
  await aas.send(
    new PutScalingPolicyCommand({
      PolicyName: 'cpu-target',
      ServiceNamespace: 'ecs',
      ResourceId: 'service/shop/checkout',
      ScalableDimension: 'ecs:service:DesiredCount',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        ScaleInCooldown: 120,
        ScaleOutCooldown: 30,
      },
    }),
  );
  await aas.send(
    new PutScheduledActionCommand({
      ServiceNamespace: 'ecs',
      ResourceId: 'service/shop/checkout',
      ScalableDimension: 'ecs:service:DesiredCount',
      ScheduledActionName: 'night',
      Schedule: 'cron(0 22 * * ? *)',
      Timezone: 'Europe/Paris',
      ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 },
    }),
  );
});
afterAll(async () => {
  for (const c of [aas, ecs, elasticache]) c?.destroy();
  await moto?.stop();
});

const backend = () => createAppAutoScaling({ autoscaling: aas, ecs });

describe('Application Auto Scaling backend: status', () => {
  it('reports limits, policy, schedules, capacity and in-progress activities, in the given order', async () => {
    const [one, two] = await backend().status([checkout, checkoutV2]);
    expect(one).toEqual({
      id: 'checkout',
      kind: 'ecs-service',
      serviceNamespace: 'ecs',
      resourceId: 'service/shop/checkout',
      scalableDimension: 'ecs:service:DesiredCount',
      current: 0,
      desired: 2,
      min: 1,
      max: 10,
      limits: { min: 0, max: 20 },
      suspended: false,
      policies: [
        {
          name: 'cpu-target',
          type: 'TargetTrackingScaling',
          metric: 'ECSServiceAverageCPUUtilization',
          targetValue: 60,
          scaleInCooldownSeconds: 120,
          scaleOutCooldownSeconds: 30,
        },
      ],
      schedules: [
        { name: 'night', schedule: 'cron(0 22 * * ? *)', timezone: 'Europe/Paris', min: 1, max: 2 },
      ],
      activitiesInProgress: [
        {
          id: 'a1',
          target: 'checkout',
          startedAt: ago(1).toISOString(),
          status: 'InProgress',
          cause: expect.stringContaining('cpu-target'),
          description: 'Setting desired count to 4.',
        },
      ],
    });
    // checkout's policy and schedule are not checkout-v2's, whatever moto's substring filter says.
    expect(two).toMatchObject({ id: 'checkout-v2', policies: [], schedules: [], activitiesInProgress: [] });
  });

  it('leaves capacity null when the service client is not given', async () => {
    const [status] = await createAppAutoScaling({ autoscaling: aas }).status([checkout]);
    expect([status?.current, status?.desired]).toEqual([null, null]);
  });

  it('says which targets it cannot manage', async () => {
    const local: ScalableTargetRef = {
      id: 'local-workers',
      kind: 'local-workers',
      limits: { min: 1, max: 8 },
    };
    await expect(backend().status([local])).rejects.toMatchObject({ code: 'E_INVALID_REQUEST' });
    const unregistered = await backend()
      .status([target('ghost', 'ghost')])
      .catch((e: unknown) => e);
    expect(unregistered).toBeInstanceOf(AppAutoScalingError);
    expect(unregistered).toMatchObject({ code: 'E_SCALING_TARGET_NOT_REGISTERED' });
    const bad = { ...checkout, scalableDimension: 'ecs:service:Replicas' };
    const err = await backend()
      .status([bad])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ code: 'E_INVALID_REQUEST' });
    expect((err as Error).message).toContain('DescribeScalableTargets');
    expect(((err as Error).cause as Error).name).toBe('ValidationException');
  });
});

describe('Application Auto Scaling backend: changes', () => {
  const policiesOf = async (resourceId: string) =>
    (
      await aas.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceId,
          ScalableDimension: 'ecs:service:DesiredCount',
        }),
      )
    ).ScalingPolicies?.filter((p) => p.ResourceId === resourceId) ?? [];

  it('updates min/max, the existing policy in place and replaces the schedules', async () => {
    const status = await backend().configure(checkout, {
      min: 2,
      max: 8,
      targetValue: 45,
      scaleOutCooldownSeconds: 10,
      schedules: [{ name: 'morning', schedule: 'cron(0 8 * * ? *)', min: 4 }],
    });
    expect(status).toMatchObject({ min: 2, max: 8, suspended: false });
    expect(status.policies).toEqual([
      {
        name: 'cpu-target',
        type: 'TargetTrackingScaling',
        metric: 'ECSServiceAverageCPUUtilization',
        targetValue: 45,
        scaleInCooldownSeconds: 120,
        scaleOutCooldownSeconds: 10,
      },
    ]);
    expect(status.schedules).toEqual([{ name: 'morning', schedule: 'cron(0 8 * * ? *)', min: 4 }]);
    const actions = await aas.send(
      new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/checkout' }),
    );
    expect(actions.ScheduledActions?.map((a) => a.ScheduledActionName)).toEqual(['morning']);
  });

  it('keeps what a change does not name', async () => {
    const status = await backend().configure(checkout, { max: 9 });
    expect(status).toMatchObject({ min: 2, max: 9 });
    expect(status.policies[0]?.targetValue).toBe(45);
    expect(status.schedules.map((s) => s.name)).toEqual(['morning']);
    expect((await backend().configure(checkout, { schedules: [] })).schedules).toEqual([]);
  });

  it("creates a target-tracking policy on the kind's metric when there is none", async () => {
    const status = await backend().configure(checkoutV2, { targetValue: 70, scaleInCooldownSeconds: 300 });
    expect(status.policies).toEqual([
      {
        name: 'throughline-checkout-v2-target-tracking',
        type: 'TargetTrackingScaling',
        metric: 'ECSServiceAverageCPUUtilization',
        targetValue: 70,
        scaleInCooldownSeconds: 300,
      },
    ]);
    expect((await policiesOf('service/shop/checkout-v2')).map((p) => p.PolicyName)).toEqual([
      'throughline-checkout-v2-target-tracking',
    ]);
  });

  it('refuses cooldowns without a policy, before changing anything', async () => {
    const fresh = target('checkout-v3', 'checkout-v3');
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'shop',
        serviceName: 'checkout-v3',
        taskDefinition: 'checkout',
        desiredCount: 1,
      }),
    );
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: fresh.resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 3,
      }),
    );
    const err = await backend()
      .configure(fresh, { max: 6, scaleInCooldownSeconds: 60 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).message).toMatch(/no target-tracking policy/);
    const [status] = await backend().status([fresh]);
    expect(status).toMatchObject({ min: 1, max: 3, policies: [] });
  });

  it('holds a manual capacity until the next configure', async () => {
    const held = await backend().setCapacity(checkout, 5);
    expect(held).toMatchObject({ min: 5, max: 5, suspended: true });
    const raw = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/shop/checkout'] }),
    );
    expect(raw.ScalableTargets?.[0]?.SuspendedState).toEqual({
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: true,
    });
    const released = await backend().configure(checkout, { min: 1, max: 10 });
    expect(released).toMatchObject({ min: 1, max: 10, suspended: false });
  });

  it('turns a ValidationException into E_INVALID_REQUEST with its cause', async () => {
    // moto, like AWS, refuses to register a target for an ECS service that does not exist.
    const err = await backend()
      .setCapacity(target('ghost', 'ghost'), 3)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({
      code: 'E_INVALID_REQUEST',
      details: { target: 'ghost', operation: 'RegisterScalableTarget' },
    });
    expect((err as Error).message).toContain("ECS service doesn't exist");
    expect(((err as Error).cause as Error).name).toBe('ValidationException');
  });
});

describe('Application Auto Scaling backend: activities (stubbed: moto lacks DescribeScalingActivities)', () => {
  it('pages newest first with the not-scaled ones, up to the limit', async () => {
    activityCalls.length = 0;
    const all = await backend().activities(checkout, { limit: 10 });
    expect(all.map((a) => [a.id, a.status])).toEqual([
      ['a1', 'InProgress'],
      ['a2', 'NotScaled'],
      ['a3', 'Successful'],
      ['a4', 'Successful'],
      ['a5', 'Failed'],
    ]);
    expect(all[1]?.notScaledReasons).toEqual([
      { code: 'AlreadyAtMaxCapacity', currentCapacity: 10, max: 10 },
    ]);
    expect(all[3]).toMatchObject({
      endedAt: ago(19).toISOString(),
      statusMessage: 'Successfully set desired count to 2.',
    });
    expect(activityCalls).toEqual([
      expect.objectContaining({
        ResourceId: 'service/shop/checkout',
        IncludeNotScaledActivities: true,
        MaxResults: 50,
      }),
      expect.objectContaining({ NextToken: 'p2', IncludeNotScaledActivities: true }),
    ]);
    activityCalls.length = 0;
    expect((await backend().activities(checkout, { limit: 2 })).map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(activityCalls).toHaveLength(1);
  });

  it('stops at fromMs', async () => {
    const recent = await backend().activities(checkout, { fromMs: ago(15).getTime(), limit: 10 });
    expect(recent.map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
    expect(await backend().activities(checkoutV2, { limit: 10 })).toEqual([]);
  });
});

describe('current capacity from the services', () => {
  const lambdaTarget: ScalableTargetRef = {
    id: 'api-get-test',
    kind: 'lambda-provisioned-concurrency',
    serviceNamespace: 'lambda',
    resourceId: 'function:api-get-test:live',
    scalableDimension: 'lambda:function:ProvisionedConcurrency',
    limits: { min: 0, max: 100 },
  };

  it('reads Lambda provisioned concurrency: null on moto, allocated vs requested from AWS (stubbed)', async () => {
    const lambda = new LambdaClient(awsClientConfig(moto.endpoint));
    expect(await readCapacity({ lambda }, lambdaTarget)).toEqual({ current: null, desired: null });
    const inputs: GetProvisionedConcurrencyConfigCommandInput[] = [];
    lambda.middlewareStack.add(
      (next) => async (args) => {
        inputs.push({ ...(args.input as GetProvisionedConcurrencyConfigCommandInput) });
        return {
          output: {
            AllocatedProvisionedConcurrentExecutions: 3,
            RequestedProvisionedConcurrentExecutions: 5,
            Status: 'IN_PROGRESS',
            $metadata: {},
          },
          response: {},
        } as unknown as Awaited<ReturnType<typeof next>>;
      },
      { step: 'initialize', name: 'provisionedConcurrencyStub' },
    );
    expect(await readCapacity({ lambda }, lambdaTarget)).toEqual({ current: 3, desired: 5 });
    expect(inputs).toEqual([{ FunctionName: 'api-get-test', Qualifier: 'live' }]);
    lambda.destroy();
  });

  it('reads ElastiCache shards and replicas per shard from the replication group', async () => {
    await elasticache.send(
      new CreateReplicationGroupCommand({
        ReplicationGroupId: 'tl-cache',
        ReplicationGroupDescription: 'cache tier',
        Engine: 'valkey',
        CacheNodeType: 'cache.t4g.micro',
        ClusterMode: 'enabled',
        NumNodeGroups: 3,
        ReplicasPerNodeGroup: 2,
        NodeGroupConfiguration: [{ NodeGroupId: '0002', ReplicaCount: 1 }],
      }),
    );
    const ref = (kind: 'elasticache-shards' | 'elasticache-replicas'): ScalableTargetRef => ({
      id: kind,
      kind,
      serviceNamespace: 'elasticache',
      resourceId: 'replication-group/tl-cache',
      scalableDimension:
        kind === 'elasticache-shards'
          ? 'elasticache:replication-group:NodeGroups'
          : 'elasticache:replication-group:Replicas',
      limits: { min: 1, max: 10 },
    });
    expect(await readCapacity({ elasticache }, ref('elasticache-shards'))).toEqual({
      current: 3,
      desired: 3,
    });
    // Shard 0002 has one replica, the others two: the fewest is what every shard is sure to have.
    expect(await readCapacity({ elasticache }, ref('elasticache-replicas'))).toEqual({
      current: 1,
      desired: 1,
    });
    const gone = { ...ref('elasticache-shards'), resourceId: 'replication-group/nope' };
    expect(await readCapacity({ elasticache }, gone)).toEqual({ current: null, desired: null });
  });

  it('reads an ECS service running vs desired count', async () => {
    expect(await readCapacity({ ecs }, checkout)).toEqual({ current: 0, desired: 2 });
    expect(await readCapacity({ ecs }, { ...checkout, resourceId: 'service/shop/nope' })).toEqual({
      current: null,
      desired: null,
    });
  });
});
