import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import { type AlarmBase, type CompositeAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { AlarmThresholds, RegisteredTargets } from '../../config/monitoring-settings';
import type { AlarmNaming } from './alarm-naming';
import type { AlarmRouting } from './alarm-routing';
import { ALARM_PERIOD, type AlarmSink, CRITICAL, type CustomAlarmSpec } from './alarm-spec';
import { addApiAlarms } from './api-alarms';
import { addFunctionAlarms, type MonitoredFunction } from './function-alarms';
import { addEmfAlarms, addRunAlarms } from './run-alarms';
import { addTargetAlarms } from './target-alarms';

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

/**
 * The stack's alarms, built with cdk-monitoring-constructs (ADR 004): its monitors where they
 * measure what we alarm on (API latency percentiles, function throttles and duration against the
 * timeout, failed and timed-out runs, ElastiCache engine CPU and evictions), its custom monitor for
 * the rest (ratios as metric math, our EMF metrics through Metrics Insights, the anomaly band).
 * Every alarm is named explicitly under the stack's prefix, its actions come from the routing
 * strategy, and the Critical ones form the composite "platform unhealthy" alarm.
 */
export class PlatformAlarms extends Construct implements AlarmSink {
  readonly facade: MonitoringFacade;
  readonly composite: CompositeAlarm;
  readonly naming: AlarmNaming;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
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
    for (const fn of props.functions) addFunctionAlarms(this, fn, props.thresholds);
    addRunAlarms(this, props.stateMachine);
    addEmfAlarms(this, props.thresholds);
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
                  alarmNameOverride: this.naming.name(spec.name),
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
}
