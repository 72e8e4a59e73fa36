// Alarms, their notification routing and the dashboard, asserted by intent: which metric each
// alarm watches, at what threshold and in which direction, what the composite alarm covers, and
// who is told.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FULL_SETTINGS, flattenTokens, logicalIdOf, resourcesOf, synthStack } from './stack-fixture';

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
    Stat: string;
    Period: number;
  };
}
interface AlarmProps {
  AlarmName: string;
  AlarmDescription: string;
  Threshold?: number;
  ComparisonOperator: string;
  DatapointsToAlarm: number;
  EvaluationPeriods: number;
  TreatMissingData: string;
  ActionsEnabled: boolean;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Metrics?: MetricQuery[];
  ThresholdMetricId?: string;
  // A single-metric alarm CDK renders without a Metrics array:
  Namespace?: string;
  MetricName?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: { Name: string; Value: unknown }[];
}

function fixture(settings?: unknown) {
  const { stack } = synthStack(settings === undefined ? {} : { settings });
  const template = Template.fromStack(stack);
  const byName = new Map(
    Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(([id, r]) => {
      const props = r.Properties as unknown as AlarmProps;
      return [props.AlarmName, { id, props }] as const;
    }),
  );
  const alarm = (name: string): AlarmProps => {
    const found = byName.get(`Throughline/${name}`);
    if (found === undefined) throw new Error(`no alarm Throughline/${name}`);
    return found.props;
  };
  return { stack, template, byName, alarm };
}

/** What an alarm watches: `namespace/metric stat` for a plain metric, else the expression. */
function watched(a: AlarmProps): string {
  if (a.MetricName !== undefined)
    return `${a.Namespace}/${a.MetricName} ${a.Statistic ?? a.ExtendedStatistic}`;
  const returned = a.Metrics?.find((m) => m.ReturnData !== false);
  if (returned?.MetricStat) {
    const { Metric, Stat } = returned.MetricStat;
    return `${Metric.Namespace}/${Metric.MetricName} ${Stat}`;
  }
  return returned?.Expression ?? '';
}
const inputs = (a: AlarmProps) =>
  Object.fromEntries(
    (a.Metrics ?? [])
      .filter((m) => m.MetricStat)
      .map((m) => [
        m.Id,
        `${m.MetricStat?.Metric.Namespace}/${m.MetricStat?.Metric.MetricName} ${m.MetricStat?.Stat}`,
      ]),
  );
const dims = (a: AlarmProps) =>
  Object.fromEntries(
    (a.Dimensions ?? a.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Metric.Dimensions ?? []).map((d) => [
      d.Name,
      flattenTokens(d.Value),
    ]),
  );

const ABOVE = 'GreaterThanThreshold';
const BELOW = 'LessThanThreshold';

describe('platform alarms (default settings)', () => {
  const { stack, byName, alarm, template } = fixture();
  const api = { ApiName: 'Throughline-performance', Stage: 'v1' };

  it('name every alarm under the stack prefix', () => {
    // 4 API + 3 for each of 22 functions (20 + the webhook notifier + the CDN invalidator) + 2 runs
    // + 2 EMF + 4 for each of the platform cache's 2 nodes + the invalidation and notifier
    // dead-letter queues.
    expect(byName.size).toBe(84);
    for (const name of byName.keys()) expect(name).toMatch(/^Throughline\/[a-z0-9-]+$/);
  });

  it('watch API latency p95 and p99, the 5xx rate as metric math, and anomalies', () => {
    expect(alarm('api-latency-p95')).toMatchObject({ Threshold: 1000, ComparisonOperator: ABOVE });
    expect(watched(alarm('api-latency-p95'))).toBe('AWS/ApiGateway/Latency p95');
    expect(dims(alarm('api-latency-p95'))).toEqual(api);
    expect(alarm('api-latency-p99')).toMatchObject({ Threshold: 3000, ComparisonOperator: ABOVE });
    expect(watched(alarm('api-latency-p99'))).toBe('AWS/ApiGateway/Latency p99');
    for (const name of ['api-latency-p95', 'api-latency-p99'])
      expect(alarm(name)).toMatchObject({ DatapointsToAlarm: 2, EvaluationPeriods: 3 });

    const rate = alarm('api-5xx-rate');
    expect(rate).toMatchObject({ Threshold: 1, ComparisonOperator: ABOVE, TreatMissingData: 'notBreaching' });
    expect(watched(rate)).toBe('IF(requests > 0, 100 * faults / requests, 0)');
    expect(inputs(rate)).toEqual({
      faults: 'AWS/ApiGateway/5XXError Sum',
      requests: 'AWS/ApiGateway/Count Sum',
    });
    expect(dims(rate)).toEqual(api);
  });

  it('raise an anomaly-detection alarm when API latency leaves its band upwards', () => {
    const anomaly = alarm('api-latency-anomaly');
    expect(anomaly).toMatchObject({
      ComparisonOperator: 'GreaterThanUpperThreshold',
      ThresholdMetricId: 'expr_1',
      DatapointsToAlarm: 3,
      EvaluationPeriods: 3,
    });
    expect(anomaly.Threshold).toBeUndefined();
    const band = anomaly.Metrics?.find((m) => m.Id === 'expr_1')?.Expression ?? '';
    const [, metricId, deviations] = band.match(/^ANOMALY_DETECTION_BAND\((\w+),\s*(\d+)\)$/) ?? [];
    expect(deviations).toBe('3');
    expect(anomaly.Metrics?.find((m) => m.Id === metricId)?.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Latency' },
      Stat: 'Average',
      Period: 300,
    });
  });

  it("watch every API and run function's error rate, throttles and p99 duration against its timeout", () => {
    const functions = [
      ...[...stack.api.handlers].map(
        ([id, h]) => [id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(), h] as const,
      ),
      ...Object.entries(stack.orchestrator.functions.handlers).map(
        ([id, h]) => [id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(), h] as const,
      ),
    ];
    expect(functions).toHaveLength(20);
    for (const [label, h] of functions) {
      const fn = `<${logicalIdOf(stack, h.function)}>`;
      const errors = alarm(`lambda-${label}-errors`);
      expect(errors).toMatchObject({ Threshold: 1, ComparisonOperator: ABOVE });
      expect(watched(errors)).toBe('IF(invocations > 0, 100 * errors / invocations, 0)');
      expect(inputs(errors)).toEqual({
        errors: 'AWS/Lambda/Errors Sum',
        invocations: 'AWS/Lambda/Invocations Sum',
      });
      expect(dims(errors)).toEqual({ FunctionName: fn });

      const throttles = alarm(`lambda-${label}-throttles`);
      expect(throttles).toMatchObject({ Threshold: 0, ComparisonOperator: ABOVE });
      expect(watched(throttles)).toBe('AWS/Lambda/Throttles Sum');
      expect(dims(throttles)).toEqual({ FunctionName: fn });

      const duration = alarm(`lambda-${label}-duration`);
      const longByDesign = label === 'segment-worker' || label === 'monitor-run';
      expect(duration).toMatchObject({
        Threshold: Math.floor(h.timeout.toMilliseconds() * (longByDesign ? 0.97 : 0.8)),
        ComparisonOperator: ABOVE,
      });
      expect(watched(duration)).toBe('AWS/Lambda/Duration p99');
    }
    expect(alarm('lambda-get-test-duration').Threshold).toBe(23_200);
  });

  it('count failed and timed-out runs of the state machine, each one at once', () => {
    const sm = `<${logicalIdOf(stack, stack.orchestrator.stateMachine)}>`;
    for (const [name, metric] of [
      ['runs-failed', 'ExecutionsFailed'],
      ['runs-timed-out', 'ExecutionsTimedOut'],
    ] as const) {
      expect(alarm(name)).toMatchObject({
        Threshold: 0,
        ComparisonOperator: ABOVE,
        DatapointsToAlarm: 1,
        EvaluationPeriods: 1,
      });
      expect(watched(alarm(name))).toBe(`AWS/States/${metric} Sum`);
      expect(dims(alarm(name))).toEqual({ StateMachineArn: sm });
    }
  });

  it('watch our EMF metrics across all their dimensions with Metrics Insights; no data is not a breach', () => {
    expect(alarm('cache-hit-rate')).toMatchObject({
      Threshold: 80,
      ComparisonOperator: BELOW,
      TreatMissingData: 'notBreaching',
      DatapointsToAlarm: 3,
      EvaluationPeriods: 3,
    });
    expect(watched(alarm('cache-hit-rate'))).toBe('SELECT AVG(CacheHitRate) FROM "Throughline"');
    expect(alarm('load-test-thresholds-failed')).toMatchObject({
      Threshold: 0,
      ComparisonOperator: ABOVE,
      TreatMissingData: 'notBreaching',
      DatapointsToAlarm: 1,
    });
    expect(watched(alarm('load-test-thresholds-failed'))).toBe(
      'SELECT SUM(ThresholdsFailed) FROM "Throughline"',
    );
    // Metrics Insights queries in alarms need their period.
    expect(alarm('cache-hit-rate').Metrics?.[0]).toMatchObject({ Period: 300 });
  });

  it('make one composite "platform unhealthy" alarm of exactly the Critical alarms', () => {
    const composite = Object.values(resourcesOf(template, 'AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    const props = composite[0]?.Properties as { AlarmName: string; AlarmRule: unknown };
    expect(props.AlarmName).toBe('Throughline/platform-unhealthy');
    const rule = flattenTokens(props.AlarmRule);
    const members = [...rule.matchAll(/ALARM\("<(\w+)\.Arn>"\)/g)].map((m) => m[1]);
    expect(rule).toBe(
      members
        .map((id) => `ALARM("<${id}.Arn>")`)
        .join(' OR ')
        .replace(/^(.*)$/, '($1)'),
    );
    const idToName = new Map([...byName].map(([name, { id }]) => [id, name.replace('Throughline/', '')]));
    expect(members.map((id) => idToName.get(id ?? '')).sort()).toEqual(
      [
        'api-5xx-rate',
        'api-latency-p99',
        'runs-failed',
        'runs-timed-out',
        // The platform's own cache nodes (ADR 006) are watched like registered ones.
        'elasticache-throughline-cache-0001-001-cpu',
        'elasticache-throughline-cache-0001-001-memory',
        'elasticache-throughline-cache-0001-002-cpu',
        'elasticache-throughline-cache-0001-002-memory',
        ...[...byName.keys()].filter((n) => n.endsWith('-errors')).map((n) => n.replace('Throughline/', '')),
      ].sort(),
    );
  });

  it('notify only through the composite by default: on ALARM and on OK, to the alarm topic', () => {
    const topic = { Ref: logicalIdOf(stack, stack.alarmNotifications.topic) };
    for (const { props } of byName.values()) {
      expect(props.ActionsEnabled).toBe(false);
      expect(props.AlarmActions).toBeUndefined();
    }
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      ActionsEnabled: true,
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });
});

describe('alarm notifications', () => {
  const { stack, template } = fixture(FULL_SETTINGS);
  const n = stack.alarmNotifications;
  const topicId = logicalIdOf(stack, n.topic);

  it('encrypt the topic with its own rotating key, which CloudWatch may use to publish', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, n.key), 'Arn'] },
      DisplayName: 'Throughline alarms',
    });
    const key = resourcesOf(template, 'AWS::KMS::Key')[logicalIdOf(stack, n.key)]?.Properties;
    expect(key).toMatchObject({ EnableKeyRotation: true });
    expect(JSON.stringify(key?.KeyPolicy)).toContain('"Service":"cloudwatch.amazonaws.com"');
  });

  it("admit only this stack's alarms as publishers, over TLS", () => {
    const policy = Object.values(resourcesOf(template, 'AWS::SNS::TopicPolicy')).find((p) =>
      JSON.stringify(p.Properties.Topics).includes(topicId),
    );
    const document = policy?.Properties.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
        }),
      ]),
    );
    const allow = statements.find((s) => s.Effect === 'Allow') as {
      Condition: Record<string, Record<string, unknown>>;
    };
    expect(flattenTokens(allow.Condition.ArnLike?.['aws:SourceArn'])).toBe(
      'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:Throughline/*',
    );
    expect(allow.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('subscribe every configured email once (alarmEmail too) and the notifier', () => {
    const subs = Object.values(resourcesOf(template, 'AWS::SNS::Subscription'))
      .filter((s) => JSON.stringify(s.Properties.TopicArn).includes(topicId))
      .map((s) => [s.Properties.Protocol, flattenTokens(s.Properties.Endpoint)]);
    expect(subs.sort()).toEqual(
      [
        ['email', 'oncall@example.com'],
        ['email', 'platform@example.com'],
        ['lambda', `<${logicalIdOf(stack, n.notifier?.function ?? n)}.Arn>`],
      ].sort(),
    );
  });

  it("give the notifier the secret's ARN and exactly the right to read that secret", () => {
    const secret = logicalIdOf(stack, n.webhookSecret ?? n);
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[logicalIdOf(stack, n.notifier?.function ?? n)];
    const environment = fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    expect(environment?.Variables).toMatchObject({
      THROUGHLINE_WEBHOOK_SECRET_ARN: { Ref: secret },
    });
    const role = JSON.stringify({ Ref: logicalIdOf(stack, n.notifier?.role ?? n) });
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap(
        (p) =>
          (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      );
    const onSecret = statements.filter((s) => JSON.stringify(s.Resource).includes(secret));
    expect(onSecret).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secret },
      }),
    ]);
    const others = statements.filter((s) => !JSON.stringify(s.Resource).includes(secret));
    // Besides logs and traces, only what its dead-letter queue needs (the test below).
    for (const s of others) expect(JSON.stringify(s.Action)).toMatch(/logs:|xray:|sqs:SendMessage|kms:/);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topicId },
    });
  });

  it('encrypt the webhook secret with the topic key, which the notifier decrypts through Secrets Manager only', () => {
    const key = logicalIdOf(stack, n.key);
    const secret = resourcesOf(template, 'AWS::SecretsManager::Secret')[
      logicalIdOf(stack, n.webhookSecret ?? n)
    ];
    expect(secret?.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    const policy = resourcesOf(template, 'AWS::KMS::Key')[key]?.Properties.KeyPolicy as {
      Statement: { Action: unknown; Principal?: unknown; Condition?: unknown }[];
    };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Principal: { AWS: { 'Fn::GetAtt': [logicalIdOf(stack, n.notifier?.role ?? n), 'Arn'] } },
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      }),
    );
  });

  it('send undelivered notices to a dead-letter queue under the same key, alarmed', () => {
    const queue = logicalIdOf(stack, n.deadLetterQueue ?? n);
    const fn = resourcesOf(template, 'AWS::Lambda::Function')[logicalIdOf(stack, n.notifier?.function ?? n)];
    expect(fn?.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } });
    expect(resourcesOf(template, 'AWS::SQS::Queue')[queue]?.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, n.key), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const role = JSON.stringify({ Ref: logicalIdOf(stack, n.notifier?.role ?? n) });
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack, n.key), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      }),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    });
  });

  it('notify on every alarm when monitoring.notify is every-alarm', () => {
    const every = fixture({ monitoring: { notify: 'every-alarm' } });
    const topic = { Ref: logicalIdOf(every.stack, every.stack.alarmNotifications.topic) };
    for (const { props } of every.byName.values())
      expect(props).toMatchObject({ ActionsEnabled: true, AlarmActions: [topic], OKActions: [topic] });
  });
});

describe('alarms of registered targets', () => {
  const { alarm, byName } = fixture(FULL_SETTINGS);

  it('watch each listed ElastiCache node: engine CPU, memory, evictions, connections', () => {
    for (const node of ['sessions-0001-001', 'sessions-0001-002']) {
      const expectations = [
        ['cpu', 'AWS/ElastiCache/EngineCPUUtilization Maximum', 80],
        ['memory', 'AWS/ElastiCache/DatabaseMemoryUsagePercentage Maximum', 80],
        ['evictions', 'AWS/ElastiCache/Evictions Sum', 1000],
        ['connections', 'AWS/ElastiCache/CurrConnections Maximum', 5000],
      ] as const;
      for (const [what, metric, threshold] of expectations) {
        const a = alarm(`elasticache-${node}-${what}`);
        expect(watched(a)).toBe(metric);
        expect(a).toMatchObject({ Threshold: threshold, ComparisonOperator: ABOVE });
        expect(dims(a)).toEqual({ CacheClusterId: node });
      }
    }
    // A group without listed nodes has no alarms: ElastiCache publishes per node.
    expect([...byName.keys()].filter((n) => n.includes('catalog-cache'))).toEqual([]);
  });

  it('watch each database: CPU, connections, read and write latency (in seconds)', () => {
    for (const [id, dimension] of [
      ['orders-db', 'DBInstanceIdentifier'],
      ['catalog-aurora', 'DBClusterIdentifier'],
    ] as const) {
      const expectations = [
        ['cpu', 'AWS/RDS/CPUUtilization Maximum', 80],
        ['connections', 'AWS/RDS/DatabaseConnections Maximum', 500],
        ['read-latency', 'AWS/RDS/ReadLatency Average', 0.02],
        ['write-latency', 'AWS/RDS/WriteLatency Average', 0.02],
      ] as const;
      for (const [what, metric, threshold] of expectations) {
        const a = alarm(`rds-${id}-${what}`);
        expect(watched(a)).toBe(metric);
        expect(a).toMatchObject({ Threshold: threshold, ComparisonOperator: ABOVE });
        expect(dims(a)).toEqual({ [dimension]: id });
      }
    }
  });

  it('watch each ECS service: CPU and memory', () => {
    for (const [what, metric] of [
      ['cpu', 'CPUUtilization'],
      ['memory', 'MemoryUtilization'],
    ] as const) {
      const a = alarm(`ecs-shop-checkout-${what}`);
      expect(watched(a)).toBe(`AWS/ECS/${metric} Average`);
      expect(a).toMatchObject({ Threshold: 85, ComparisonOperator: ABOVE });
      expect(dims(a)).toEqual({ ClusterName: 'shop', ServiceName: 'checkout' });
    }
  });

  it('take their thresholds from the settings', () => {
    const custom = fixture({
      monitoring: {
        thresholds: { databaseLatencyMs: 5, ecsCpuPercent: 70, apiLatencyP99Ms: 900, apiLatencyP95Ms: 400 },
        targets: { databases: [{ instance: 'db1' }], ecsServices: [{ cluster: 'c', service: 's' }] },
      },
    });
    expect(custom.alarm('rds-db1-read-latency').Threshold).toBe(0.005);
    expect(custom.alarm('ecs-c-s-cpu').Threshold).toBe(70);
    expect(custom.alarm('api-latency-p99').Threshold).toBe(900);
    expect(custom.alarm('api-latency-p95').Threshold).toBe(400);
  });
});

describe('dashboard', () => {
  const { stack, template } = fixture(FULL_SETTINGS);
  const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
  const body = JSON.parse(flattenTokens(dashboards[0]?.Properties.DashboardBody)) as {
    widgets: { type: string; properties: { title?: string; metrics?: unknown[]; alarms?: string[] } }[];
  };
  const widget = (title: string) => {
    const found = body.widgets.find((w) => w.properties.title === title);
    if (found === undefined) throw new Error(`no widget "${title}"`);
    return found;
  };
  const metricsOf = (title: string) => JSON.stringify(widget(title).properties.metrics);

  it('is one dashboard named after the stack and region', () => {
    expect(dashboards).toHaveLength(1);
    expect(flattenTokens(dashboards[0]?.Properties.DashboardName)).toBe('Throughline-<AWS::Region>');
  });

  it('starts with the state of every alarm, the composite included', () => {
    const alarms = widget('Alarms');
    expect(alarms.type).toBe('alarm');
    expect(alarms.properties.alarms).toHaveLength(1 + stack.alarms.alarms.length);
  });

  it('graphs the API, every function, the runs, the load tests and the cache', () => {
    expect(metricsOf('API requests')).toContain('"Count"');
    expect(metricsOf('API latency (ms)')).toMatch(/p50.*p95.*p99/);
    expect(metricsOf('API errors')).toMatch(/4XXError.*5XXError/);
    // 20 API and run functions, the webhook notifier and the CDN invalidator.
    for (const [title, metric] of [
      ['Function invocations', 'Invocations'],
      ['Function errors', 'Errors'],
      ['Function duration p99 (ms)', 'Duration'],
      ['Function throttles', 'Throttles'],
      ['Function concurrency (max)', 'ConcurrentExecutions'],
    ] as const)
      expect(metricsOf(title).split(`"${metric}"`).length - 1).toBe(22);
    expect(metricsOf('Distributed runs')).toMatch(/ExecutionsStarted.*ExecutionsSucceeded.*ExecutionsFailed/);
    for (const [title, metric] of [
      ['Load tests: requests', 'Requests'],
      ['Load tests: error rate (%)', 'ErrorRate'],
      ['Load tests: latency p95 (ms)', 'LatencyP95'],
      ['Load tests: thresholds failed, workers lost', 'WorkersLost'],
      ['Cache hit rate by tier (%)', 'CacheHitRate'],
    ] as const)
      expect(metricsOf(title)).toContain(`SEARCH('Namespace=\\"Throughline\\" MetricName=\\"${metric}\\"`);
  });

  it("graphs the registered targets' key metrics", () => {
    expect(metricsOf('Targets: function errors')).toContain('orders-api');
    expect(metricsOf('Targets: ECS CPU (%)')).toContain('checkout');
    expect(metricsOf('Targets: ElastiCache engine CPU (%)')).toMatch(
      /sessions-0001-001.*sessions-0001-002.*SEARCH.*catalog-cache/,
    );
    expect(metricsOf('Targets: database read latency (s)')).toMatch(/orders-db.*catalog-aurora/);
    expect(metricsOf('Targets: API latency p95 (ms)')).toContain('shop-api');
    expect(metricsOf('Targets: CloudFront requests')).toMatch(/E2QWRUHAPOMQZL.*us-east-1/);
  });
});
