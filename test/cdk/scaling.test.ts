// Provisioned concurrency of the API's read-heavy routes, Application Auto Scaling of registered
// ElastiCache groups and ECS services, and the JSON the operations handlers are configured with
// (checked against the runtime's own schemas: test-only imports, lib/ never imports lambdas/).
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { monitoredListSchema } from '../../lambdas/core/observability/monitored';
import { scalableTargetListSchema, TARGET_VALUE_RANGE } from '../../lambdas/core/scaling/targets';
import { ThroughlineConfigError } from '../../lib/config/load-settings';
import {
  environmentBytes,
  LAMBDA_ENVIRONMENT_LIMIT_BYTES,
} from '../../lib/constructs/shared/environment-budget';
import { FULL_SETTINGS, flattenTokens, logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

function fixture(settings?: unknown) {
  const { stack } = synthStack(settings === undefined ? {} : { settings });
  const template = Template.fromStack(stack);
  const targets = Object.entries(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalableTarget')).map(
    ([id, t]) => ({
      logicalId: id,
      ...(t.Properties as {
        ResourceId: unknown;
        ScalableDimension: string;
        ServiceNamespace: string;
        MinCapacity: number;
        MaxCapacity: number;
        RoleARN: unknown;
        ScheduledActions?: unknown[];
      }),
      resourceId: flattenTokens(t.Properties.ResourceId),
    }),
  );
  const policies = Object.values(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map(
    (p) => p.Properties,
  );
  const variable = (routeId: string, name: string): unknown => {
    const handler = stack.api.handlers.get(routeId);
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[logicalIdOf(stack, handler?.function ?? stack)];
    const environment = fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    return environment?.Variables[name];
  };
  return { stack, template, targets, policies, variable };
}

/**
 * CDK names an alias's target by the function name it takes from the alias ARN
 * (`function:<Select 6 of Split ":" of the alias>:live`): that is the alias's function, by name.
 */
function resourceIdOf(f: ReturnType<typeof fixture>, t: { resourceId: string }): string {
  for (const [route, alias] of f.stack.api.aliases) {
    const ref = JSON.stringify({ Ref: logicalIdOf(f.stack, alias) });
    if (t.resourceId.includes(ref) && t.resourceId.includes('"Fn::Select":[6,{"Fn::Split":[":"'))
      return `function:Throughline-${route.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}:live`;
  }
  return t.resourceId;
}

const target = (f: ReturnType<typeof fixture>, resourceId: string, dimension: string) => {
  const found = f.targets.find((t) => resourceIdOf(f, t) === resourceId && t.ScalableDimension === dimension);
  if (found === undefined) throw new Error(`no scalable target ${resourceId} ${dimension}`);
  return found;
};
/** The target-tracking configuration of the one policy attached to a scalable target. */
const trackingOf = (f: ReturnType<typeof fixture>, resourceId: string, dimension: string) => {
  const t = target(f, resourceId, dimension);
  const attached = f.policies.filter(
    (p) => JSON.stringify(p.ScalingTargetId) === JSON.stringify({ Ref: t.logicalId }),
  );
  expect(attached).toHaveLength(1);
  expect(attached[0]?.PolicyType).toBe('TargetTrackingScaling');
  return attached[0]?.TargetTrackingScalingPolicyConfiguration;
};

describe('provisioned concurrency of API routes (default settings)', () => {
  const f = fixture();

  it('aliases GetTest and GetResults as `live` and scales each between 1 and 10', () => {
    for (const [route, name] of [
      ['GetTest', 'Throughline-get-test'],
      ['GetResults', 'Throughline-get-results'],
    ] as const) {
      const alias = f.stack.api.aliases.get(route);
      expect(alias?.aliasName).toBe('live');
      const t = target(f, `function:${name}:live`, 'lambda:function:ProvisionedConcurrency');
      expect(t).toMatchObject({ ServiceNamespace: 'lambda', MinCapacity: 1, MaxCapacity: 10 });
      expect(flattenTokens(t.RoleARN)).toBe(
        'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/lambda.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency',
      );
    }
    expect(f.targets).toHaveLength(2);
  });

  it('tracks 70 % utilization of the provisioned concurrency, scaling in after 5 minutes and out after 1', () => {
    expect(f.policies).toHaveLength(2);
    for (const name of ['Throughline-get-test', 'Throughline-get-results'])
      expect(trackingOf(f, `function:${name}:live`, 'lambda:function:ProvisionedConcurrency')).toEqual({
        TargetValue: 0.7,
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
      });
  });

  it('has no scheduled action and no other target unless configured', () => {
    for (const t of f.targets) expect(t.ScheduledActions).toBeUndefined();
  });

  it('turns off with no routes: no alias, no target, every route invokes its function', () => {
    const off = fixture({ scaling: { api: { routes: [] } } });
    expect(off.targets).toEqual([]);
    expect(off.stack.api.aliases.size).toBe(0);
    off.template.resourceCountIs('AWS::Lambda::Alias', 0);
  });
});

describe('scaling with registered targets', () => {
  const f = fixture(FULL_SETTINGS);

  it('runs the API schedules on every aliased route, in their time zone', () => {
    for (const name of ['Throughline-get-test', 'Throughline-get-results'])
      expect(
        target(f, `function:${name}:live`, 'lambda:function:ProvisionedConcurrency').ScheduledActions,
      ).toEqual([
        {
          ScheduledActionName: 'office-hours',
          Schedule: 'cron(0 8 ? * MON-FRI *)',
          ScalableTargetAction: { MinCapacity: 5 },
          Timezone: 'Europe/Berlin',
        },
        {
          ScheduledActionName: 'evening',
          Schedule: 'cron(0 19 ? * MON-FRI *)',
          ScalableTargetAction: { MinCapacity: 1 },
          Timezone: 'Europe/Berlin',
        },
      ]);
  });

  it("scales the ElastiCache group's shards on the primaries' engine CPU and its replicas on the replicas'", () => {
    const shards = target(f, 'replication-group/sessions', 'elasticache:replication-group:NodeGroups');
    expect(shards).toMatchObject({ ServiceNamespace: 'elasticache', MinCapacity: 1, MaxCapacity: 4 });
    expect(shards.ScheduledActions).toEqual([
      {
        ScheduledActionName: 'nightly-batch',
        Schedule: 'cron(0 1 * * ? *)',
        ScalableTargetAction: { MinCapacity: 3 },
      },
    ]);
    expect(flattenTokens(shards.RoleARN)).toMatch(
      /role\/aws-service-role\/elasticache\.application-autoscaling\.amazonaws\.com\/AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG$/,
    );
    const replicas = target(f, 'replication-group/sessions', 'elasticache:replication-group:Replicas');
    expect(replicas).toMatchObject({ MinCapacity: 1, MaxCapacity: 3 });
    expect(trackingOf(f, 'replication-group/sessions', 'elasticache:replication-group:NodeGroups')).toEqual({
      TargetValue: 55,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ElastiCachePrimaryEngineCPUUtilization' },
      ScaleInCooldown: 1800,
      ScaleOutCooldown: 600,
    });
    expect(trackingOf(f, 'replication-group/sessions', 'elasticache:replication-group:Replicas')).toEqual({
      TargetValue: 60,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ElastiCacheReplicaEngineCPUUtilization' },
      ScaleInCooldown: 1800,
      ScaleOutCooldown: 600,
    });
  });

  it('scales the ECS service on average CPU, with its scheduled sale', () => {
    const service = target(f, 'service/shop/checkout', 'ecs:service:DesiredCount');
    expect(service).toMatchObject({ ServiceNamespace: 'ecs', MinCapacity: 2, MaxCapacity: 20 });
    expect(service.ScheduledActions).toEqual([
      {
        ScheduledActionName: 'sale',
        Schedule: 'at(2030-11-27T06:00:00)',
        ScalableTargetAction: { MinCapacity: 10, MaxCapacity: 40 },
      },
    ]);
    expect(trackingOf(f, 'service/shop/checkout', 'ecs:service:DesiredCount')).toEqual({
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ScaleInCooldown: 300,
      ScaleOutCooldown: 60,
    });
    expect(f.targets).toHaveLength(5);
    expect(f.policies).toHaveLength(5);
  });

  it('hands the scaling handlers THROUGHLINE_SCALABLE_TARGETS in the runtime schema, one per registered target', () => {
    const json = f.variable('GetScalingStatus', 'THROUGHLINE_SCALABLE_TARGETS');
    expect(typeof json).toBe('string');
    const list = scalableTargetListSchema.parse(JSON.parse(json as string));
    expect(list).toEqual([
      {
        id: 'api-get-test',
        kind: 'lambda-provisioned-concurrency',
        serviceNamespace: 'lambda',
        resourceId: 'function:Throughline-get-test:live',
        scalableDimension: 'lambda:function:ProvisionedConcurrency',
        limits: { min: 0, max: 900 },
      },
      expect.objectContaining({ id: 'api-get-results', resourceId: 'function:Throughline-get-results:live' }),
      {
        id: 'cache-sessions-shards',
        kind: 'elasticache-shards',
        serviceNamespace: 'elasticache',
        resourceId: 'replication-group/sessions',
        scalableDimension: 'elasticache:replication-group:NodeGroups',
        limits: { min: 1, max: 500 },
      },
      expect.objectContaining({ id: 'cache-sessions-replicas', limits: { min: 0, max: 5 } }),
      {
        id: 'ecs-shop-checkout',
        kind: 'ecs-service',
        serviceNamespace: 'ecs',
        resourceId: 'service/shop/checkout',
        scalableDimension: 'ecs:service:DesiredCount',
        limits: { min: 0, max: 5000 },
      },
    ]);
    // Each is registered by the stack, and its configured target value is one the runtime accepts.
    for (const t of list) {
      expect(target(f, t.resourceId ?? '', t.scalableDimension ?? '').ServiceNamespace).toBe(
        t.serviceNamespace,
      );
    }
    const range = TARGET_VALUE_RANGE['elasticache-shards'];
    expect(55).toBeGreaterThanOrEqual(range?.[0] ?? 0);
    for (const id of ['GetScalingHistory', 'PutScalingConfig', 'PostScalingManual'])
      expect(f.variable(id, 'THROUGHLINE_SCALABLE_TARGETS')).toBe(json);
  });

  it('follows the account concurrency of capacity.limits.lambdaConcurrency in the hard limits', () => {
    const big = fixture({ capacity: { limits: { lambdaConcurrency: 3000 } } });
    const list = JSON.parse(big.variable('GetScalingStatus', 'THROUGHLINE_SCALABLE_TARGETS') as string);
    expect(list[0].limits).toEqual({ min: 0, max: 2900 });
  });
});

describe('operations handlers environment', () => {
  const f = fixture(FULL_SETTINGS);

  it('gives the metrics handler THROUGHLINE_MONITORED in the runtime schema: the platform, then the targets', () => {
    const json = flattenTokens(f.variable('GetMetrics', 'THROUGHLINE_MONITORED'));
    const list = monitoredListSchema.parse(JSON.parse(json));
    const platform = list.filter((r) => r.owner === 'platform');
    const fnId = (h: { function: object }) => `<${logicalIdOf(f.stack, h.function as never)}>`;
    expect(
      platform.filter((r) => r.kind === 'lambda').map((r) => (r as { functionName: string }).functionName),
    ).toEqual([
      ...[...f.stack.api.handlers.keys()].map(
        (id) => `Throughline-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
      ),
      ...Object.values(f.stack.orchestrator.functions.handlers).map(fnId),
      fnId(f.stack.alarmNotifications.notifier ?? { function: {} }),
      // Named, not referenced: the distribution it invalidates depends on the API, metrics included.
      'Throughline-cdn-invalidator',
    ]);
    expect(platform.filter((r) => r.kind !== 'lambda')).toEqual([
      { kind: 'apigateway', owner: 'platform', apiName: 'Throughline-performance', stage: 'v1' },
      {
        kind: 'stepfunctions',
        owner: 'platform',
        stateMachineArn: `<${logicalIdOf(f.stack, f.stack.orchestrator.stateMachine)}>`,
      },
      { kind: 'dynamodb', owner: 'platform', tableName: `<${logicalIdOf(f.stack, f.stack.storage.table)}>` },
    ]);
    expect(list.filter((r) => r.owner === 'target')).toEqual([
      { kind: 'lambda', owner: 'target', functionName: 'orders-api' },
      { kind: 'ecs', owner: 'target', cluster: 'shop', service: 'checkout' },
      {
        kind: 'elasticache',
        owner: 'target',
        replicationGroupId: 'sessions',
        clusterId: 'sessions-0001-001',
      },
      {
        kind: 'elasticache',
        owner: 'target',
        replicationGroupId: 'sessions',
        clusterId: 'sessions-0001-002',
      },
      { kind: 'elasticache', owner: 'target', replicationGroupId: 'catalog-cache' },
      { kind: 'rds', owner: 'target', instance: 'orders-db' },
      { kind: 'rds', owner: 'target', cluster: 'catalog-aurora' },
      { kind: 'apigateway', owner: 'target', apiName: 'shop-api', stage: 'prod' },
      { kind: 'cloudfront', owner: 'target', distributionId: 'E2QWRUHAPOMQZL' },
    ]);
  });

  it('gives each operations handler only the variables it reads', () => {
    const extra = (route: string) =>
      [
        'THROUGHLINE_MONITORED',
        'THROUGHLINE_SCALABLE_TARGETS',
        'THROUGHLINE_ALARM_PREFIX',
        'THROUGHLINE_NOTIFY_TOPIC_ARN',
      ]
        .filter((name) => f.variable(route, name) !== undefined)
        .sort();
    expect(extra('GetMetrics')).toEqual(['THROUGHLINE_MONITORED']);
    expect(extra('ListAlarms')).toEqual(['THROUGHLINE_ALARM_PREFIX']);
    expect(f.variable('ListAlarms', 'THROUGHLINE_ALARM_PREFIX')).toBe('Throughline/');
    for (const route of ['GetScalingStatus', 'GetScalingHistory', 'PutScalingConfig'])
      expect(extra(route)).toEqual(['THROUGHLINE_SCALABLE_TARGETS']);
    expect(extra('PostScalingManual')).toEqual([
      'THROUGHLINE_NOTIFY_TOPIC_ARN',
      'THROUGHLINE_SCALABLE_TARGETS',
    ]);
    expect(f.variable('PostScalingManual', 'THROUGHLINE_NOTIFY_TOPIC_ARN')).toEqual({
      Ref: logicalIdOf(f.stack, f.stack.alarmNotifications.topic),
    });
    for (const route of ['GetTest', 'CreateTest']) expect(extra(route)).toEqual([]);
  });

  it("keeps every function's environment within Lambda's 4 KB, counting deploy-time names at their longest", () => {
    const handlers = [
      ...f.stack.api.handlers.values(),
      ...Object.values(f.stack.orchestrator.functions.handlers),
      ...(f.stack.alarmNotifications.notifier ? [f.stack.alarmNotifications.notifier] : []),
    ];
    const sizes = handlers.map((h) => environmentBytes(f.stack, h.environment));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
    // The metrics handler's is the largest; a token is counted at its maximum, not its length here.
    const metrics = environmentBytes(f.stack, f.stack.api.handlers.get('GetMetrics')?.environment ?? {});
    expect(metrics).toBe(Math.max(...sizes));
    expect(metrics).toBeGreaterThan(
      JSON.stringify(f.stack.resolve(f.stack.api.handlers.get('GetMetrics')?.environment)).length,
    );
  });

  it('fails synth, naming the function, when registered targets would overflow an environment', () => {
    const many = {
      monitoring: {
        targets: { lambdaFunctions: Array.from({ length: 40 }, (_, i) => `service-function-${i}`) },
      },
    };
    expect(() => synthStack({ settings: many })).toThrow(ThroughlineConfigError);
    expect(() => synthStack({ settings: many })).toThrow(
      /the GetMetrics function's environment could reach \d+ bytes, over Lambda's 4096-byte limit \(largest: THROUGHLINE_MONITORED/,
    );
  });
});
