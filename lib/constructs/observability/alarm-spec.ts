// What every alarm module shares: the severities, the period, the EMF namespace, a custom alarm's
// spec, and the sink the modules add their alarms to. PlatformAlarms implements the sink and calls
// the modules; the modules see only this file, so none of them imports PlatformAlarms back.
import { Duration } from 'aws-cdk-lib';
import {
  ComparisonOperator,
  type IMetric,
  type MathExpression,
  Metric,
  type TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { MonitoringFacade } from 'cdk-monitoring-constructs';
import type { AlarmNaming } from './alarm-naming';

/** Alarms in the composite: users of the platform (or of a registered target) are hurt now. */
export const CRITICAL = 'Critical';
/** Early signals: they change state and show on the dashboard, and notify only if configured. */
export const WARNING = 'Warning';
export type Severity = typeof CRITICAL | typeof WARNING;

/** Every alarm evaluates five-minute periods (percentiles of one minute are noise at low traffic). */
export const ALARM_PERIOD = Duration.minutes(5);

/** The namespace of the platform's EMF metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const EMF_NAMESPACE = 'Throughline';

/** What one custom alarm watches and when it fires. */
export interface CustomAlarmSpec {
  readonly name: string;
  readonly description: string;
  readonly metric: Metric | MathExpression;
  readonly severity: Severity;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  /** @default 2 of 3 periods */
  readonly datapoints?: readonly [number, number];
  /** @default NOT_BREACHING: no traffic is not an incident */
  readonly missing?: TreatMissingData;
}

/** A Warning as soon as one message waits in a dead-letter queue (every delivery of it failed). */
export function deadLettersAlarm(
  queue: { metricApproximateNumberOfMessagesVisible(props: object): Metric },
  name: string,
  description: string,
): CustomAlarmSpec {
  return {
    name,
    description,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
    severity: WARNING,
    threshold: 0,
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    datapoints: [1, 1],
  };
}

/** Where an alarm module adds its alarms: the facade's monitors, or a custom alarm with routing. */
export interface AlarmSink {
  readonly naming: AlarmNaming;
  readonly facade: MonitoringFacade;
  /** A custom alarm through the facade (so it gets the routing and can join the composite). */
  addCustomAlarm(spec: CustomAlarmSpec): void;
}

/** A metric of `namespace` with fixed dimensions at the alarm period. */
export const metricOf = (
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
): IMetric & Metric => new Metric({ namespace, metricName, dimensionsMap, statistic, period: ALARM_PERIOD });
