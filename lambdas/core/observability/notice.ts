import type { AlarmStateValue } from '../../ports/alarms';
import type { MetricCondition } from './alarm-trigger';

/**
 * A notice: what the alarm notifier forwards, built by `parseNotice` (notification.ts) and written
 * out by notice-format.ts. Its own module, so that the two depend on it and not on each other.
 */

export interface NoticeBase {
  /** ISO 8601; absent only when neither the alarm nor SNS said when. */
  readonly time?: string;
  /** Region code (`eu-west-1`), from the alarm's or the topic's ARN. */
  readonly region?: string;
  readonly account?: string;
}

export interface AlarmNotice extends NoticeBase {
  readonly kind: 'metric-alarm' | 'composite-alarm';
  readonly alarm: string;
  readonly description?: string;
  readonly state: AlarmStateValue;
  readonly previousState?: AlarmStateValue;
  readonly reason: string;
  /** AWS's long region name as the message gives it ("US East (N. Virginia)"). */
  readonly regionName?: string;
  readonly condition?: MetricCondition;
  /** Composite alarms: the rule and the children whose change triggered it. */
  readonly rule?: string;
  readonly triggeredBy?: readonly string[];
  /** CloudWatch console page of the alarm. */
  readonly link?: string;
}

export interface MessageNotice extends NoticeBase {
  readonly kind: 'message';
  readonly subject?: string;
  readonly text: string;
}

export type Notice = AlarmNotice | MessageNotice;
