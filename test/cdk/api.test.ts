import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

const SETTINGS = {
  allowedTargets: ['*.example.com', '10.0.0.0/8'],
  quotas: { maxVus: 200, maxRps: 300, maxDurationSeconds: 600, maxConcurrentTests: 3 },
  logRetentionDays: 14,
  apiThrottle: { rateLimit: 7, burstLimit: 11 },
};
const { stack } = synthStack({ settings: SETTINGS });
const template = Template.fromStack(stack);
const methods = resourcesOf(template, 'AWS::ApiGateway::Method');
const functions = resourcesOf(template, 'AWS::Lambda::Function');

const apiResources = resourcesOf(template, 'AWS::ApiGateway::Resource');
const pathOf = (id: string): string => {
  const props = apiResources[id]?.Properties as { ParentId: { Ref?: string }; PathPart: string };
  const parent = props.ParentId.Ref;
  return `${parent === undefined ? '' : pathOf(parent)}/${props.PathPart}`;
};
/** "POST /performance/tests" → the method's properties. */
const methodsByRoute = new Map(
  Object.values(methods).map((m) => {
    const p = m.Properties as { HttpMethod: string; ResourceId: { Ref: string } };
    return [`${p.HttpMethod} ${pathOf(p.ResourceId.Ref)}`, m.Properties] as const;
  }),
);

/** "POST /performance/tests" → the logical id of the function it integrates. */
function routeTable(): Map<string, string> {
  return new Map(
    Object.values(methods).map((m) => {
      const p = m.Properties as { HttpMethod: string; ResourceId: { Ref: string }; Integration: unknown };
      // A function's ARN, or (aliased routes) the Ref of its `live` alias.
      const integration = JSON.stringify(p.Integration);
      const target =
        integration.match(/"Fn::GetAtt":\["(\w+)","Arn"\]/)?.[1] ??
        integration.match(/"Ref":"(\w+Live\w+)"/)?.[1] ??
        '';
      return [`${p.HttpMethod} ${pathOf(p.ResourceId.Ref)}`, target];
    }),
  );
}

const handler = (id: string) => {
  const h = stack.api.handlers.get(id);
  if (h === undefined) throw new Error(`no handler ${id}`);
  return h;
};

describe('PerformanceApi', () => {
  it('requires IAM (SigV4) authorization on every /performance method', () => {
    const performance = [...methodsByRoute].filter(([route]) =>
      route.split(' ')[1]?.startsWith('/performance/'),
    );
    expect(performance).toHaveLength(16);
    for (const [, m] of performance) expect(m).toMatchObject({ AuthorizationType: 'AWS_IAM' });
  });

  it('opens no method without SigV4: no API key, no usage plan, nothing outside /performance (ADR 006)', () => {
    const open = [...methodsByRoute].filter(([, m]) => m.AuthorizationType !== 'AWS_IAM');
    expect(open.map(([route]) => route)).toEqual([]);
    expect([...methodsByRoute].every(([route]) => route.split(' ')[1]?.startsWith('/performance/'))).toBe(
      true,
    );
    for (const [, m] of methodsByRoute) expect(m.ApiKeyRequired).not.toBe(true);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
  });

  it('routes every performance endpoint to its handler, the read-heavy ones through the alias `live`', () => {
    const fn = (id: string) => logicalIdOf(stack, handler(id).function);
    const alias = (id: string) => logicalIdOf(stack, stack.api.aliases.get(id) ?? handler(id));
    expect(Object.fromEntries(routeTable())).toEqual({
      'POST /performance/tests': fn('CreateTest'),
      'GET /performance/tests/history': fn('ListTests'),
      'GET /performance/tests/{id}': alias('GetTest'),
      'GET /performance/tests/{id}/results': alias('GetResults'),
      'DELETE /performance/tests/{id}': fn('CancelTest'),
      'GET /performance/openapi.json': fn('OpenApi'),
      'GET /performance/metrics': fn('GetMetrics'),
      'GET /performance/metrics/{group}': fn('GetMetrics'),
      'GET /performance/alarms': fn('ListAlarms'),
      'GET /performance/scaling/status': fn('GetScalingStatus'),
      'PUT /performance/scaling/config': fn('PutScalingConfig'),
      'POST /performance/scaling/manual': fn('PostScalingManual'),
      'GET /performance/scaling/history': fn('GetScalingHistory'),
      'GET /performance/cache/stats': fn('GetCacheStats'),
      'POST /performance/cache/invalidations': fn('PostCacheInvalidations'),
      'POST /performance/cache/warm': fn('PostCacheWarm'),
    });
    expect([...stack.api.aliases.keys()]).toEqual(['GetTest', 'GetResults']);
  });

  it('names API functions after the stack and the route, so other functions can name them', () => {
    expect(functions[logicalIdOf(stack, handler('GetTest').function)]?.Properties.FunctionName).toBe(
      'Throughline-get-test',
    );
    expect(
      functions[logicalIdOf(stack, handler('GetScalingHistory').function)]?.Properties.FunctionName,
    ).toBe('Throughline-get-scaling-history');
  });

  it('builds each handler from its entry file in lambdas/entrypoints/lambda', () => {
    const entry = (file: string) => join(PROJECT_ROOT, 'lambdas', 'entrypoints', 'lambda', file);
    expect(Object.fromEntries([...stack.api.handlers].map(([id, h]) => [id, h.entry]))).toEqual({
      CreateTest: entry('create-test.ts'),
      ListTests: entry('list-tests.ts'),
      GetTest: entry('get-test.ts'),
      GetResults: entry('get-results.ts'),
      CancelTest: entry('cancel-test.ts'),
      OpenApi: entry('openapi.ts'),
      GetMetrics: entry('get-metrics.ts'),
      ListAlarms: entry('list-alarms.ts'),
      GetScalingStatus: entry('get-scaling-status.ts'),
      PutScalingConfig: entry('put-scaling-config.ts'),
      PostScalingManual: entry('post-scaling-manual.ts'),
      GetScalingHistory: entry('get-scaling-history.ts'),
      GetCacheStats: entry('get-cache-stats.ts'),
      PostCacheInvalidations: entry('post-cache-invalidations.ts'),
      PostCacheWarm: entry('post-cache-warm.ts'),
    });
  });

  it('validates body and parameters on every method, and POST /tests against a JSON model', () => {
    const validators = resourcesOf(template, 'AWS::ApiGateway::RequestValidator');
    expect(Object.values(validators).map((v) => v.Properties)).toEqual([
      expect.objectContaining({ ValidateRequestBody: true, ValidateRequestParameters: true }),
    ]);
    const [validatorId] = Object.keys(validators);
    for (const m of Object.values(methods))
      expect(m.Properties?.RequestValidatorId).toEqual({ Ref: validatorId });

    const post = Object.values(methods).find((m) => m.Properties?.HttpMethod === 'POST');
    const models = post?.Properties.RequestModels as Record<string, { Ref: string }> | undefined;
    const modelRef = models?.['application/json'];
    const model = resourcesOf(template, 'AWS::ApiGateway::Model')[modelRef?.Ref ?? ''];
    // Only "a JSON object": everything else reaches the handler, which lists every problem.
    expect(model?.Properties?.Schema).toMatchObject({ type: 'object' });
    expect(model?.Properties?.Schema).not.toHaveProperty('anyOf');
    // Path parameters are declared, so parameter validation has something to check.
    const byId = Object.values(methods).filter(
      (m) => JSON.stringify(m.Properties?.RequestParameters) !== '{}',
    );
    expect(byId.map((m) => m.Properties?.RequestParameters)).toEqual([
      ...Array(3).fill({ 'method.request.path.id': true }),
      { 'method.request.path.group': true },
    ]);
  });

  it('logs access as JSON to an encrypted log group and throttles the stage from the settings', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 7,
          ThrottlingBurstLimit: 11,
        }),
      ],
    });
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0]?.Properties as {
      AccessLogSetting: { DestinationArn: unknown; Format: string };
    };
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(format.userArn).toBe('$context.identity.userArn');

    const accessLogGroup = logicalIdOf(stack, stack.api.node.findChild('AccessLogs'));
    expect(JSON.stringify(stage.AccessLogSetting.DestinationArn)).toContain(`{"Ref":"${accessLogGroup}"}`);
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[accessLogGroup]?.Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] },
      RetentionInDays: 14,
    });
  });

  it('creates the execution log group, encrypted, before the stage can', () => {
    const groups = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup'));
    const exec = groups.find(([, g]) =>
      String(JSON.stringify(g.Properties?.LogGroupName)).includes('Execution-Logs_'),
    );
    expect(exec?.[1].Properties).toMatchObject({ KmsKeyId: expect.anything(), RetentionInDays: 14 });
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0];
    expect(stage?.DependsOn).toEqual(expect.arrayContaining([exec?.[0]]));
    // Execution logging needs the regional account setting's CloudWatch role.
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});

describe('stack outputs', () => {
  it('name the API URL, the table, the results bucket, the state machine, the topics and the dashboard', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'CacheAuthSecretArn',
      'CacheEndpoint',
      'CdnDistributionId',
      'CdnInvalidationQueueUrl',
      'CdnKeyPairId',
      'CdnSigningKeySecretArn',
      'CdnUrl',
      'DashboardName',
      'NotificationsTopicArn',
      'ResultsBucketName',
      'StateMachineArn',
      'TableName',
      'WebhookSecretArn',
    ]);
    expect(JSON.stringify(template.findOutputs('ApiUrl'))).toContain('"/performance"');
    template.hasOutput('TableName', { Value: { Ref: logicalIdOf(stack, stack.storage.table) } });
    template.hasOutput('ResultsBucketName', {
      Value: { Ref: logicalIdOf(stack, stack.storage.resultsBucket) },
    });
    template.hasOutput('StateMachineArn', {
      Value: { Ref: logicalIdOf(stack, stack.orchestrator.stateMachine) },
    });
    template.hasOutput('NotificationsTopicArn', {
      Value: { Ref: logicalIdOf(stack, stack.orchestrator.notifications.topic) },
    });
  });
});

describe('handler functions', () => {
  const handlers = [...stack.api.handlers.values(), ...Object.values(stack.orchestrator.functions.handlers)];
  const handlerIds = new Set(handlers.map((h) => logicalIdOf(stack, h.function)));
  const all = Object.entries(functions).filter(([id]) => handlerIds.has(id));

  it('are ours, but for the one function of CDK’s custom resource that empties the default security groups', () => {
    const others = [
      stack.alarmNotifications.notifier?.function,
      stack.invalidations?.worker?.function,
      stack.cdn?.signingKey.node.findChild('Handler'),
    ].map((fn) => logicalIdOf(stack, fn as IConstruct));
    expect(Object.keys(functions).filter((id) => !handlerIds.has(id) && !others.includes(id))).toEqual([
      expect.stringMatching(/^CustomVpcRestrictDefaultSGCustomResourceProviderHandler/),
    ]);
  });

  // Fifteen API handlers and the five run functions of the state machine.
  it('run Node.js 22 on arm64 with active tracing and their own log group', () => {
    expect(all).toHaveLength(20);
    const logGroups = new Set<string>();
    for (const [, fn] of all) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
      const group = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      logGroups.add(group);
      expect(resourcesOf(template, 'AWS::Logs::LogGroup')[group]?.Properties).toMatchObject({
        RetentionInDays: 14,
        KmsKeyId: expect.anything(),
      });
    }
    expect(logGroups.size).toBe(20);
  });

  it('share the environment; only create-test knows the state machine, only plan-run the capacity', () => {
    // (what the operations handlers get beyond it: scaling.test.ts and observability.test.ts)
    const table = logicalIdOf(stack, stack.storage.table);
    const bucket = logicalIdOf(stack, stack.storage.resultsBucket);
    const stateMachine = logicalIdOf(stack, stack.orchestrator.stateMachine);
    const createTest = logicalIdOf(stack, handler('CreateTest').function);
    const planRun = logicalIdOf(stack, stack.orchestrator.functions.handlers.planRun.function);
    for (const [id, fn] of all) {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        THROUGHLINE_TABLE_NAME: { Ref: table },
        THROUGHLINE_RESULTS_BUCKET: { Ref: bucket },
        POWERTOOLS_SERVICE_NAME: 'throughline',
        POWERTOOLS_METRICS_NAMESPACE: 'Throughline',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(JSON.parse(env.THROUGHLINE_POLICY as string)).toEqual({
        allowedTargets: SETTINGS.allowedTargets,
        quotas: SETTINGS.quotas,
      });
      expect(env.THROUGHLINE_STATE_MACHINE_ARN).toEqual(
        id === createTest ? { Ref: stateMachine } : undefined,
      );
      expect(env.THROUGHLINE_CAPACITY === undefined).toBe(id !== planRun);
      expect(env).not.toHaveProperty('THROUGHLINE_RUNNER_FUNCTION');
    }
  });

  it('give API handlers 512 MB and 29 s', () => {
    for (const h of stack.api.handlers.values()) {
      expect(functions[logicalIdOf(stack, h.function)]?.Properties).toMatchObject({
        MemorySize: 512,
        Timeout: 29,
      });
    }
  });

  it('keep the run functions off the API: only the state machine invokes them', () => {
    const runFunctions = Object.values(stack.orchestrator.functions.handlers).map((h) =>
      logicalIdOf(stack, h.function),
    );
    expect(runFunctions).toHaveLength(5);
    for (const fn of runFunctions) expect([...routeTable().values()]).not.toContain(fn);
    for (const p of Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))) {
      const target = JSON.stringify(p.Properties?.FunctionName);
      for (const fn of runFunctions) expect(target).not.toContain(`"${fn}"`);
    }
  });
});

describe('gateway responses', () => {
  it('answer in the API error shape for what API Gateway rejects itself', () => {
    const responses = Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')).map(
      (r) => r.Properties as { ResponseType: string; ResponseTemplates: Record<string, string> },
    );
    expect(responses.map((r) => r.ResponseType).sort()).toEqual([
      'BAD_REQUEST_BODY',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'THROTTLED',
    ]);
    for (const r of responses) {
      const body = r.ResponseTemplates['application/json'] ?? '';
      expect(body).toMatch(/^\{"error":\{"code":"E_[A-Z_]+","message":/);
    }
  });
});
