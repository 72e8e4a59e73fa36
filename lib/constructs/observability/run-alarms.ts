// Alarms on how runs end: failed and timed-out executions from cdk-monitoring-constructs' Step
// Functions monitor, and the platform's EMF metrics (thresholds failed, the cache hit rate).
import { ComparisonOperator, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { AlarmThresholds } from '../../config/monitoring-settings';
import { ALARM_PERIOD, type AlarmSink, CRITICAL, EMF_NAMESPACE, WARNING } from './alarm-spec';

export function addRunAlarms(alarms: AlarmSink, stateMachine: IStateMachine): void {
  const { naming, facade } = alarms;
  const once = { datapointsToAlarm: 1, evaluationPeriods: 1 };
  facade.monitorStepFunction({
    stateMachine,
    alarmFriendlyName: 'runs',
    addFailedExecutionCountAlarm: {
      [CRITICAL]: {
        maxErrorCount: 0,
        ...once,
        alarmNameOverride: naming.name('runs-failed'),
        alarmDescriptionOverride:
          'A distributed run failed outside its workers (plan, monitor or aggregate); its test ended with status error.',
      },
    },
    addTimedOutExecutionCountAlarm: {
      [CRITICAL]: {
        maxErrorCount: 0,
        ...once,
        alarmNameOverride: naming.name('runs-timed-out'),
        alarmDescriptionOverride:
          'A distributed run hit the state machine timeout (the longest test plus an hour).',
      },
    },
  });
}

/**
 * Our EMF metrics carry dimensions that vary (TestName, Tier, Powertools' service), so the alarms
 * use Metrics Insights queries, which aggregate over every series of a metric whatever its
 * dimensions; no data (no run, no cache yet) is not breaching.
 */
export function addEmfAlarms(alarms: AlarmSink, t: AlarmThresholds): void {
  const query = (expression: string, label: string) =>
    new MathExpression({ expression, usingMetrics: {}, label, period: ALARM_PERIOD });
  alarms.addCustomAlarm({
    name: 'cache-hit-rate',
    description: `The cache hit rate (average over the tiers) stayed below ${t.cacheHitRatePercent} % for 15 minutes.`,
    metric: query(`SELECT AVG(CacheHitRate) FROM "${EMF_NAMESPACE}"`, 'Cache hit rate (%)'),
    severity: WARNING,
    threshold: t.cacheHitRatePercent,
    comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
    datapoints: [3, 3],
  });
  alarms.addCustomAlarm({
    name: 'load-test-thresholds-failed',
    description:
      'A finished load test failed at least one of its thresholds (the run notification has the details).',
    metric: query(`SELECT SUM(ThresholdsFailed) FROM "${EMF_NAMESPACE}"`, 'Thresholds failed'),
    severity: WARNING,
    threshold: 0,
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    datapoints: [1, 1],
  });
}
