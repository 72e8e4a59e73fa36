import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IMetric, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import { EMF_NAMESPACE } from './alarm-spec';

/** Dashboard graphs use five-minute points, like the alarms. */
export const DASHBOARD_PERIOD = Duration.minutes(5);

/** A graph of the given metrics, a third of the dashboard wide unless said otherwise. */
export const graph = (title: string, left: IMetric[], width = 8): GraphWidget =>
  new GraphWidget({ title, left, width, height: 6, period: DASHBOARD_PERIOD });

/** Every series of an EMF metric, whatever its dimensions (test names, tiers, Powertools' service). */
export const emfSearch = (metricName: string, statistic: string, label: string): MathExpression =>
  search(`Namespace="${EMF_NAMESPACE}" MetricName="${metricName}"`, statistic, label);

/** A CloudWatch search expression graphed at the dashboard period. */
export const search = (query: string, statistic: string, label: string): MathExpression =>
  new MathExpression({
    expression: `SEARCH('${query}', '${statistic}', ${DASHBOARD_PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: DASHBOARD_PERIOD,
  });
