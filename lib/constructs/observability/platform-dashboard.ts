import { Duration, Stack } from 'aws-cdk-lib';
import {
  type AlarmBase,
  AlarmStatusWidget,
  AlarmStatusWidgetSortBy,
  Dashboard,
  type IAlarm,
  type IWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RegisteredTargets } from '../../config/monitoring-settings';
import { DASHBOARD_PERIOD, emfSearch, graph } from './dashboard-widgets';
import { targetWidgets } from './target-widgets';

export interface PlatformDashboardProps {
  readonly apiName: string;
  readonly apiStage: string;
  /** Every platform function, labelled (`get-test`, `plan-run`, …). */
  readonly functions: readonly { readonly label: string; readonly fn: IFunction }[];
  readonly stateMachine: IStateMachine;
  /** Every metric and anomaly alarm, and the composite first. */
  readonly alarms: readonly (IAlarm | AlarmBase)[];
  readonly targets: RegisteredTargets;
}

/**
 * One CloudWatch dashboard, `<stack>-<region>`: alarm states first, then the API, the functions
 * (one line per function in each graph, rather than one row per function: 18 rows would bury the
 * outlier), the distributed runs, the load tests' own results, the cache, and the registered targets.
 */
export class PlatformDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.hours(6),
    });
    const rows: IWidget[][] = [
      [new TextWidget({ markdown: `# ${stack.stackName}: performance platform`, width: 24, height: 1 })],
      [
        new AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms] as IAlarm[],
          width: 24,
          height: 6,
          sortBy: AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        }),
      ],
      this.apiWidgets(props),
      ...this.functionWidgets(props),
      this.runWidgets(props),
      this.loadTestWidgets(),
      ...targetWidgets(props.targets),
    ];
    for (const row of rows) if (row.length > 0) this.dashboard.addWidgets(...row);
  }

  private apiWidgets({ apiName, apiStage }: PlatformDashboardProps): IWidget[] {
    const api = (metricName: string, statistic: string, label: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: apiName, Stage: apiStage },
        statistic,
        label,
        period: DASHBOARD_PERIOD,
      });
    return [
      graph('API requests', [api('Count', 'Sum', 'Requests')]),
      graph('API latency (ms)', [
        api('Latency', 'p50', 'p50'),
        api('Latency', 'p95', 'p95'),
        api('Latency', 'p99', 'p99'),
      ]),
      graph('API errors', [api('4XXError', 'Sum', '4xx'), api('5XXError', 'Sum', '5xx')]),
    ];
  }

  private functionWidgets({ functions }: PlatformDashboardProps): IWidget[][] {
    const each = (metric: (fn: IFunction) => Metric) =>
      functions.map(({ label, fn }) => metric(fn).with({ label, period: DASHBOARD_PERIOD }));
    return [
      [
        graph(
          'Function invocations',
          each((fn) => fn.metricInvocations({ statistic: 'Sum' })),
        ),
        graph(
          'Function errors',
          each((fn) => fn.metricErrors({ statistic: 'Sum' })),
        ),
        graph(
          'Function duration p99 (ms)',
          each((fn) => fn.metricDuration({ statistic: 'p99' })),
        ),
      ],
      [
        graph(
          'Function throttles',
          each((fn) => fn.metricThrottles({ statistic: 'Sum' })),
          12,
        ),
        graph(
          'Function concurrency (max)',
          each((fn) => fn.metric('ConcurrentExecutions', { statistic: 'Maximum' })),
          12,
        ),
      ],
    ];
  }

  private runWidgets({ stateMachine: sm }: PlatformDashboardProps): IWidget[] {
    const count = (metric: Metric, label: string) =>
      metric.with({ statistic: 'Sum', label, period: DASHBOARD_PERIOD });
    return [
      graph(
        'Distributed runs',
        [
          count(sm.metricStarted(), 'Started'),
          count(sm.metricSucceeded(), 'Succeeded'),
          count(sm.metricFailed(), 'Failed'),
          count(sm.metricTimedOut(), 'Timed out'),
          count(sm.metricAborted(), 'Aborted'),
        ],
        12,
      ),
      graph(
        'Run duration p95 (ms)',
        [sm.metricTime({ statistic: 'p95', label: 'p95', period: DASHBOARD_PERIOD })],
        12,
      ),
    ];
  }

  /** The aggregate step's EMF metrics (dimension TestName) and the cache's hit rate (dimension Tier). */
  private loadTestWidgets(): IWidget[] {
    return [
      graph('Load tests: requests', [emfSearch('Requests', 'Sum', '')], 6),
      graph('Load tests: error rate (%)', [emfSearch('ErrorRate', 'Maximum', '')], 6),
      graph('Load tests: latency p95 (ms)', [emfSearch('LatencyP95', 'Maximum', '')], 6),
      graph(
        'Load tests: thresholds failed, workers lost',
        [
          emfSearch('ThresholdsFailed', 'Sum', 'thresholds failed'),
          emfSearch('WorkersLost', 'Sum', 'workers lost'),
        ],
        6,
      ),
      graph('Cache hit rate by tier (%)', [emfSearch('CacheHitRate', 'Average', '')], 24),
    ];
  }
}
