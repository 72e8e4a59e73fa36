import type { AlarmReader, AlarmState, AlarmStateValue } from '../../ports/alarms';
import type { Clock } from '../../ports/clock';
import type { MetricGroup, MetricsProvider, Statistic } from '../../ports/metrics';

/**
 * Local mode's alarms: the same idea as the deployment's CloudWatch alarms, evaluated on the
 * process and machine metrics over the last minute each time they are listed. Local rules keep
 * no history, so `updatedAt` is when this reader first saw the state it reports.
 */

interface Rule {
  readonly name: string;
  readonly description: string;
  readonly group: MetricGroup;
  readonly metric: string;
  readonly stat: Statistic;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly unit: string;
}

export const LOCAL_ALARM_RULES: readonly Rule[] = [
  {
    name: 'local-host-cpu-high',
    description:
      'The machine is CPU-bound: load-test figures measured now include the generator’s own queueing.',
    group: 'cpu',
    metric: 'HostCpu',
    stat: 'Average',
    threshold: 90,
    comparison: 'GreaterThanThreshold',
    unit: '%',
  },
  {
    name: 'local-event-loop-delay-high',
    description: 'The API process’s event loop is blocked: responses and live figures lag.',
    group: 'cpu',
    metric: 'EventLoopDelayP99',
    stat: 'Maximum',
    threshold: 100,
    comparison: 'GreaterThanThreshold',
    unit: 'ms',
  },
  {
    name: 'local-process-memory-high',
    description: 'The API process uses more than the 512 MB an instance is meant to fit in.',
    group: 'memory',
    metric: 'Rss',
    stat: 'Maximum',
    threshold: 512,
    comparison: 'GreaterThanThreshold',
    unit: 'MB',
  },
  {
    name: 'local-host-memory-low',
    description: 'The machine is close to running out of memory.',
    group: 'memory',
    metric: 'HostMemoryUsed',
    stat: 'Average',
    threshold: 90,
    comparison: 'GreaterThanThreshold',
    unit: '%',
  },
];

const EVALUATION_MS = 60_000;

export function createLocalAlarms(provider: MetricsProvider, clock: Clock): AlarmReader {
  const changed = new Map<string, { state: AlarmStateValue; at: number }>();
  return {
    source: 'local',
    async list(query) {
      const now = clock.now();
      const window = { startMs: now - EVALUATION_MS, endMs: now + 1, periodSeconds: 60 };
      const out: AlarmState[] = [];
      for (const rule of LOCAL_ALARM_RULES) {
        const report = await provider.read(rule.group, { ...window, stat: rule.stat });
        const series = report.series.find((s) => s.metric === rule.metric);
        const values = series?.points.map((p) => p.value) ?? [];
        const value =
          values.length === 0 ? undefined : rule.stat === 'Maximum' ? Math.max(...values) : values.at(-1);
        const breaching =
          value !== undefined &&
          (rule.comparison === 'GreaterThanThreshold' ? value > rule.threshold : value < rule.threshold);
        const state: AlarmStateValue = value === undefined ? 'INSUFFICIENT_DATA' : breaching ? 'ALARM' : 'OK';
        const previous = changed.get(rule.name);
        if (previous?.state !== state) changed.set(rule.name, { state, at: now });
        const reason =
          value === undefined
            ? 'no samples in the last minute'
            : `${rule.stat} ${rule.metric} over the last minute was ${value} ${rule.unit} (threshold ${rule.comparison === 'GreaterThanThreshold' ? '>' : '<'} ${rule.threshold} ${rule.unit})`;
        if (query.state && query.state !== state) continue;
        out.push({
          name: rule.name,
          type: 'metric',
          state,
          reason,
          updatedAt: new Date(changed.get(rule.name)?.at ?? now).toISOString(),
          description: rule.description,
          metric: `local/${rule.metric}`,
          threshold: rule.threshold,
          comparison: rule.comparison,
          actionsEnabled: false,
        });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
