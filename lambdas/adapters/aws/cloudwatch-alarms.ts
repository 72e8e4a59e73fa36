import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmReader, AlarmState, AlarmStateValue } from '../../ports/alarms';

/**
 * The alarms port on CloudWatch: this deployment's metric and composite alarms, found by name prefix.
 * Anomaly-detection alarms (their threshold is a band expression, not a number) are reported as
 * `anomaly`.
 */

const STATES: readonly string[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] satisfies AlarmStateValue[];
const state = (v: string | undefined): AlarmStateValue =>
  STATES.includes(v ?? '') ? (v as AlarmStateValue) : 'INSUFFICIENT_DATA';
const iso = (d: Date | undefined) => (d ? d.toISOString() : new Date(0).toISOString());

function isAnomaly(a: MetricAlarm): boolean {
  return (
    a.ThresholdMetricId !== undefined ||
    (a.Metrics ?? []).some((m) => m.Expression?.includes('ANOMALY_DETECTION_BAND'))
  );
}

/** `namespace/metric` of a plain alarm, or of the first metric a metric-math alarm reads. */
function metricOf(a: MetricAlarm): string | undefined {
  if (a.MetricName) return a.Namespace ? `${a.Namespace}/${a.MetricName}` : a.MetricName;
  const m = (a.Metrics ?? []).find((q) => q.MetricStat?.Metric?.MetricName)?.MetricStat?.Metric;
  return m ? `${m.Namespace ? `${m.Namespace}/` : ''}${m.MetricName}` : undefined;
}

function fromMetricAlarm(a: MetricAlarm): AlarmState {
  const metric = metricOf(a);
  return {
    name: a.AlarmName ?? '',
    type: isAnomaly(a) ? 'anomaly' : 'metric',
    state: state(a.StateValue),
    reason: a.StateReason ?? '',
    updatedAt: iso(a.StateUpdatedTimestamp),
    ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}),
    ...(metric ? { metric } : {}),
    ...(a.Threshold !== undefined && !isAnomaly(a) ? { threshold: a.Threshold } : {}),
    ...(a.ComparisonOperator ? { comparison: a.ComparisonOperator } : {}),
    actionsEnabled: a.ActionsEnabled ?? false,
  };
}

function fromCompositeAlarm(a: CompositeAlarm): AlarmState {
  return {
    name: a.AlarmName ?? '',
    type: 'composite',
    state: state(a.StateValue),
    reason: a.StateReason ?? '',
    updatedAt: iso(a.StateUpdatedTimestamp),
    ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}),
    actionsEnabled: a.ActionsEnabled ?? false,
  };
}

/** `prefix` '' reads every alarm of the account and region. */
export function createCloudWatchAlarms(cloudwatch: CloudWatchClient, prefix: string): AlarmReader {
  return {
    source: 'cloudwatch',
    async list(query) {
      const alarms: AlarmState[] = [];
      let NextToken: string | undefined;
      do {
        const page = await cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            MaxRecords: 100,
            ...(prefix ? { AlarmNamePrefix: prefix } : {}),
            ...(query.state ? { StateValue: query.state } : {}),
            ...(NextToken ? { NextToken } : {}),
          }),
        );
        alarms.push(...(page.MetricAlarms ?? []).map(fromMetricAlarm));
        alarms.push(...(page.CompositeAlarms ?? []).map(fromCompositeAlarm));
        NextToken = page.NextToken;
      } while (NextToken);
      // The filters again: cheap, and the contract then holds even where a server ignores one
      // (moto drops StateValue when a prefix is given).
      return alarms
        .filter((a) => a.name.startsWith(prefix) && (!query.state || a.state === query.state))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
