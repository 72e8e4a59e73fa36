// Each platform function's alarms: throttles and p99 duration against its timeout from
// cdk-monitoring-constructs' Lambda monitor, the error rate as metric math (a share of invocations).
import { ComparisonOperator, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmThresholds } from '../../config/monitoring-settings';
import type { HandlerFunction } from '../shared/handler-function';
import { ALARM_PERIOD, type AlarmSink, CRITICAL, WARNING } from './alarm-spec';

export interface MonitoredFunction {
  /** Its part of alarm names: `get-test`, `plan-run`. */
  readonly label: string;
  readonly handler: HandlerFunction;
  /** p99 duration, as a share of the timeout, above which the duration alarm fires. @default 80 */
  readonly durationAlarmPercent?: number;
}

export function addFunctionAlarms(
  alarms: AlarmSink,
  { label, handler, durationAlarmPercent = 80 }: MonitoredFunction,
  t: AlarmThresholds,
): void {
  const { naming, facade } = alarms;
  const fn = handler.function;
  facade.monitorLambdaFunction({
    lambdaFunction: fn,
    alarmFriendlyName: label,
    addThrottlesCountAlarm: {
      [WARNING]: {
        maxErrorCount: 0,
        alarmNameOverride: naming.name(`lambda-${label}-throttles`),
        alarmDescriptionOverride: `Lambda throttled invocations of the ${label} function (account or function concurrency exhausted).`,
      },
    },
    addLatencyP99Alarm: {
      [WARNING]: {
        maxLatencyPercentageOfTimeout: durationAlarmPercent,
        alarmNameOverride: naming.name(`lambda-${label}-duration`),
        alarmDescriptionOverride: `The ${label} function's p99 duration is above ${durationAlarmPercent} % of its ${handler.timeout.toSeconds()} s timeout: invocations are about to time out.`,
      },
    },
  });
  alarms.addCustomAlarm({
    name: `lambda-${label}-errors`,
    description: `More than ${t.lambdaErrorRatePercent} % of the ${label} function's invocations failed (2 of 3 five-minute periods).`,
    metric: new MathExpression({
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      usingMetrics: {
        errors: fn.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
        invocations: fn.metricInvocations({ statistic: 'Sum', period: ALARM_PERIOD }),
      },
      label: `${label} error rate (%)`,
      period: ALARM_PERIOD,
    }),
    severity: CRITICAL,
    threshold: t.lambdaErrorRatePercent,
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
}
