import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lib/constructs/api/routes';
import type { EncryptedLogs } from '../../lib/constructs/observability/encrypted-logs';
import type { HandlerFunction } from '../../lib/constructs/shared/handler-function';
import { FULL_SETTINGS, flattenTokens, logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const { stack } = synthStack();
const template = Template.fromStack(stack);
const table = logicalIdOf(stack, stack.storage.table);
const bucket = logicalIdOf(stack, stack.storage.resultsBucket);
const { orchestrator } = stack;
const stateMachine = logicalIdOf(stack, orchestrator.stateMachine);
const run = orchestrator.functions.handlers;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every statement of every policy attached to the role. */
function statementsOf(role: IConstruct): Statement[] {
  const ref = JSON.stringify({ Ref: logicalIdOf(stack, role) });
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === ref))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A condition with its intrinsic values flattened like resources. */
const flatten = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(flatten);
  const [key] = Object.keys(value);
  if (key === 'Ref' || key?.startsWith('Fn::')) return flattenTokens(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatten(v)]));
};

/** action → the resources it is granted on, flattened, with conditions; logs and X-Ray left out. */
function grantsOf(role: IConstruct): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const st of statementsOf(role) as (Statement & { Condition?: unknown })[]) {
    expect(st.Effect).toBe('Allow');
    for (const action of list(st.Action)) {
      if (action.startsWith('xray:') || action.startsWith('logs:')) continue;
      const resources = list(st.Resource).map((r) => {
        const flat = flattenTokens(r);
        return st.Condition === undefined ? flat : `${flat} if ${JSON.stringify(flatten(st.Condition))}`;
      });
      grants[action] = [...(grants[action] ?? []), ...resources].sort();
    }
  }
  return grants;
}

/** The grants of one service (action prefix) only. */
const grantsOn = (role: IConstruct, service: string) =>
  Object.fromEntries(Object.entries(grantsOf(role)).filter(([a]) => a.startsWith(`${service}:`)));

/** The results bucket's objects of one kind (TestStorage's RUN_OBJECTS), as flattened ARNs. */
const objects = (...patterns: string[]) => patterns.map((p) => `<${bucket}.Arn>/${p}`).sort();
const SPEC = 'runs/*/spec.json';
const PLAN = 'runs/*/plan/items.json';
const WINDOWS = 'runs/*/windows/*';
const REPORTS = 'runs/*/workers/*';
const RESULTS = 'results/*';
/** A finished test's reports, published for the CDN (ADR 006). */
const PUBLISHED = 'reports/*';
const LISTS_WINDOWS_AND_REPORTS = [
  `<${bucket}.Arn> if {"StringLike":{"s3:prefix":["runs/*/windows/","runs/*/workers/"]}}`,
];

const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** What a role can reach, in the brief's terms (the blocks below assert the exact actions and keys). */
function accessOf(role: IConstruct) {
  const grants = statementsOf(role).filter((s) => s.Effect === 'Allow');
  const actions = (logicalId: string) =>
    grants
      .filter((s) => JSON.stringify(s.Resource).includes(`"${logicalId}"`))
      .flatMap((s) => list(s.Action));
  const tableActions = actions(table);
  const bucketActions = actions(bucket);
  return {
    tableRead: tableActions.includes('dynamodb:GetItem'),
    tableWrite: tableActions.some((a) => TABLE_WRITES.includes(a)),
    bucketRead: bucketActions.some((a) => a === 's3:GetObject' || a === 's3:GetObject*'),
    bucketWrite: bucketActions.includes('s3:PutObject'),
    bucketDelete: bucketActions.some((a) => a.startsWith('s3:DeleteObject')),
    startsRuns: actions(stateMachine).includes('states:StartExecution'),
  };
}

const NONE = {
  tableRead: false,
  tableWrite: false,
  bucketRead: false,
  bucketWrite: false,
  bucketDelete: false,
  startsRuns: false,
};
const RW = { tableRead: true, tableWrite: true };
const api = (id: string): HandlerFunction => {
  const h = stack.api.handlers.get(id);
  if (h === undefined) throw new Error(`no handler ${id}`);
  return h;
};
const operations = new Set(ROUTES.filter((r) => r.operation !== undefined).map((r) => r.id));
/** The test and run handlers; the operations handlers have a describe block of their own below. */
const allHandlers = [
  ...[...stack.api.handlers].filter(([id]) => !operations.has(id)).map(([, h]) => h),
  ...Object.values(run),
];

describe('least privilege of the handlers', () => {
  it.each([
    // It writes the run's spec (the validated test), nothing else of the bucket: the block below.
    ['CreateTest', { ...NONE, ...RW, bucketWrite: true, startsRuns: true }],
    ['ListTests', { ...NONE, tableRead: true }],
    ['GetTest', { ...NONE, tableRead: true }],
    ['GetResults', { ...NONE, tableRead: true, bucketRead: true }],
    // Cancelling only sets the stop flag: the execution ends by itself (ADR 003).
    ['CancelTest', { ...NONE, ...RW }],
    ['OpenApi', NONE],
    ['GetMetrics', NONE],
    ['ListAlarms', NONE],
    ['GetScalingStatus', NONE],
    // The scaling journal: items with SCALING# keys only (see the operations block below).
    ['GetScalingHistory', { ...NONE, tableRead: true }],
    ['PutScalingConfig', { ...NONE, tableWrite: true }],
    ['PostScalingManual', { ...NONE, tableWrite: true }],
    // The cache routes' cache, queue and network access: the cache tier block below.
    ['GetCacheStats', NONE],
    ['PostCacheInvalidations', NONE],
    ['PostCacheWarm', { ...NONE, tableRead: true, bucketRead: true }],
  ])('API %s gets exactly its access', (id, expected) => {
    expect(accessOf(api(id).role)).toEqual(expected);
  });

  it('create-test puts only run specs into the bucket, and reads nothing of it', () => {
    const bucketGrants = statementsOf(api('CreateTest').role).filter(
      (s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(`"${bucket}"`),
    );
    expect(bucketGrants).toHaveLength(1);
    expect(bucketGrants[0]?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/runs/*/spec.json']],
    });
    expect(list(bucketGrants[0]?.Action)).toEqual(['s3:PutObject']);
  });

  it.each([
    ['planRun', { ...NONE, ...RW, bucketRead: true, bucketWrite: true }],
    ['segmentWorker', { ...NONE, tableRead: true, bucketRead: true, bucketWrite: true }],
    ['monitorRun', { ...NONE, ...RW, bucketRead: true }],
    ['aggregateRun', { ...NONE, ...RW, bucketRead: true, bucketWrite: true }],
    ['failRun', { ...NONE, ...RW }],
  ] as const)('run function %s gets exactly its access', (name, expected) => {
    expect(accessOf(run[name].role)).toEqual(expected);
  });

  it.each([
    ['the segment-worker function', () => run.segmentWorker.role],
    ['the Fargate worker task', () => orchestrator.fargate.taskDefinition.taskRole],
  ])(
    '%s gets its test record, reads the spec and puts only its windows and report (no Scan, Query or writes to the table)',
    (_, role) => {
      expect(grantsOf(role())).toEqual({
        'dynamodb:GetItem': [`<${table}.Arn>`],
        's3:GetObject': objects(SPEC),
        's3:PutObject': objects(WINDOWS, REPORTS),
      });
    },
  );

  it.each([
    // Plan-run reads the spec and writes the plan items the Map reads.
    ['planRun', { 's3:GetObject': objects(SPEC), 's3:PutObject': objects(PLAN) }],
    // Monitor-run lists and reads the windows and reports of the run.
    [
      'monitorRun',
      { 's3:GetObject': objects(SPEC, WINDOWS, REPORTS), 's3:ListBucket': LISTS_WINDOWS_AND_REPORTS },
    ],
    // Aggregate-run reads all of it and a baseline's results, and writes the test's results and
    // (with the CDN, on by default) their published reports.
    [
      'aggregateRun',
      {
        's3:GetObject': objects(SPEC, PLAN, WINDOWS, REPORTS, RESULTS),
        's3:PutObject': objects(RESULTS, PUBLISHED),
        's3:ListBucket': LISTS_WINDOWS_AND_REPORTS,
      },
    ],
  ] as const)('run function %s reaches only the objects it uses, and deletes none', (name, expected) => {
    expect(grantsOn(run[name].role, 's3')).toEqual(expected);
  });

  it('no run function or worker may delete an object of the bucket (no stage deletes one)', () => {
    const roles = [...Object.values(run).map((h) => h.role), orchestrator.fargate.taskDefinition.taskRole];
    for (const role of roles)
      expect(Object.keys(grantsOf(role)).filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
  });

  it('create-test gets, puts and updates test items and queries the indexes, nothing else of the table', () => {
    const item = [`<${table}.Arn>`];
    expect(grantsOn(api('CreateTest').role, 'dynamodb')).toEqual({
      'dynamodb:GetItem': item,
      // The record, or the record and its idempotency claim in one TransactWriteItems of two Puts.
      'dynamodb:PutItem': item,
      'dynamodb:UpdateItem': item,
      'dynamodb:Query': [`<${table}.Arn>/index/*`],
    });
  });

  it('cancel-test gets and updates one test item (the stop flag), nothing else of the table', () => {
    expect(grantsOn(api('CancelTest').role, 'dynamodb')).toEqual({
      'dynamodb:GetItem': [`<${table}.Arn>`],
      'dynamodb:UpdateItem': [`<${table}.Arn>`],
    });
  });

  it('the Fargate worker task reads tests and reads and writes results, deleting nothing', () => {
    expect(accessOf(orchestrator.fargate.taskDefinition.taskRole)).toEqual({
      ...NONE,
      tableRead: true,
      bucketRead: true,
      bucketWrite: true,
    });
  });

  it('only create-test (and the state machine, for its own map children) may start executions', () => {
    const starters = Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('states:StartExecution'))
      .map(([, p]) => p.Properties.Roles);
    expect(starters).toEqual(
      expect.arrayContaining([
        [{ Ref: logicalIdOf(stack, api('CreateTest').role) }],
        [{ Ref: logicalIdOf(stack, orchestrator.stateMachine.role) }],
      ]),
    );
    expect(starters).toHaveLength(2);
    const createTest = statementsOf(api('CreateTest').role).filter((s) =>
      list(s.Action).includes('states:StartExecution'),
    );
    expect(createTest).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: stateMachine } },
    ]);
  });

  it('create-test may ask whether an execution of this state machine still runs, and nothing more of them', () => {
    const states = statementsOf(api('CreateTest').role).filter((s) =>
      list(s.Action).some((a) => a.startsWith('states:')),
    );
    const describe = states.filter((s) => list(s.Action).includes('states:DescribeExecution'));
    expect(describe).toHaveLength(1);
    expect(list(describe[0]?.Action)).toEqual(['states:DescribeExecution']);
    const resource = JSON.stringify(describe[0]?.Resource);
    expect(resource).toContain(':execution:');
    expect(resource).toContain(stateMachine);
    expect(states.flatMap((s) => list(s.Action)).sort()).toEqual([
      'states:DescribeExecution',
      'states:StartExecution',
    ]);
  });

  it('grant nothing beyond their own log group, the table, the bucket, (create-test) the state machine, and the cache tier and CDN queue where they use them', () => {
    const cache = stack.cache;
    const queue = stack.invalidations?.queue;
    if (cache === undefined || queue === undefined)
      throw new Error('the default stack has the cache tier and CDN');
    const cacheTier = [
      logicalIdOf(stack, cache.cluster.authToken),
      // The key of the AUTH token, decrypted through Secrets Manager only (the cache tier block below).
      logicalIdOf(stack, cache.cluster.key),
      ...cache.network.subnets.map((s) => logicalIdOf(stack, s)),
    ];
    for (const handler of allHandlers) {
      const ownLogs = logicalIdOf(stack, handler.node.findChild('Logs'));
      for (const s of statementsOf(handler.role)) {
        const resource = JSON.stringify(s.Resource);
        if (resource === '"*"') {
          // X-Ray (and, for functions in the cache VPC, EC2's Describe actions) accept no resource-level
          // permissions; nothing else may use "*".
          for (const action of list(s.Action))
            expect([
              'xray:PutTelemetryRecords',
              'xray:PutTraceSegments',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeSubnets',
            ]).toContain(action);
        } else if (resource.includes(`"${ownLogs}"`)) {
          expect(list(s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        } else if (list(s.Action).every((a) => a.startsWith('ec2:'))) {
          // Network interfaces in the cache VPC only (the cache tier block below has the details).
          expect(resource).toContain(':network-interface/*');
        } else {
          const ours = [table, bucket, stateMachine, ...cacheTier, logicalIdOf(stack, queue)];
          expect(ours.some((id) => resource.includes(`"${id}"`))).toBe(true);
        }
      }
    }
  });

  it('attach no managed policies to handler roles', () => {
    for (const handler of allHandlers) {
      const role = resourcesOf(template, 'AWS::IAM::Role')[logicalIdOf(stack, handler.role)];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('least privilege of the state machine', () => {
  const statements = statementsOf(orchestrator.stateMachine.role);
  /** action → the resources it is granted on (JSON), over every statement of the role. */
  const grants = new Map<string, string[]>();
  for (const s of statements)
    for (const action of list(s.Action))
      grants.set(action, [...(grants.get(action) ?? []), ...list(s.Resource).map((r) => JSON.stringify(r))]);
  const on = (action: string) => grants.get(action) ?? [];

  it('allows only, and names every action', () => {
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    for (const action of grants.keys()) expect(action).not.toContain('*');
  });

  it('invokes exactly the five run functions', () => {
    const functions = Object.values(run).map((h) => logicalIdOf(stack, h.function));
    const invoked = on('lambda:InvokeFunction');
    expect(invoked).toHaveLength(10);
    for (const resource of invoked) expect(functions.some((fn) => resource.includes(`"${fn}"`))).toBe(true);
    for (const fn of functions) expect(invoked).toContain(JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }));
  });

  it('runs the worker task definition only, and passes only its roles', () => {
    const { taskDefinition } = orchestrator.fargate;
    expect(on('ecs:RunTask')).toEqual([JSON.stringify({ Ref: logicalIdOf(stack, taskDefinition) })]);
    expect(on('iam:PassRole').sort()).toEqual(
      [taskDefinition.taskRole, taskDefinition.executionRole]
        .map((role) => JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack, role as IConstruct), 'Arn'] }))
        .sort(),
    );
    expect(on('events:PutRule')).toEqual([
      expect.stringContaining(':rule/StepFunctionsGetEventsForECSTaskRule'),
    ]);
  });

  it('reads only the plan items from the bucket', () => {
    const s3 = [...grants.keys()].filter((a) => a.startsWith('s3:'));
    expect(s3).toEqual(['s3:GetObject']);
    expect(on('s3:GetObject')).toEqual([
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/runs/*/plan/items.json']] }),
    ]);
  });

  it('starts, describes and stops only its own (child) executions', () => {
    expect(on('states:StartExecution')).toEqual([JSON.stringify({ Ref: stateMachine })]);
    const children = JSON.stringify({ 'Fn::GetAtt': [stateMachine, 'Name'] });
    for (const action of ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution']) {
      expect(on(action).length).toBeGreaterThan(0);
      for (const resource of on(action)) expect(resource).toMatch(/:execution:/);
    }
    expect(on('states:DescribeExecution').some((r) => r.includes(children) && r.includes('"/*"'))).toBe(true);
    const states = [...grants.keys()].filter((a) => a.startsWith('states:')).sort();
    expect(states).toEqual([
      'states:DescribeExecution',
      'states:RedriveExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
  });

  it('publishes to the run topic only, with its key', () => {
    const { topic, key } = orchestrator.notifications;
    expect(on('sns:Publish')).toEqual([JSON.stringify({ Ref: logicalIdOf(stack, topic) })]);
    const keyArn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack, key), 'Arn'] });
    expect(on('kms:GenerateDataKey')).toEqual([keyArn]);
    expect(on('kms:Decrypt')).toEqual([keyArn]);
    expect([...grants.keys()].filter((a) => a.startsWith('kms:')).sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it('uses "*" only where the service supports no narrower resource', () => {
    const anywhere = [...grants].filter(([, resources]) => resources.includes('"*"')).map(([a]) => a);
    expect(anywhere.sort()).toEqual([
      'ecs:DescribeTasks',
      'ecs:StopTask',
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('stops and describes tasks of the run cluster only (ecs:cluster), though on "*"', () => {
    const cluster = logicalIdOf(stack, orchestrator.fargate.cluster);
    const ecs = (statements as (Statement & { Condition?: unknown })[]).filter((s) =>
      list(s.Action).some((a) => a === 'ecs:StopTask' || a === 'ecs:DescribeTasks'),
    );
    expect(ecs.length).toBeGreaterThan(0);
    for (const s of ecs)
      expect(s.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } });
  });

  it('reaches nothing of the API, the table or the results bucket beyond the plan items', () => {
    const everything = JSON.stringify(statements);
    expect(everything).not.toContain(`"${table}"`);
    for (const h of stack.api.handlers.values())
      expect(everything).not.toContain(logicalIdOf(stack, h.function));
  });
});

describe('least privilege of the KMS key policies', () => {
  interface KeyStatement {
    Sid?: string;
    Principal?: { Service?: string };
    Condition?: unknown;
  }
  /** The key policy statements that trust a service principal. */
  const trusting = (key: IConstruct, service: unknown) => {
    const policy = resourcesOf(template, 'AWS::KMS::Key')[logicalIdOf(stack, key)]?.Properties.KeyPolicy as {
      Statement: KeyStatement[];
    };
    return policy.Statement.filter((st) => JSON.stringify(st.Principal?.Service) === JSON.stringify(service));
  };
  const ours = (service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;

  it("the alarm topic's key trusts CloudWatch only for this stack's alarms in this account", () => {
    const statements = trusting(stack.alarmNotifications.key, 'cloudwatch.amazonaws.com');
    expect(statements).toHaveLength(1);
    expect(flatten(statements[0]?.Condition)).toEqual({
      ArnLike: { 'aws:SourceArn': ours('cloudwatch', 'alarm:Throughline/*') },
      StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
    });
  });

  it("the logs key serves this stack's log groups only: CloudFormation-named ones and each named one", () => {
    const { key } = stack.node.findChild('Logs') as EncryptedLogs;
    const logs = { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] };
    const statements = trusting(key, logs);
    expect(statements).toHaveLength(1);
    const condition = flatten(statements[0]?.Condition) as { ArnLike: Record<string, string | string[]> };
    expect(Object.keys(condition)).toEqual(['ArnLike']);
    const allowed = list(condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] ?? []);
    const keyArn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack, key), 'Arn'] });
    const groups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup')).filter(
      (g) => JSON.stringify(g.Properties.KmsKeyId) === keyArn,
    );
    const named = groups.flatMap((g) =>
      g.Properties.LogGroupName === undefined
        ? []
        : [ours('logs', `log-group:${flattenTokens(g.Properties.LogGroupName)}`)],
    );
    expect(named.length).toBeGreaterThan(0);
    expect(allowed.sort()).toEqual([ours('logs', 'log-group:Throughline-*'), ...named].sort());
  });
});

describe('least privilege of the operations handlers (every kind of target registered)', () => {
  const full = synthStack({ settings: FULL_SETTINGS }).stack;
  const fullTemplate = Template.fromStack(full);
  const handler = (id: string): HandlerFunction => {
    const h = full.api.handlers.get(id);
    if (h === undefined) throw new Error(`no handler ${id}`);
    return h;
  };
  /** action → the resources it is granted on, flattened; conditions kept beside them. */
  function grantsOf(id: string): Record<string, string[]> {
    const role = JSON.stringify({ Ref: logicalIdOf(full, handler(id).role) });
    const ownLogs = logicalIdOf(full, handler(id).node.findChild('Logs'));
    const grants: Record<string, string[]> = {};
    for (const p of Object.values(resourcesOf(fullTemplate, 'AWS::IAM::Policy')))
      if ((p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === role))
        for (const st of (
          p.Properties.PolicyDocument as { Statement: (Statement & { Condition?: unknown })[] }
        ).Statement) {
          expect(st.Effect).toBe('Allow');
          for (const action of list(st.Action)) {
            if (action.startsWith('xray:') || action.startsWith('logs:')) continue;
            const resources = list(st.Resource).map((r) => {
              const flat = flattenTokens(r);
              return st.Condition === undefined ? flat : `${flat} if ${JSON.stringify(st.Condition)}`;
            });
            grants[action] = [...(grants[action] ?? []), ...resources].sort();
          }
          if (JSON.stringify(st.Resource).includes(ownLogs))
            expect(list(st.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        }
    return grants;
  }
  const arn = (service: string, resource: string) =>
    `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
  const aliases = [
    arn('lambda', 'function:Throughline-get-results:live'),
    arn('lambda', 'function:Throughline-get-test:live'),
  ];
  const service = [arn('ecs', 'service/shop/checkout')];
  const group = [arn('elasticache', 'replicationgroup:sessions')];
  const table = `<${logicalIdOf(full, full.storage.table)}.Arn>`;
  const journal = (actions: string[]) =>
    Object.fromEntries(
      actions.map((a) => [
        a,
        [`${table} if {"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["SCALING#*"]}}`],
      ]),
    );
  const describeTargets = Object.fromEntries(
    [
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingActivities',
      'application-autoscaling:DescribeScalingPolicies',
      'application-autoscaling:DescribeScheduledActions',
    ].map((a) => [a, ['*']]),
  );
  const capacityReads = {
    'lambda:GetProvisionedConcurrencyConfig': aliases,
    'ecs:DescribeServices': service,
    'elasticache:DescribeReplicationGroups': group,
  };
  const slr = (svc: string, name: string) =>
    `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/${svc}.application-autoscaling.amazonaws.com/${name} if {"StringLike":{"iam:AWSServiceName":"${svc}.application-autoscaling.amazonaws.com"}}`;
  /** Application Auto Scaling's writes: the registered targets' namespaces and dimensions only. */
  const writesOnly = [
    `* if ${JSON.stringify({
      StringEquals: {
        'application-autoscaling:service-namespace': ['lambda', 'elasticache', 'ecs'],
        'application-autoscaling:scalable-dimension': [
          'lambda:function:ProvisionedConcurrency',
          'elasticache:replication-group:NodeGroups',
          'elasticache:replication-group:Replicas',
          'ecs:service:DesiredCount',
        ],
      },
    })}`,
  ];
  const changes = {
    ...describeTargets,
    'application-autoscaling:RegisterScalableTarget': writesOnly,
    'lambda:GetProvisionedConcurrencyConfig': aliases,
    'lambda:PutProvisionedConcurrencyConfig': aliases,
    'lambda:DeleteProvisionedConcurrencyConfig': aliases,
    'ecs:DescribeServices': service,
    'ecs:UpdateService': service,
    'elasticache:DescribeReplicationGroups': group,
    'elasticache:ModifyReplicationGroupShardConfiguration': group,
    'elasticache:IncreaseReplicaCount': group,
    'elasticache:DecreaseReplicaCount': group,
    'iam:CreateServiceLinkedRole': [
      slr('ecs', 'AWSServiceRoleForApplicationAutoScaling_ECSService'),
      slr('elasticache', 'AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG'),
      slr('lambda', 'AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency'),
    ].sort(),
    ...journal(['dynamodb:PutItem']),
  };

  it('metrics: GetMetricData, which has no resource-level permissions', () => {
    expect(grantsOf('GetMetrics')).toEqual({ 'cloudwatch:GetMetricData': ['*'] });
  });

  it("alarms: DescribeAlarms on this stack's alarms only", () => {
    expect(grantsOf('ListAlarms')).toEqual({
      'cloudwatch:DescribeAlarms': [arn('cloudwatch', 'alarm:Throughline/*')],
    });
  });

  it('status: describes targets and reads the capacity of exactly the registered ones', () => {
    expect(grantsOf('GetScalingStatus')).toEqual({ ...describeTargets, ...capacityReads });
  });

  it('history: as status, plus reading the scaling journal (SCALING# keys only)', () => {
    expect(grantsOf('GetScalingHistory')).toEqual({
      ...describeTargets,
      ...capacityReads,
      ...journal(['dynamodb:GetItem', 'dynamodb:Query']),
    });
  });

  it("config: registers targets, puts policies and schedules, with the services' and target-tracking alarms' access", () => {
    expect(grantsOf('PutScalingConfig')).toEqual({
      ...changes,
      'application-autoscaling:PutScalingPolicy': writesOnly,
      'application-autoscaling:PutScheduledAction': writesOnly,
      'application-autoscaling:DeleteScheduledAction': writesOnly,
      ...Object.fromEntries(
        ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'].map((a) => [
          a,
          [
            'TargetTracking-function:Throughline-get-results:live-*',
            'TargetTracking-function:Throughline-get-test:live-*',
            'TargetTracking-replication-group/sessions-*',
            'TargetTracking-service/shop/checkout-*',
          ].map((name) => arn('cloudwatch', `alarm:${name}`)),
        ]),
      ),
    });
  });

  it('manual: registers targets (min = max), appends to the journal and publishes on the alarm topic', () => {
    const key = `<${logicalIdOf(full, full.alarmNotifications.key)}.Arn>`;
    expect(grantsOf('PostScalingManual')).toEqual({
      ...changes,
      'sns:Publish': [`<${logicalIdOf(full, full.alarmNotifications.topic)}>`],
      'kms:Decrypt': [key],
      'kms:GenerateDataKey': [key],
    });
  });

  it('attach no managed policies to their roles', () => {
    for (const id of operations) {
      const role = resourcesOf(fullTemplate, 'AWS::IAM::Role')[logicalIdOf(full, handler(id).role)];
      expect(role?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('least privilege of the cache tier and the CDN (ADR 006)', () => {
  const cache = stack.cache;
  const cdn = stack.cdn;
  const invalidations = stack.invalidations;
  if (cache === undefined || cdn === undefined || invalidations === undefined)
    throw new Error('the default stack has the cache tier and the CDN');
  const ref = (c: IConstruct) => `<${logicalIdOf(stack, c)}>`;
  const ec2 = (resource: string) => `arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:${resource}`;
  const network = {
    'ec2:DescribeNetworkInterfaces': ['*'],
    'ec2:DescribeSubnets': ['*'],
    'ec2:CreateNetworkInterface': [
      ec2('network-interface/*'),
      ...cache.network.subnets.map((s) => ec2(`subnet/${ref(s)}`)),
      ec2(`security-group/<${logicalIdOf(stack, cache.network.functionSecurityGroup)}.GroupId>`),
    ].sort(),
    ...Object.fromEntries(
      ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'].map(
        (a) => [
          a,
          [
            `${ec2('network-interface/*')} if {"ArnEquals":{"ec2:Vpc":"${ec2(`vpc/${ref(cache.network.vpc)}`)}"}}`,
          ],
        ],
      ),
    ),
    'secretsmanager:GetSecretValue': [ref(cache.cluster.authToken)],
    'kms:Decrypt': [
      `<${logicalIdOf(stack, cache.cluster.key)}.Arn> if {"StringEquals":{"kms:ViaService":"secretsmanager.<AWS::Region>.amazonaws.com"}}`,
    ],
  };
  const api = (id: string) => {
    const h = stack.api.handlers.get(id);
    if (h === undefined) throw new Error(`no handler ${id}`);
    return h;
  };
  const withoutStorage = (grants: Record<string, string[]>) =>
    Object.fromEntries(
      Object.entries(grants).filter(([a]) => !a.startsWith('dynamodb:') && !a.startsWith('s3:')),
    );

  it.each(['ListTests', 'GetTest', 'GetResults', 'GetCacheStats', 'PostCacheWarm'])(
    '%s reaches the cache: its network interfaces in the cache subnets, and the AUTH token only',
    (id) => {
      expect(withoutStorage(grantsOf(api(id).role))).toEqual(network);
    },
  );

  it('POST /cache/invalidations also sends to the invalidation queue, and does nothing else with it', () => {
    expect(grantsOf(api('PostCacheInvalidations').role)).toEqual({
      ...network,
      'sqs:SendMessage': [`<${logicalIdOf(stack, invalidations.queue)}.Arn>`],
    });
  });

  it('aggregate-run may send to the invalidation queue, beside its table and bucket access', () => {
    expect(grantsOf(run.aggregateRun.role)['sqs:SendMessage']).toEqual([
      `<${logicalIdOf(stack, invalidations.queue)}.Arn>`,
    ]);
    expect(Object.keys(grantsOf(run.aggregateRun.role)).filter((a) => a.startsWith('sqs:'))).toEqual([
      'sqs:SendMessage',
    ]);
  });

  it('only the cache routes may read the AUTH token, and only the worker create invalidations', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    const holders = (action: string, resource: string) =>
      policies
        .filter((p) =>
          (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (s) => list(s.Action).includes(action) && JSON.stringify(s.Resource).includes(`"${resource}"`),
          ),
        )
        .flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref))
        .sort();
    const roleOf = (id: string) => logicalIdOf(stack, api(id).role);
    expect(holders('secretsmanager:GetSecretValue', logicalIdOf(stack, cache.cluster.authToken))).toEqual(
      ['ListTests', 'GetTest', 'GetResults', 'GetCacheStats', 'PostCacheInvalidations', 'PostCacheWarm']
        .map(roleOf)
        .sort(),
    );
    const worker = invalidations.worker;
    if (worker === undefined) throw new Error('no worker');
    expect(holders('cloudfront:CreateInvalidation', logicalIdOf(stack, cdn.distribution))).toEqual([
      logicalIdOf(stack, worker.role),
    ]);
  });

  it('the worker creates invalidations of this distribution and consumes its queue, nothing more', () => {
    const worker = invalidations.worker;
    if (worker === undefined) throw new Error('no worker');
    const queue = `<${logicalIdOf(stack, invalidations.queue)}.Arn>`;
    expect(grantsOf(worker.role)).toEqual({
      'cloudfront:CreateInvalidation': [
        `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/${ref(cdn.distribution)}`,
      ],
      'sqs:ReceiveMessage': [queue],
      'sqs:ChangeMessageVisibility': [queue],
      'sqs:GetQueueUrl': [queue],
      'sqs:DeleteMessage': [queue],
      'sqs:GetQueueAttributes': [queue],
    });
  });

  it('the signing-key custom resource writes and reads its one secret, nothing more', () => {
    const role = cdn.signingKey.node.findChild('Role');
    const secret = ref(cdn.signingKey.secret);
    // Through Secrets Manager only: a data key to store the value, decrypting to read it back.
    const key = `<${logicalIdOf(stack, cdn.signingKey.key)}.Arn> if {"StringEquals":{"kms:ViaService":"secretsmanager.<AWS::Region>.amazonaws.com"}}`;
    expect(grantsOf(role)).toEqual({
      'secretsmanager:PutSecretValue': [secret],
      'secretsmanager:GetSecretValue': [secret],
      'kms:GenerateDataKey': [key],
      'kms:Decrypt': [key],
    });
    expect(resourcesOf(template, 'AWS::IAM::Role')[logicalIdOf(stack, role)]?.Properties).not.toHaveProperty(
      'ManagedPolicyArns',
    );
  });

  it('attach no managed policies to the roles of the cache routes and the worker', () => {
    const roles = [
      ...[
        'ListTests',
        'GetTest',
        'GetResults',
        'GetCacheStats',
        'PostCacheInvalidations',
        'PostCacheWarm',
      ].map((id) => api(id).role),
      ...(invalidations.worker === undefined ? [] : [invalidations.worker.role]),
    ];
    for (const role of roles)
      expect(
        resourcesOf(template, 'AWS::IAM::Role')[logicalIdOf(stack, role)]?.Properties?.ManagedPolicyArns,
      ).toBeUndefined();
  });
});
