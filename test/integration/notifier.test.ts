import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Context, SNSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSecretReader, WebhookSecretError } from '../../lambdas/adapters/aws/webhook-secret';
import { createWebhookPoster, retryAfterMs, WebhookError } from '../../lambdas/adapters/node/webhook-poster';
import { awsAlarmNotifier, NotifierError } from '../../lambdas/composition/notifier';
import type { SnsEnvelope } from '../../lambdas/core/observability/notification';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { freePort } from '../helpers/processes';

// The alarm notifier against real stand-ins: a loopback HTTP server for Slack / the webhook and
// moto's Secrets Manager for the secret holding its URL.

interface Received {
  readonly path: string;
  readonly body: unknown;
  readonly at: number;
}
let servers: TestServer[] = [];
/** A webhook on a free loopback port; `answer` decides each response from the request number. */
async function webhook(answer: (n: number, req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const received: Received[] = [];
  const server = await startHttp((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body), at: Date.now() });
      answer(received.length, req, res, body);
    });
  });
  servers.push(server);
  return { url: `${server.url}/services/T0001/B0002/s3cr3tT0k3n`, received };
}
const reply = (res: ServerResponse, status: number, text = 'ok', headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const fast = { backoffMs: 5 } as const;
const rejection = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
};

describe('webhook poster', () => {
  it('retries a 500 and succeeds, posting the same JSON each time', async () => {
    const hook = await webhook((n, _req, res) => reply(res, n < 3 ? 500 : 200));
    const result = await createWebhookPoster(fast).post(hook.url, { text: 'hello' });
    expect(result).toEqual({ status: 200, attempts: 3 });
    expect(hook.received.map((r) => r.body)).toEqual([
      { text: 'hello' },
      { text: 'hello' },
      { text: 'hello' },
    ]);
    expect(hook.received[0]?.path).toBe('/services/T0001/B0002/s3cr3tT0k3n');
  });

  it('gives up after 3 tries with a clear error that does not contain the URL', async () => {
    const hook = await webhook((_n, req, res) => reply(res, 503, `upstream down for ${req.url}`));
    const err = await rejection(createWebhookPoster(fast).post(hook.url, {}));
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ code: 'E_WEBHOOK_FAILED', status: 503 });
    expect(err.message).toMatch(
      /^webhook at 127\.0\.0\.1:\d+ failed after 3 tries: HTTP 503 "upstream down for <webhook>"$/,
    );
    expect(err.message).not.toContain('s3cr3tT0k3n');
    expect(hook.received).toHaveLength(3);
  });

  it('honours Retry-After on a 429, up to the cap', async () => {
    const hook = await webhook((n, _req, res) =>
      n === 1 ? reply(res, 429, 'rate_limited', { 'retry-after': '1' }) : reply(res, 200),
    );
    const waits: number[] = [];
    const poster = createWebhookPoster({
      ...fast,
      sleep: (ms) => {
        waits.push(ms);
        return delay(ms);
      },
    });
    expect(await poster.post(hook.url, { n: 1 })).toEqual({ status: 200, attempts: 2 });
    expect(waits).toEqual([1_000]);
    const [first, second] = hook.received;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);

    const capped = await webhook((n, _req, res) =>
      n === 1 ? reply(res, 429, '', { 'retry-after': '120' }) : reply(res, 200),
    );
    waits.length = 0;
    const cappedPoster = createWebhookPoster({
      maxRetryAfterMs: 50,
      sleep: (ms) => delay(waits.push(ms) && ms),
    });
    expect(await cappedPoster.post(capped.url, {})).toEqual({ status: 200, attempts: 2 });
    expect(waits).toEqual([50]);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 60_000, 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 60_000)).toBeUndefined();
  });

  it('times out a webhook that does not answer, on every try', async () => {
    const hook = await webhook(() => {}); // never answers
    const started = Date.now();
    const err = await rejection(
      createWebhookPoster({ ...fast, timeoutMs: 200, attempts: 2 }).post(hook.url, {}),
    );
    expect(err).toMatchObject({ code: 'E_WEBHOOK_FAILED' });
    expect(err.message).toMatch(/failed after 2 tries: no answer within 200 ms$/);
    expect(hook.received).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('does not retry a 4xx: the URL or payload is wrong', async () => {
    const hook = await webhook((_n, _req, res) => reply(res, 404, 'no_service'));
    const err = await rejection(createWebhookPoster(fast).post(hook.url, {}));
    expect(err).toMatchObject({ code: 'E_WEBHOOK_REJECTED', status: 404 });
    expect(err.message).toContain('HTTP 404 "no_service"');
    expect(hook.received).toHaveLength(1);
  });

  it('retries network errors', async () => {
    const port = await freePort(); // nothing listens there
    const err = await rejection(createWebhookPoster(fast).post(`http://127.0.0.1:${port}/hook/secret`, {}));
    expect(err).toMatchObject({ code: 'E_WEBHOOK_FAILED' });
    expect(err.message).toMatch(/failed after 3 tries: fetch failed \(ECONNREFUSED\)$/);
  });

  it('refuses plain http beyond loopback, other schemes and credentials, without naming the path', async () => {
    const poster = createWebhookPoster(fast);
    const plain = await rejection(poster.post('http://hooks.slack.com/services/T0/B0/s3cr3tT0k3n', {}));
    expect(plain).toMatchObject({ code: 'E_WEBHOOK_URL' });
    expect(plain.message).toBe(
      'refusing to post to http://hooks.slack.com: webhooks must use https (http only to loopback)',
    );
    await expect(poster.post('ftp://127.0.0.1/x', {})).rejects.toMatchObject({ code: 'E_WEBHOOK_URL' });
    await expect(poster.post('https://user:pw@hooks.example.com/x', {})).rejects.toThrow(
      /must not contain credentials/,
    );
    const bad = await rejection(poster.post('not a url s3cr3tT0k3n', {}));
    expect(bad.message).toBe('the webhook URL is not a valid URL');
  });
});

describe('webhook secret (moto Secrets Manager)', () => {
  let moto: Moto;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = new SecretsManagerClient(awsClientConfig(moto.endpoint));
  });
  afterAll(async () => {
    client?.destroy();
    await moto?.stop(); // kills it by PID
  });

  const secret = async (value: string) => {
    const out = await client.send(
      new CreateSecretCommand({ Name: `throughline/webhook-${randomUUID()}`, SecretString: value }),
    );
    return out.ARN as string;
  };

  it('reads the JSON setting and infers the format of a bare URL', async () => {
    const json = await secret(JSON.stringify({ url: 'https://chat.example.com/hooks/abc', format: 'slack' }));
    expect(await createWebhookSecretReader(client, json).get()).toEqual({
      url: 'https://chat.example.com/hooks/abc',
      format: 'slack',
    });
    const slack = await secret('https://hooks.slack.com/services/T0/B0/xyz\n');
    expect(await createWebhookSecretReader(client, slack).get()).toEqual({
      url: 'https://hooks.slack.com/services/T0/B0/xyz',
      format: 'slack',
    });
    const generic = await secret(JSON.stringify({ url: 'https://ops.example.com/alerts' }));
    expect((await createWebhookSecretReader(client, generic).get()).format).toBe('webhook');
  });

  it('reads once, again after the refresh interval or when invalidated', async () => {
    const arn = await secret('https://ops.example.com/v1');
    let now = 1_000_000;
    const reader = createWebhookSecretReader(client, arn, { now: () => now });
    expect((await reader.get()).url).toBe('https://ops.example.com/v1');
    await client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: 'https://ops.example.com/v2' }),
    );
    now += 5 * 60_000 - 1;
    expect((await reader.get()).url).toBe('https://ops.example.com/v1');
    now += 1;
    expect((await reader.get()).url).toBe('https://ops.example.com/v2');
    await client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: 'https://ops.example.com/v3' }),
    );
    reader.invalidate();
    expect((await reader.get()).url).toBe('https://ops.example.com/v3');
  });

  it('keeps the last good value when a refresh fails, and reports it', async () => {
    const arn = await secret('https://ops.example.com/kept');
    let now = 0;
    const stale: unknown[] = [];
    const reader = createWebhookSecretReader(client, arn, {
      now: () => now,
      onStaleRead: (e) => stale.push(e),
    });
    await reader.get();
    await client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    now += 10 * 60_000;
    expect((await reader.get()).url).toBe('https://ops.example.com/kept');
    expect(stale).toHaveLength(1);
    await expect(createWebhookSecretReader(client, arn).get()).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('lists every problem of a bad setting without quoting the URL', async () => {
    const arn = await secret(
      JSON.stringify({ url: 'hooks.slack.com/services/T0/B0/s3cr3tT0k3n', format: 'teams', channel: '#ops' }),
    );
    const err = await rejection(createWebhookSecretReader(client, arn).get());
    expect(err).toBeInstanceOf(WebhookSecretError);
    expect(err.message).toContain(`secret ${arn} is not a webhook setting`);
    expect(err.message).toContain('url: must be an http(s) URL');
    expect(err.message).toContain('format: must be "slack" or "webhook"');
    expect(err.message).toMatch(/Unrecognized key.*channel/);
    expect(err.message).not.toContain('s3cr3tT0k3n');
    const notUrl = await secret('s3cr3tT0k3n');
    await expect(createWebhookSecretReader(client, notUrl).get()).rejects.toThrow(/or an https URL$/);
    const broken = await secret('{"url": "https://x.example/s3cr3tT0k3n"');
    const brokenErr = await rejection(createWebhookSecretReader(client, broken).get());
    expect(brokenErr.message).toContain('starts with { but is not JSON');
    expect(brokenErr.message).not.toContain('s3cr3tT0k3n');
  });

  describe('the whole path: SNS records → notifier → webhook', () => {
    const alarm = {
      AlarmName: 'throughline-api-p95-latency',
      AlarmDescription: 'p95 latency & errors of the API',
      AWSAccountId: '123456789012',
      NewStateValue: 'ALARM',
      NewStateReason:
        'Threshold Crossed: 3 out of the last 3 datapoints [612.4 (20/06/24 11:24:00), 587.0 (20/06/24 11:23:00), 540.2 (20/06/24 11:22:00)] were greater than the threshold (500.0) (minimum 3 datapoints for OK -> ALARM transition).',
      StateChangeTime: '2024-06-20T11:25:36.452+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:throughline-api-p95-latency',
      OldStateValue: 'OK',
      Trigger: {
        MetricName: 'Latency',
        Namespace: 'AWS/ApiGateway',
        StatisticType: 'ExtendedStatistic',
        ExtendedStatistic: 'p95',
        Unit: null,
        Dimensions: [{ value: 'throughline-api', name: 'ApiName' }],
        Period: 60,
        EvaluationPeriods: 3,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 500.0,
      },
    };
    const record = (message: string, subject: string | null = null): SnsEnvelope => ({
      Message: message,
      Subject: subject,
      Timestamp: '2024-06-20T11:25:37.102Z',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:throughline-alarms',
      MessageId: randomUUID(),
    });
    const logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];
    const log = {
      info: (message: string, data?: Record<string, unknown>) =>
        logs.push({ level: 'info', message, ...(data ? { data } : {}) }),
      error: (message: string, data?: Record<string, unknown>) =>
        logs.push({ level: 'error', message, ...(data ? { data } : {}) }),
    };
    afterEach(() => {
      logs.length = 0;
    });

    it('posts Slack JSON for a CloudWatch alarm and a run notice', async () => {
      const hook = await webhook((_n, _req, res) => reply(res, 200));
      const arn = await secret(JSON.stringify({ url: hook.url, format: 'slack' }));
      const notifier = awsAlarmNotifier({ region: 'us-east-1', webhookSecretArn: arn }, log, {
        secrets: client,
        poster: fast,
      });
      await notifier.deliver([
        record(JSON.stringify(alarm), 'ALARM: "throughline-api-p95-latency" in US East (N. Virginia)'),
        record('Throughline test "checkout" (t1): passed', 'Throughline load test t1: passed'),
      ]);
      expect(hook.received).toHaveLength(2);
      expect(hook.received[0]?.body).toMatchObject({
        text: '🔴 ALARM: throughline-api-p95-latency — p95 Latency &gt; 500 ms for 3 of 3 periods of 60 s',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: '🔴 ALARM: throughline-api-p95-latency' } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*p95 Latency &gt; 500 ms for 3 of 3 periods of 60 s*\nAWS/ApiGateway · ApiName=throughline-api\np95 latency &amp; errors of the API',
            },
          },
          { type: 'section' },
          { type: 'context' },
        ],
      });
      expect(JSON.stringify(hook.received[0]?.body)).toContain(
        '<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/throughline-api-p95-latency|Open in CloudWatch>',
      );
      expect(hook.received[1]?.body).toMatchObject({
        blocks: [
          { type: 'header', text: { text: '✅ Throughline load test t1: passed' } },
          { type: 'section' },
          { type: 'context' },
        ],
      });
      expect(logs.map((l) => [l.level, l.message, l.data?.alarm ?? l.data?.subject])).toEqual([
        ['info', 'notification delivered', 'throughline-api-p95-latency'],
        ['info', 'notification delivered', 'Throughline load test t1: passed'],
      ]);
      expect(JSON.stringify(logs)).not.toContain('s3cr3tT0k3n');
    });

    it('posts the generic JSON when the secret says webhook', async () => {
      const hook = await webhook((_n, _req, res) => reply(res, 204, ''));
      const arn = await secret(JSON.stringify({ url: hook.url, format: 'webhook' }));
      const notifier = awsAlarmNotifier({ region: 'us-east-1', webhookSecretArn: arn }, log, {
        secrets: client,
        poster: fast,
      });
      await notifier.deliver([record(JSON.stringify(alarm))]);
      expect(hook.received[0]?.body).toMatchObject({
        source: 'throughline',
        kind: 'metric-alarm',
        state: 'ALARM',
        previousState: 'OK',
        alarm: 'throughline-api-p95-latency',
        region: 'us-east-1',
        account: '123456789012',
        threshold: { comparison: 'GreaterThanThreshold', value: 500, unit: 'ms' },
      });
    });

    it('tries every record, then fails the invocation naming the one that failed', async () => {
      const hook = await webhook((_n, _req, res, body) =>
        reply(res, body.includes('broken-alarm') ? 500 : 200),
      );
      const arn = await secret(JSON.stringify({ url: hook.url, format: 'webhook' }));
      const notifier = awsAlarmNotifier({ region: 'us-east-1', webhookSecretArn: arn }, log, {
        secrets: client,
        poster: fast,
      });
      const err = await rejection(
        notifier.deliver([
          record(JSON.stringify({ ...alarm, AlarmName: 'broken-alarm' })),
          record(JSON.stringify(alarm)),
        ]),
      );
      expect(err).toBeInstanceOf(NotifierError);
      expect(err.message).toMatch(
        /^1 of 2 notifications failed:\n {2}broken-alarm: webhook at 127\.0\.0\.1:\d+ failed after 3 tries: HTTP 500/,
      );
      const alarms = hook.received.map((r) => (r.body as { alarm: string }).alarm);
      expect(alarms).toEqual(['broken-alarm', 'broken-alarm', 'broken-alarm', 'throughline-api-p95-latency']);
      expect(logs.map((l) => [l.level, l.data?.alarm])).toEqual([
        ['error', 'broken-alarm'],
        ['info', 'throughline-api-p95-latency'],
      ]);
      expect(JSON.stringify(logs) + err.message).not.toContain('s3cr3tT0k3n');
    });

    it('skips, without failing the invocation, while the secret still holds the placeholder', async () => {
      const arn = await secret('Zq8#placeholder-from-the-stack');
      const notifier = awsAlarmNotifier({ region: 'us-east-1', webhookSecretArn: arn }, log, {
        secrets: client,
        poster: fast,
      });
      await notifier.deliver([record(JSON.stringify(alarm))]);
      expect(logs.map((l) => [l.level, l.message])).toEqual([
        ['error', 'notification skipped: the webhook secret holds no webhook URL yet'],
      ]);
      expect(JSON.stringify(logs)).not.toContain('Zq8#placeholder');
    });

    it('runs as the Lambda handler, configured from the environment', async () => {
      const hook = await webhook((_n, _req, res) => reply(res, 200));
      const arn = await secret(JSON.stringify({ url: hook.url, format: 'slack' }));
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_REGION: 'us-east-1',
        THROUGHLINE_WEBHOOK_SECRET_ARN: arn,
        // The SDK's service-specific endpoint variable: the handler's own client talks to moto.
        AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      });
      try {
        const { handler } = await import('../../lambdas/entrypoints/lambda/notify-alarm');
        const event: SNSEvent = {
          Records: [
            {
              EventVersion: '1.0',
              EventSubscriptionArn:
                'arn:aws:sns:us-east-1:123456789012:throughline-alarms:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55',
              EventSource: 'aws:sns',
              Sns: {
                ...record(JSON.stringify({ ...alarm, NewStateValue: 'OK', OldStateValue: 'ALARM' })),
                SignatureVersion: '1',
                Signature: 'EXAMPLE',
                SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
                MessageAttributes: {},
                Type: 'Notification',
                UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
              } as SNSEvent['Records'][number]['Sns'],
            },
          ],
        };
        const context = { functionName: 'notify-alarm', awsRequestId: randomUUID() } as Context;
        await handler(event, context);
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
      }
      expect(hook.received).toHaveLength(1);
      const { blocks } = hook.received[0]!.body as { blocks: unknown[] };
      expect(blocks[0]).toMatchObject({
        type: 'header',
        text: { text: '✅ OK: throughline-api-p95-latency' },
      });
    });
  });
});
