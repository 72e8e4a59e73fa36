import type { AlarmStateValue } from '../../ports/alarms';
import { describeTrigger, isObject, type Json, opt, str } from './alarm-trigger';
import type { AlarmNotice, Notice } from './notice';

/**
 * What the alarm notifier forwards: CloudWatch metric and composite alarm state changes, read from
 * the JSON AWS publishes on SNS, and anything else on the topic (our run notifications, plain
 * text) passed through with its subject. Parsing never throws: a message we cannot read as an
 * alarm must still reach the people on call.
 */

/** The fields of an SNS record (`Records[].Sns`) a notice is built from. */
export interface SnsEnvelope {
  readonly Message: string;
  readonly Subject?: string | null | undefined;
  readonly Timestamp?: string | undefined;
  readonly TopicArn?: string | undefined;
  readonly MessageId?: string | undefined;
}

const STATES: ReadonlySet<string> = new Set<AlarmStateValue>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const stateOf = (v: unknown): AlarmStateValue | undefined =>
  typeof v === 'string' && STATES.has(v) ? (v as AlarmStateValue) : undefined;
/** CloudWatch writes `2024-06-20T11:25:36.452+0000`; ISO needs the colon in the offset. */
function isoTime(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const ms = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function arnParts(arn: string | undefined) {
  const [prefix, partition, , region, account] = (arn ?? '').split(':');
  if (prefix !== 'arn' || !partition || !region || !REGION.test(region)) return undefined;
  return { partition, region, ...opt('account', /^\d{12}$/.test(account ?? '') ? account : undefined) };
}

const CONSOLE_HOSTS: Readonly<Record<string, (region: string) => string>> = {
  aws: (region) => `${region}.console.aws.amazon.com`,
  'aws-cn': () => 'console.amazonaws.cn',
  'aws-us-gov': () => 'console.amazonaws-us-gov.com',
};

export function consoleLink(partition: string, region: string, alarm: string): string | undefined {
  const host = CONSOLE_HOSTS[partition]?.(region);
  if (!host || !REGION.test(region)) return undefined;
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarm)}`;
}

/** Builds the notice of one SNS message. */
export function parseNotice(sns: SnsEnvelope): Notice {
  const text = sns.Message ?? '';
  if (text.trimStart().startsWith('{')) {
    try {
      const body: unknown = JSON.parse(text);
      const alarm = isObject(body) ? parseAlarm(body, sns) : undefined;
      if (alarm) return alarm;
    } catch {
      // not JSON after all: passed through as text
    }
  }
  const topic = arnParts(sns.TopicArn);
  return {
    kind: 'message',
    text,
    ...opt('subject', sns.Subject?.trim() || undefined),
    ...opt('time', isoTime(sns.Timestamp)),
    ...opt('region', topic?.region),
    ...opt('account', topic?.account),
  };
}

function parseAlarm(m: Json, sns: SnsEnvelope): AlarmNotice | undefined {
  const alarm = str(m, 'AlarmName');
  const state = stateOf(m.NewStateValue);
  if (!alarm || !state) return undefined;
  const where = arnParts(str(m, 'AlarmArn')) ?? arnParts(sns.TopicArn);
  const rule = str(m, 'AlarmRule');
  const children = Array.isArray(m.TriggeringChildren)
    ? m.TriggeringChildren.filter(isObject).flatMap((c) => {
        const arn = str(c, 'Arn') ?? '';
        const name = arn.includes(':alarm:') ? arn.slice(arn.indexOf(':alarm:') + 7) : arn;
        return name ? [name] : [];
      })
    : [];
  return {
    kind: rule ? 'composite-alarm' : 'metric-alarm',
    alarm,
    state,
    reason: str(m, 'NewStateReason') ?? '',
    ...opt('description', str(m, 'AlarmDescription')),
    ...opt('previousState', stateOf(m.OldStateValue)),
    ...opt('time', isoTime(str(m, 'StateChangeTime')) ?? isoTime(sns.Timestamp)),
    ...opt('region', where?.region),
    ...opt('regionName', str(m, 'Region')),
    ...opt('account', str(m, 'AWSAccountId') ?? where?.account),
    ...opt('condition', isObject(m.Trigger) ? describeTrigger(m.Trigger) : undefined),
    ...opt('rule', rule),
    ...opt('triggeredBy', children.length > 0 ? children : undefined),
    ...opt('link', where ? consoleLink(where.partition, where.region, alarm) : undefined),
  };
}

export type { MetricCondition, NoticeMetric, NoticeThreshold } from './alarm-trigger';
export type { AlarmNotice, MessageNotice, Notice } from './notice';
export {
  SLACK_TEXT_LIMIT,
  type SlackBlock,
  type SlackMessage,
  slackEscape,
  slackMessage,
  truncate,
  type WebhookPayload,
  webhookPayload,
} from './notice-format';
