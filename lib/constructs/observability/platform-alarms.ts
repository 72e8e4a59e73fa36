import { Duration } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  type AlarmBase,
  ComparisonOperator,
  type CompositeAlarm,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { AlarmThresholds, RegisteredTargets } from '../../config/monitoring-settings';
import type { HandlerFunction } from '../shared/handler-function';
import type { AlarmNaming } from './alarm-naming';
import type { AlarmRouting } from './alarm-routing';
import { addApiAlarms } from './api-alarms';
import { addTargetAlarms } from './target-alarms';

/** Alarms in the composite: users of the platform (or of a registered target) are hurt now. */
export const CRITICAL = 'Critical';
/** Early signals: they change state and show on the dashboard, and notify only if configured. */
export const WARNING = 'Warning';
export type Severity = typeof CRITICAL | typeof WARNING;

/** Every alarm evaluates five-minute periods (percentiles of one minute are noise at low traffic). */
export const ALARM_PERIOD = Duration.minutes(5);

/** The namespace of the platform's EMF metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const EMF_NAMESPACE = 'Throughline';

export interface MonitoredFunction {
  /** Its part of alarm names: `get-test`, `plan-run`. */
  readonly label: string;
  readonly handler: HandlerFunction;
  /** p99 duration, as a share of the timeout, above which the duration alarm fires. @default 80 */
  readonly durationAlarmPercent?: number;
}

export interface PlatformAlarmsProps {
  readonly naming: AlarmNaming;
  readonly routing: AlarmRouting;
  readonly thresholds: AlarmThresholds;
  readonly api: IRestApi & { readonly restApiName: string };
  readonly apiStage: string;
  /** Every API and run function (and the notifier). */
  readonly functions: readonly MonitoredFunction[];
  readonly stateMachine: IStateMachine;
  readonly targets: RegisteredTargets;
  /** Alarms of other platform resources (the CDN invalidation dead-letter queue, …). @default none */
  readonly customAlarms?: readonly CustomAlarmSpec[];
}

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

/**
 * The stack's alarms, built with cdk-monitoring-constructs (ADR 004): its monitors where they
 * measure what we alarm on (API latency percentiles, function throttles and duration against the
 * timeout, failed and timed-out runs, ElastiCache engine CPU and evictions), its custom monitor for
 * the rest (ratios as metric math, our EMF metrics through Metrics Insights, the anomaly band).
 * Every alarm is named explicitly under the stack's prefix, its actions come from the routing
 * strategy, and the Critical ones form the composite "platform unhealthy" alarm.
 */
export class PlatformAlarms extends Construct {
  readonly facade: MonitoringFacade;
  readonly composite: CompositeAlarm;
  readonly naming: AlarmNaming;
  private readonly props: PlatformAlarmsProps;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    this.props = props;
    this.naming = props.naming;
    this.facade = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.naming.prefix.slice(0, -1),
        actionsEnabled: props.routing.componentActionsEnabled,
        action: props.routing.component,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
      },
      metricFactoryDefaults: { period: ALARM_PERIOD },
      // The library's per-resource dashboards are not used: PlatformDashboard lays out ours (ADR 004).
      dashboardFactory: new DefaultDashboardFactory(this, 'NoDashboards', {
        dashboardNamePrefix: props.naming.prefix.slice(0, -1),
        createDashboard: false,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    addApiAlarms(this, props.api, props.apiStage, props.thresholds);
    for (const fn of props.functions) this.addFunctionAlarms(fn);
    this.addRunAlarms();
    this.addEmfAlarms();
    addTargetAlarms(this, props.targets, props.thresholds);
    for (const spec of props.customAlarms ?? []) this.addCustomAlarm(spec);
    const composite = this.facade.createCompositeAlarmUsingDisambiguator(CRITICAL, {
      disambiguator: CRITICAL,
      alarmNameOverride: props.naming.name('platform-unhealthy'),
      alarmDescription:
        'Throughline or a registered target is failing or saturated: one of the Critical alarms is in ALARM. ' +
        'Open the Throughline dashboard or GET /performance/alarms?state=ALARM for which one.',
      actionOverride: props.routing.composite,
      actionsEnabled: true,
    });
    if (composite === undefined) throw new Error('the composite alarm has no Critical alarm to watch');
    this.composite = composite;
  }

  /** Every metric and anomaly alarm (not the composite). */
  get alarms(): AlarmBase[] {
    return this.facade.createdAlarms().map((a) => a.alarm);
  }

  /** A custom alarm through the facade (so it gets the routing and can join the composite). */
  addCustomAlarm(spec: CustomAlarmSpec): void {
    const [datapointsToAlarm, evaluationPeriods] = spec.datapoints ?? [2, 3];
    this.facade.monitorCustom({
      alarmFriendlyName: spec.name,
      metricGroups: [
        {
          title: spec.name,
          metrics: [
            {
              metric: spec.metric,
              alarmFriendlyName: spec.name,
              addAlarm: {
                [spec.severity]: {
                  threshold: spec.threshold,
                  comparisonOperator: spec.comparison,
                  alarmNameOverride: this.props.naming.name(spec.name),
                  alarmDescriptionOverride: spec.description,
                  treatMissingDataOverride: spec.missing ?? TreatMissingData.NOT_BREACHING,
                  datapointsToAlarm,
                  evaluationPeriods,
                },
              },
            },
          ],
        },
      ],
    });
  }

  private addFunctionAlarms({ label, handler, durationAlarmPercent = 80 }: MonitoredFunction): void {
    const { naming, thresholds: t } = this.props;
    const fn = handler.function;
    this.facade.monitorLambdaFunction({
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
    this.addCustomAlarm({
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

  private addRunAlarms(): void {
    const { naming, stateMachine } = this.props;
    const once = { datapointsToAlarm: 1, evaluationPeriods: 1 };
    this.facade.monitorStepFunction({
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
  private addEmfAlarms(): void {
    const t = this.props.thresholds;
    const query = (expression: string, label: string) =>
      new MathExpression({ expression, usingMetrics: {}, label, period: ALARM_PERIOD });
    this.addCustomAlarm({
      name: 'cache-hit-rate',
      description: `The cache hit rate (average over the tiers) stayed below ${t.cacheHitRatePercent} % for 15 minutes.`,
      metric: query(`SELECT AVG(CacheHitRate) FROM "${EMF_NAMESPACE}"`, 'Cache hit rate (%)'),
      severity: WARNING,
      threshold: t.cacheHitRatePercent,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      datapoints: [3, 3],
    });
    this.addCustomAlarm({
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
}

/** A metric of `namespace` with fixed dimensions at the alarm period. */
export const metricOf = (
  namespace: string,
  metricName: string,
  dimensionsMap: Record<string, string>,
  statistic: string,
): IMetric & Metric => new Metric({ namespace, metricName, dimensionsMap, statistic, period: ALARM_PERIOD });
