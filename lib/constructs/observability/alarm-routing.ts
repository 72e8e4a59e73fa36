import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  type IAlarmActionStrategy,
  NoopAlarmActionStrategy,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';

/**
 * Which alarms notify, as cdk-monitoring-constructs action strategies: what an alarm does when it
 * changes state is decided here, once, not at each alarm.
 */
export interface AlarmRouting {
  /** Actions of every metric and anomaly alarm. */
  readonly component: IAlarmActionStrategy;
  /** Whether metric and anomaly alarms have actions enabled (they change state and feed the composite either way). */
  readonly componentActionsEnabled: boolean;
  /** Actions of the composite "platform unhealthy" alarm. */
  readonly composite: IAlarmActionStrategy;
}

/** The `monitoring.notify` setting. */
export type NotifyMode = 'composite' | 'every-alarm';

/**
 * `composite` (the default) pages once per incident: an API outage trips the 5xx rate, the p99
 * latency and several functions' error rates together, and each of those paging on its own would
 * bury the one message that matters. The composite alarm notifies on ALARM and on OK (so the
 * recovery is announced too); every other alarm only changes state, visible on the dashboard and
 * through GET /performance/alarms. `every-alarm` adds every alarm's own ALARM and OK notices, for
 * teams that route the topic into a tool that groups notifications itself.
 */
export function alarmRouting(mode: NotifyMode, topic: ITopic): AlarmRouting {
  const sns = new SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic });
  return mode === 'every-alarm'
    ? { component: sns, componentActionsEnabled: true, composite: sns }
    : { component: new NoopAlarmActionStrategy(), componentActionsEnabled: false, composite: sns };
}
