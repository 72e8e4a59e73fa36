// The API's alarms: latency percentiles from cdk-monitoring-constructs' API Gateway monitor, the
// 5xx rate as metric math (the library's "fault rate" is faults per second, not a share of
// requests), and an anomaly band on average latency for changes nobody set a threshold for.
import { Duration } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { AlarmThresholds } from '../../config/monitoring-settings';
import { ALARM_PERIOD, type AlarmSink, CRITICAL, WARNING } from './alarm-spec';

export function addApiAlarms(
  alarms: AlarmSink,
  api: IRestApi & { readonly restApiName: string },
  apiStage: string,
  t: AlarmThresholds,
): void {
  const { naming, facade } = alarms;
  facade.monitorApiGateway({
    api,
    apiStage,
    alarmFriendlyName: 'api',
    addLatencyP95Alarm: {
      [WARNING]: {
        maxLatency: Duration.millis(t.apiLatencyP95Ms),
        alarmNameOverride: naming.name('api-latency-p95'),
        alarmDescriptionOverride: `API p95 latency above ${t.apiLatencyP95Ms} ms (2 of 3 five-minute periods).`,
      },
    },
    addLatencyP99Alarm: {
      [CRITICAL]: {
        maxLatency: Duration.millis(t.apiLatencyP99Ms),
        alarmNameOverride: naming.name('api-latency-p99'),
        alarmDescriptionOverride: `API p99 latency above ${t.apiLatencyP99Ms} ms (2 of 3 five-minute periods).`,
      },
    },
  });
  const apiMetric = (metricName: string, statistic: string) =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: api.restApiName, Stage: apiStage },
      statistic,
      period: ALARM_PERIOD,
    });
  alarms.addCustomAlarm({
    name: 'api-5xx-rate',
    description: `More than ${t.api5xxRatePercent} % of API requests failed with a 5xx (2 of 3 five-minute periods).`,
    metric: new MathExpression({
      expression: 'IF(requests > 0, 100 * faults / requests, 0)',
      usingMetrics: { faults: apiMetric('5XXError', 'Sum'), requests: apiMetric('Count', 'Sum') },
      label: 'API 5xx rate (%)',
      period: ALARM_PERIOD,
    }),
    severity: CRITICAL,
    threshold: t.api5xxRatePercent,
    comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  facade.monitorCustom({
    alarmFriendlyName: 'api-latency-anomaly',
    metricGroups: [
      {
        title: 'API latency anomaly',
        metrics: [
          {
            metric: apiMetric('Latency', 'Average'),
            alarmFriendlyName: 'api-latency-anomaly',
            anomalyDetectionStandardDeviationToRender: 3,
            addAlarmOnAnomaly: {
              [WARNING]: {
                standardDeviationForAlarm: 3,
                alarmWhenAboveTheBand: true,
                alarmWhenBelowTheBand: false,
                alarmNameOverride: naming.name('api-latency-anomaly'),
                additionalDescription:
                  'Average API latency is above the band CloudWatch expects from its history (3 standard ' +
                  'deviations, 3 five-minute periods in a row): a change nobody set a threshold for.',
                datapointsToAlarm: 3,
                evaluationPeriods: 3,
                treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              },
            },
          },
        ],
      },
    ],
  });
}
