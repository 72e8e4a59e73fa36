import { describe, expect, it } from 'vitest';
import { notifierConfig } from '../../lambdas/config/notifier';
import { ConfigError } from '../../lambdas/config/parse';
import {
  type AlarmNotice,
  consoleLink,
  parseNotice,
  type SlackMessage,
  type SnsEnvelope,
  slackMessage,
  webhookPayload,
} from '../../lambdas/core/observability/notification';

// The alarm notifier's pure half: CloudWatch alarm messages exactly as AWS publishes them on SNS
// (lower-case dimension keys, "+0000" offsets, long region names, Unit null), read into notices
// and worded for Slack and a generic webhook.

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:throughline-alarms';
const envelope = (message: unknown, subject?: string): SnsEnvelope => ({
  Message: typeof message === 'string' ? message : JSON.stringify(message),
  Subject: subject ?? null,
  Timestamp: '2024-06-20T11:25:37.102Z',
  TopicArn: TOPIC,
  MessageId: '5b2c1a3e-8a43-5f7e-9a51-1f3c2d4e5a6b',
});

const latencyAlarm = {
  AlarmName: 'throughline-api-p95-latency',
  AlarmDescription: 'p95 latency of the Throughline API above 500 ms',
  AWSAccountId: '123456789012',
  AlarmConfigurationUpdatedTimestamp: '2024-06-19T08:12:44.172+0000',
  NewStateValue: 'ALARM',
  NewStateReason:
    'Threshold Crossed: 3 out of the last 3 datapoints [612.4 (20/06/24 11:24:00), 587.0 (20/06/24 11:23:00), 540.2 (20/06/24 11:22:00)] were greater than the threshold (500.0) (minimum 3 datapoints for OK -> ALARM transition).',
  StateChangeTime: '2024-06-20T11:25:36.452+0000',
  Region: 'EU (Ireland)',
  AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-api-p95-latency',
  OldStateValue: 'OK',
  OKActions: [TOPIC],
  AlarmActions: [TOPIC],
  InsufficientDataActions: [],
  Trigger: {
    MetricName: 'Latency',
    Namespace: 'AWS/ApiGateway',
    StatisticType: 'ExtendedStatistic',
    ExtendedStatistic: 'p95',
    Unit: null,
    Dimensions: [
      { value: 'throughline-api', name: 'ApiName' },
      { value: 'prod', name: 'Stage' },
    ],
    Period: 60,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 3,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 500.0,
    TreatMissingData: 'notBreaching',
    EvaluateLowSampleCountPercentile: 'evaluate',
  },
};

const errorsRecovered = {
  ...latencyAlarm,
  AlarmName: 'throughline-create-test-errors',
  AlarmDescription: undefined,
  NewStateValue: 'OK',
  OldStateValue: 'ALARM',
  NewStateReason:
    'Threshold Crossed: 1 datapoint [0.0 (20/06/24 12:00:00)] was not greater than or equal to the threshold (5.0).',
  AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-create-test-errors',
  Trigger: {
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    StatisticType: 'Statistic',
    Statistic: 'SUM',
    Unit: null,
    Dimensions: [{ value: 'throughline-create-test', name: 'FunctionName' }],
    Period: 300,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Threshold: 5.0,
    TreatMissingData: 'missing',
    EvaluateLowSampleCountPercentile: '',
  },
};

const anomalyAlarm = {
  AlarmName: 'throughline-worker-duration-anomaly',
  AlarmDescription: 'Segment worker duration outside its usual band',
  AWSAccountId: '123456789012',
  NewStateValue: 'ALARM',
  NewStateReason:
    'Thresholds Crossed: 2 out of the last 3 datapoints [812000.0 (20/06/24 11:15:00), 790500.0 (20/06/24 11:10:00)] were greater than the upper thresholds [601233.4, 598765.1] (minimum 2 datapoints for OK -> ALARM transition).',
  StateChangeTime: '2024-06-20T11:20:41.017+0000',
  Region: 'EU (Ireland)',
  AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-worker-duration-anomaly',
  OldStateValue: 'OK',
  Trigger: {
    Period: 300,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    ComparisonOperator: 'GreaterThanUpperThreshold',
    ThresholdMetricId: 'ad1',
    TreatMissingData: 'missing',
    EvaluateLowSampleCountPercentile: '',
    Metrics: [
      {
        Id: 'm1',
        MetricStat: {
          Metric: {
            Dimensions: [{ value: 'throughline-segment-worker', name: 'FunctionName' }],
            MetricName: 'Duration',
            Namespace: 'AWS/Lambda',
          },
          Period: 300,
          Stat: 'p99',
        },
        ReturnData: true,
      },
      {
        Expression: 'ANOMALY_DETECTION_BAND(m1, 2)',
        Id: 'ad1',
        Label: 'Duration (expected)',
        ReturnData: true,
      },
    ],
  },
};

const compositeAlarm = {
  AlarmName: 'throughline-api-degraded',
  AlarmDescription: 'Latency and 5xx together',
  AWSAccountId: '123456789012',
  NewStateValue: 'ALARM',
  NewStateReason:
    'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-api-p95-latency transitioned to ALARM at Thursday 20 June, 2024 11:25:36 UTC',
  StateChangeTime: '2024-06-20T11:25:37.017+0000',
  Region: 'EU (Ireland)',
  AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-api-degraded',
  OldStateValue: 'OK',
  AlarmRule: 'ALARM("throughline-api-p95-latency") AND ALARM("throughline-api-5xx")',
  TriggeringChildren: [
    {
      Arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:throughline-api-p95-latency',
      State: { Value: 'ALARM', Timestamp: '2024-06-20T11:25:36.452+0000' },
    },
  ],
  OKActions: [],
  AlarmActions: [TOPIC],
  InsufficientDataActions: [],
};

const runText = [
  'Throughline test "checkout" (01J0Z8Q1V3): failed',
  '120,000 requests at 200 req/s, errors 0.40 %, p95 312 ms, p99 480 ms',
  'thresholds: 1/2 met — failed: http_req_duration p(95)<250 (312)',
  'workers: 4/4 completed',
].join('\n');

const asAlarm = (m: unknown, subject?: string) => parseNotice(envelope(m, subject)) as AlarmNotice;
const allText = (s: SlackMessage) => JSON.stringify(s);
const sectionTexts = (s: SlackMessage) =>
  s.blocks.flatMap((b) =>
    b.type === 'section' ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => e.text) : [],
  );

describe('parseNotice', () => {
  it('reads a metric alarm: state change, region code from the ARN, the condition in words', () => {
    const n = asAlarm(latencyAlarm, 'ALARM: "throughline-api-p95-latency" in EU (Ireland)');
    expect(n).toMatchObject({
      kind: 'metric-alarm',
      alarm: 'throughline-api-p95-latency',
      state: 'ALARM',
      previousState: 'OK',
      time: '2024-06-20T11:25:36.452Z',
      region: 'eu-west-1',
      regionName: 'EU (Ireland)',
      account: '123456789012',
      link: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/throughline-api-p95-latency',
    });
    expect(n.condition?.summary).toBe('p95 Latency > 500 ms for 3 of 3 periods of 60 s');
    expect(n.condition?.metric).toEqual({
      namespace: 'AWS/ApiGateway',
      name: 'Latency',
      statistic: 'p95',
      dimensions: { ApiName: 'throughline-api', Stage: 'prod' },
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
    expect(n.condition?.threshold).toEqual({ comparison: 'GreaterThanThreshold', value: 500, unit: 'ms' });
  });

  it('words standard statistics, ≥, one period, minutes', () => {
    const n = asAlarm(errorsRecovered);
    expect(n.state).toBe('OK');
    expect(n.previousState).toBe('ALARM');
    expect(n.description).toBeUndefined();
    expect(n.condition?.summary).toBe('Sum Errors ≥ 5 for 1 period of 5 min');
  });

  it('reads an anomaly-band alarm from Metrics[] and ThresholdMetricId', () => {
    const n = asAlarm(anomalyAlarm);
    expect(n.kind).toBe('metric-alarm');
    expect(n.condition?.summary).toBe(
      'p99 Duration above the expected band (ANOMALY_DETECTION_BAND(m1, 2)) for 2 of 3 periods of 5 min',
    );
    expect(n.condition?.threshold).toEqual({
      comparison: 'GreaterThanUpperThreshold',
      band: 'ANOMALY_DETECTION_BAND(m1, 2)',
      unit: 'ms',
    });
    expect(n.condition?.metric).toMatchObject({
      namespace: 'AWS/Lambda',
      name: 'Duration',
      statistic: 'p99',
      dimensions: { FunctionName: 'throughline-segment-worker' },
    });
  });

  it('reads a metric-math alarm: the returned expression is what the threshold compares', () => {
    const n = asAlarm({
      ...latencyAlarm,
      Trigger: {
        Period: 60,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1.5,
        Metrics: [
          {
            Id: 'errors',
            MetricStat: {
              Metric: { MetricName: '5XXError', Namespace: 'AWS/ApiGateway', Dimensions: [] },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'requests',
            MetricStat: {
              Metric: { MetricName: 'Count', Namespace: 'AWS/ApiGateway', Dimensions: [] },
              Period: 60,
              Stat: 'SampleCount',
            },
            ReturnData: false,
          },
          { Id: 'rate', Expression: '100 * errors / requests', Label: '5xx rate (%)', ReturnData: true },
        ],
      },
    });
    expect(n.condition?.summary).toBe('5xx rate (%) > 1.5 for 3 of 5 periods of 60 s');
    expect(n.condition?.metric).toMatchObject({
      name: '5xx rate (%)',
      expression: '100 * errors / requests',
    });
  });

  it('reads a composite alarm: rule and triggering children, no condition', () => {
    const n = asAlarm(compositeAlarm);
    expect(n.kind).toBe('composite-alarm');
    expect(n.rule).toBe(compositeAlarm.AlarmRule);
    expect(n.triggeredBy).toEqual(['throughline-api-p95-latency']);
    expect(n.condition).toBeUndefined();
    expect(n.time).toBe('2024-06-20T11:25:37.017Z');
  });

  it('passes anything else through with its subject: our run notices, plain text, foreign JSON', () => {
    expect(parseNotice(envelope(runText, 'Throughline load test 01J0Z8Q1V3: failed'))).toEqual({
      kind: 'message',
      subject: 'Throughline load test 01J0Z8Q1V3: failed',
      text: runText,
      time: '2024-06-20T11:25:37.102Z',
      region: 'eu-west-1',
      account: '123456789012',
    });
    const budget = parseNotice(envelope({ budgetName: 'monthly', actual: 120 }));
    expect(budget).toMatchObject({ kind: 'message', text: '{"budgetName":"monthly","actual":120}' });
    expect(parseNotice(envelope('{ not json'))).toMatchObject({ kind: 'message', text: '{ not json' });
    expect(parseNotice(envelope({ ...latencyAlarm, NewStateValue: 'PENDING' })).kind).toBe('message');
  });

  it('encodes the alarm name in the console link and builds none for an unknown partition', () => {
    expect(consoleLink('aws', 'us-east-1', 'API p95 / prod')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/API%20p95%20%2F%20prod',
    );
    expect(consoleLink('aws-iso', 'us-iso-east-1', 'x')).toBeUndefined();
    expect(consoleLink('aws', 'evil.example.com/', 'x')).toBeUndefined();
  });
});

describe('slackMessage', () => {
  it('formats a metric alarm: emoji header, condition, reason, change, time and console link', () => {
    const s = slackMessage(asAlarm(latencyAlarm));
    expect(s.text).toBe(
      '🔴 ALARM: throughline-api-p95-latency — p95 Latency &gt; 500 ms for 3 of 3 periods of 60 s',
    );
    expect(s.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 ALARM: throughline-api-p95-latency', emoji: true },
    });
    const [detail, reason, context] = sectionTexts(s);
    expect(detail).toBe(
      '*p95 Latency &gt; 500 ms for 3 of 3 periods of 60 s*\nAWS/ApiGateway · ApiName=throughline-api, Stage=prod\np95 latency of the Throughline API above 500 ms',
    );
    expect(reason).toContain('(minimum 3 datapoints for OK -&gt; ALARM transition)');
    expect(context).toBe(
      'OK → ALARM · <!date^1718882736^{date_short_pretty} {time_secs}|2024-06-20T11:25:36.452Z> · EU (Ireland) (eu-west-1) · account 123456789012 · <https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/throughline-api-p95-latency|Open in CloudWatch>',
    );
  });

  it('gives each state its emoji', () => {
    expect(slackMessage(asAlarm(errorsRecovered)).blocks[0]).toMatchObject({
      text: { text: '✅ OK: throughline-create-test-errors' },
    });
    expect(
      slackMessage(asAlarm({ ...errorsRecovered, NewStateValue: 'INSUFFICIENT_DATA' })).blocks[0],
    ).toMatchObject({
      text: { text: '⚪ INSUFFICIENT DATA: throughline-create-test-errors' },
    });
  });

  it('formats an anomaly-band alarm and a composite alarm', () => {
    expect(sectionTexts(slackMessage(asAlarm(anomalyAlarm)))[0]).toMatch(
      /^\*p99 Duration above the expected band \(ANOMALY_DETECTION_BAND\(m1, 2\)\) for 2 of 3 periods of 5 min\*\nAWS\/Lambda · FunctionName=throughline-segment-worker/,
    );
    const composite = slackMessage(asAlarm(compositeAlarm));
    expect(sectionTexts(composite)[0]).toBe(
      '*Rule:* `ALARM("throughline-api-p95-latency") AND ALARM("throughline-api-5xx")`\n*Triggered by:* throughline-api-p95-latency\nLatency and 5xx together',
    );
    expect(composite.text).toContain('transitioned to ALARM');
  });

  it('passes a run notice through with a status emoji and its lines', () => {
    const s = slackMessage(parseNotice(envelope(runText, 'Throughline load test 01J0Z8Q1V3: failed')));
    expect(s.blocks[0]).toMatchObject({ text: { text: '🔴 Throughline load test 01J0Z8Q1V3: failed' } });
    expect(sectionTexts(s)[0]).toBe(runText.replace('p(95)<250', 'p(95)&lt;250'));
    expect(s.text).toBe(
      'Throughline load test 01J0Z8Q1V3: failed — Throughline test "checkout" (01J0Z8Q1V3): failed',
    );
    const plain = slackMessage(parseNotice(envelope('disk almost full')));
    expect(plain.blocks[0]).toMatchObject({ text: { text: '📣 Throughline notification' } });
  });

  it('escapes &, < and > in user-controlled text so it cannot mention or link', () => {
    const s = slackMessage(
      asAlarm({
        ...latencyAlarm,
        AlarmDescription: '<!channel> latency & errors > budget <https://evil.example|click>',
      }),
    );
    expect(allText(s)).not.toContain('<!channel>');
    expect(allText(s)).not.toContain('<https://evil');
    expect(sectionTexts(s)[0]).toContain(
      '&lt;!channel&gt; latency &amp; errors &gt; budget &lt;https://evil.example|click&gt;',
    );
    const plain = slackMessage(parseNotice(envelope('a <@U123> & <!here>', 'x <y>')));
    expect(sectionTexts(plain)[0]).toBe('a &lt;@U123&gt; &amp; &lt;!here&gt;');
    expect(plain.text).toBe('x &lt;y&gt; — a &lt;@U123&gt; &amp; &lt;!here&gt;');
  });

  it('keeps every text within Slack limits, cutting with an ellipsis, never mid-entity or mid-emoji', () => {
    const reason = `${'a'.repeat(2_997)}&&&& and more`;
    const s = slackMessage(asAlarm({ ...latencyAlarm, AlarmName: 'n'.repeat(255), NewStateReason: reason }));
    const header = s.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
    expect(header?.type === 'header' && header.text.text.endsWith('…')).toBe(true);
    const cut = sectionTexts(s)[1] ?? '';
    expect(cut.length).toBeLessThanOrEqual(3_000);
    expect(cut).toMatch(/a…$/);
    for (const text of [s.text, ...sectionTexts(s)]) expect(text.length).toBeLessThanOrEqual(3_000);

    const emoji = slackMessage(parseNotice(envelope('😀'.repeat(2_000))));
    const body = sectionTexts(emoji)[0] ?? '';
    expect(body.length).toBeLessThanOrEqual(3_000);
    expect(body.endsWith('😀…')).toBe(true);
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('webhookPayload', () => {
  it('is stable JSON for a metric alarm', () => {
    expect(webhookPayload(asAlarm(latencyAlarm))).toEqual({
      source: 'throughline',
      kind: 'metric-alarm',
      state: 'ALARM',
      previousState: 'OK',
      alarm: 'throughline-api-p95-latency',
      reason: latencyAlarm.NewStateReason,
      time: '2024-06-20T11:25:36.452Z',
      region: 'eu-west-1',
      account: '123456789012',
      metric: {
        namespace: 'AWS/ApiGateway',
        name: 'Latency',
        statistic: 'p95',
        dimensions: { ApiName: 'throughline-api', Stage: 'prod' },
        periodSeconds: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      },
      threshold: { comparison: 'GreaterThanThreshold', value: 500, unit: 'ms' },
      link: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/throughline-api-p95-latency',
      text: 'ALARM: throughline-api-p95-latency — p95 Latency > 500 ms for 3 of 3 periods of 60 s',
    });
  });

  it('carries the band of an anomaly alarm and the rule of a composite alarm', () => {
    expect(webhookPayload(asAlarm(anomalyAlarm)).threshold).toEqual({
      comparison: 'GreaterThanUpperThreshold',
      band: 'ANOMALY_DETECTION_BAND(m1, 2)',
      unit: 'ms',
    });
    const composite = webhookPayload(asAlarm(compositeAlarm));
    expect(composite).toMatchObject({ kind: 'composite-alarm', rule: compositeAlarm.AlarmRule });
    expect(composite).not.toHaveProperty('metric');
    expect(composite.text).toBe(`ALARM: throughline-api-degraded — ${compositeAlarm.AlarmRule}`);
  });

  it('keeps every key for a plain message, null where it does not apply, and stays short', () => {
    expect(webhookPayload(parseNotice(envelope('disk almost full', 'ops')))).toEqual({
      source: 'throughline',
      kind: 'message',
      state: null,
      previousState: null,
      alarm: null,
      reason: null,
      time: '2024-06-20T11:25:37.102Z',
      region: 'eu-west-1',
      account: '123456789012',
      subject: 'ops',
      text: 'ops\ndisk almost full',
    });
    const long = webhookPayload(asAlarm({ ...latencyAlarm, NewStateReason: 'x'.repeat(10_000) }));
    expect(long.reason).toHaveLength(3_000);
    expect(long.reason?.endsWith('…')).toBe(true);
  });
});

describe('notifierConfig', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:throughline/webhook-AbCdEf';

  it('reads the region and the secret ARN', () => {
    expect(notifierConfig({ AWS_REGION: 'eu-west-1', THROUGHLINE_WEBHOOK_SECRET_ARN: arn })).toEqual({
      region: 'eu-west-1',
      webhookSecretArn: arn,
    });
  });

  it('names every missing or malformed variable', () => {
    expect(() => notifierConfig({})).toThrow(ConfigError);
    expect(() => notifierConfig({})).toThrow(
      /AWS_REGION is not set[\s\S]*THROUGHLINE_WEBHOOK_SECRET_ARN is not set/,
    );
    expect(() =>
      notifierConfig({
        AWS_REGION: 'eu-west-1',
        THROUGHLINE_WEBHOOK_SECRET_ARN: 'https://hooks.slack.com/x',
      }),
    ).toThrow(/THROUGHLINE_WEBHOOK_SECRET_ARN="https:\/\/hooks.slack.com\/x": a Secrets Manager secret ARN/);
  });
});
