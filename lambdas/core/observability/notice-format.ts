import type { AlarmStateValue } from '../../ports/alarms';
import type { NoticeMetric, NoticeThreshold } from './alarm-trigger';
import type { AlarmNotice, MessageNotice, Notice } from './notice';

/**
 * A notice as a Slack incoming-webhook message (Block Kit, with a text fallback for
 * notifications) or as a generic webhook's JSON. Short by design: people read these on a phone.
 */

/** Slack's limit for a section's or the fallback's text. */
export const SLACK_TEXT_LIMIT = 3_000;
const HEADER_LIMIT = 150;

const EMOJI: Readonly<Record<AlarmStateValue, string>> = {
  ALARM: '🔴',
  OK: '✅',
  INSUFFICIENT_DATA: '⚪',
};
const STATE_WORDS: Readonly<Record<AlarmStateValue, string>> = {
  ALARM: 'ALARM',
  OK: 'OK',
  INSUFFICIENT_DATA: 'INSUFFICIENT DATA',
};
/** Statuses our run notifications end their subject with ("Throughline load test <id>: failed"). */
const RUN_EMOJI: Readonly<Record<string, string>> = {
  passed: '✅',
  failed: '🔴',
  aborted: '🔴',
  error: '🔴',
  degraded: '🟠',
  interrupted: '🟠',
  cancelled: '⚪',
};

/** Cuts to at most `max` UTF-16 units, ending with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Slack reads &, < and > as control characters: escaped, user text cannot link or `<!channel>`. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped and truncated, without leaving half an entity (`&am…`) at the cut. */
function slackText(text: string, max: number): string {
  const escaped = slackEscape(text);
  return escaped.length <= max ? escaped : truncate(escaped, max).replace(/&[a-z]{0,3}…$/, '…');
}

type PlainText = { readonly type: 'plain_text'; readonly text: string; readonly emoji: true };
type Mrkdwn = { readonly type: 'mrkdwn'; readonly text: string };
export type SlackBlock =
  | { readonly type: 'header'; readonly text: PlainText }
  | { readonly type: 'section'; readonly text: Mrkdwn }
  | { readonly type: 'context'; readonly elements: readonly Mrkdwn[] };

export interface SlackMessage {
  /** Fallback shown in notifications and by clients without blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

const header = (text: string): SlackBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, HEADER_LIMIT), emoji: true },
});
const section = (text: string): SlackBlock[] =>
  text.trim() ? [{ type: 'section', text: { type: 'mrkdwn', text } }] : [];

/** Slack shows the time in the reader's own time zone; the ISO text is the fallback. */
function slackTime(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

function context(n: Notice, extra: readonly string[]): SlackBlock[] {
  const region =
    'regionName' in n && n.regionName ? `${n.regionName}${n.region ? ` (${n.region})` : ''}` : n.region;
  const parts = [
    ...extra,
    ...(n.time ? [slackTime(n.time)] : []),
    ...(region ? [slackText(region, 100)] : []),
    ...(n.account ? [`account ${slackText(n.account, 20)}`] : []),
    ...('link' in n && n.link ? [`<${n.link}|Open in CloudWatch>`] : []),
  ];
  return parts.length > 0
    ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: parts.join(' · ') }] }]
    : [];
}

function metricLine(m: NoticeMetric): string | undefined {
  const dims = Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`);
  const where = [m.namespace, dims.join(', ')].filter(Boolean).join(' · ');
  if (m.expression) return `Expression \`${slackText(m.expression, 280)}\``;
  return where ? slackText(where, 300) : undefined;
}

function slackAlarm(n: AlarmNotice): SlackMessage {
  const title = `${EMOJI[n.state]} ${STATE_WORDS[n.state]}: ${n.alarm}`;
  const detail: string[] = [];
  if (n.condition) {
    detail.push(`*${slackText(n.condition.summary, 500)}*`);
    const line = metricLine(n.condition.metric);
    if (line) detail.push(line);
  }
  if (n.rule) detail.push(`*Rule:* \`${slackText(n.rule, 800)}\``);
  if (n.triggeredBy) detail.push(`*Triggered by:* ${slackText(n.triggeredBy.join(', '), 300)}`);
  if (n.description) detail.push(slackText(n.description, 800));
  const change = n.previousState ? `${STATE_WORDS[n.previousState]} → ${STATE_WORDS[n.state]}` : undefined;
  const gist = n.condition?.summary ?? n.reason;
  return {
    text: slackText(gist ? `${title} — ${gist}` : title, SLACK_TEXT_LIMIT),
    blocks: [
      header(title),
      ...section(detail.join('\n')),
      ...section(slackText(n.reason, SLACK_TEXT_LIMIT)),
      ...context(n, change ? [change] : []),
    ],
  };
}

function runEmoji(subject: string | undefined): string {
  const status = /:\s*(\w+)\s*$/.exec(subject ?? '')?.[1]?.toLowerCase();
  return (status && RUN_EMOJI[status]) || '📣';
}

function slackPlain(n: MessageNotice): SlackMessage {
  const title = `${runEmoji(n.subject)} ${n.subject ?? 'Throughline notification'}`;
  const firstLine = n.text.trim().split('\n', 1)[0] ?? '';
  return {
    text: slackText(n.subject ? `${n.subject} — ${firstLine}` : n.text, SLACK_TEXT_LIMIT),
    blocks: [header(title), ...section(slackText(n.text, SLACK_TEXT_LIMIT)), ...context(n, [])],
  };
}

/** Slack incoming-webhook JSON. */
export function slackMessage(notice: Notice): SlackMessage {
  return notice.kind === 'message' ? slackPlain(notice) : slackAlarm(notice);
}

/**
 * The generic webhook's JSON. Stable: every key below is always present (null when it does not
 * apply); `metric`, `threshold`, `rule`, `subject` and `link` appear when the notice has them.
 */
export interface WebhookPayload {
  readonly source: 'throughline';
  readonly kind: Notice['kind'];
  readonly state: AlarmStateValue | null;
  readonly previousState: AlarmStateValue | null;
  readonly alarm: string | null;
  readonly reason: string | null;
  readonly time: string | null;
  readonly region: string | null;
  readonly account: string | null;
  readonly metric?: NoticeMetric;
  readonly threshold?: NoticeThreshold;
  readonly rule?: string;
  readonly subject?: string;
  readonly link?: string;
  /** One readable summary, ≤ 3,000 characters. */
  readonly text: string;
}

export function webhookPayload(notice: Notice): WebhookPayload {
  const common = {
    source: 'throughline',
    kind: notice.kind,
    time: notice.time ?? null,
    region: notice.region ?? null,
    account: notice.account ?? null,
  } as const;
  if (notice.kind === 'message')
    return {
      ...common,
      state: null,
      previousState: null,
      alarm: null,
      reason: null,
      ...(notice.subject ? { subject: notice.subject } : {}),
      text: truncate(notice.subject ? `${notice.subject}\n${notice.text}` : notice.text, SLACK_TEXT_LIMIT),
    };
  const gist = notice.condition?.summary ?? notice.rule ?? notice.reason;
  return {
    ...common,
    state: notice.state,
    previousState: notice.previousState ?? null,
    alarm: notice.alarm,
    reason: truncate(notice.reason, SLACK_TEXT_LIMIT),
    ...(notice.condition ? { metric: notice.condition.metric, threshold: notice.condition.threshold } : {}),
    ...(notice.rule ? { rule: notice.rule } : {}),
    ...(notice.link ? { link: notice.link } : {}),
    text: truncate(
      `${STATE_WORDS[notice.state]}: ${notice.alarm}${gist ? ` — ${gist}` : ''}`,
      SLACK_TEXT_LIMIT,
    ),
  };
}
