import { rollup, type Sample } from '../../core/observability/rollup';
import type {
  MetricGroup,
  MetricSeries,
  MetricsProvider,
  MetricWindow,
  Statistic,
} from '../../ports/metrics';

/**
 * The local metrics provider over recorded readings: a ring buffer of what the process sampler
 * (process-metrics.ts) measured, rolled up per period on request. Apart from the sampler, so that
 * the provider can be given readings of known values (tests of what reads it, such as the alarms).
 */

/** One sample of every local metric (by the keys below), as measured at one instant. */
export type Reading = Readonly<Record<string, number>>;

interface SeriesDef {
  readonly group: MetricGroup;
  readonly key: string;
  readonly label: string;
  readonly resource: 'process' | 'host' | 'host-loopback';
  readonly unit: string;
  /** Counts per period are summed whatever statistic was asked, as CloudWatch's catalog does. */
  readonly stat?: Statistic;
}

const SERIES: readonly SeriesDef[] = [
  {
    group: 'cpu',
    key: 'ProcessCpu',
    label: 'process CPU (% of one core)',
    resource: 'process',
    unit: 'Percent',
  },
  { group: 'cpu', key: 'ProcessCpuUser', label: 'process CPU, user', resource: 'process', unit: 'Percent' },
  {
    group: 'cpu',
    key: 'ProcessCpuSystem',
    label: 'process CPU, system',
    resource: 'process',
    unit: 'Percent',
  },
  {
    group: 'cpu',
    key: 'EventLoopDelayP99',
    label: 'event-loop delay p99',
    resource: 'process',
    unit: 'Milliseconds',
  },
  {
    group: 'cpu',
    key: 'EventLoopDelayMax',
    label: 'event-loop delay max',
    resource: 'process',
    unit: 'Milliseconds',
  },
  {
    group: 'cpu',
    key: 'EventLoopUtilization',
    label: 'event-loop utilization',
    resource: 'process',
    unit: 'Percent',
  },
  { group: 'cpu', key: 'HostCpu', label: 'machine CPU (all cores)', resource: 'host', unit: 'Percent' },
  {
    group: 'cpu',
    key: 'LoadAverage1m',
    label: 'machine load average (1 min)',
    resource: 'host',
    unit: 'None',
  },
  { group: 'memory', key: 'Rss', label: 'process resident memory', resource: 'process', unit: 'Megabytes' },
  { group: 'memory', key: 'HeapUsed', label: 'V8 heap used', resource: 'process', unit: 'Megabytes' },
  { group: 'memory', key: 'HeapTotal', label: 'V8 heap size', resource: 'process', unit: 'Megabytes' },
  {
    group: 'memory',
    key: 'External',
    label: 'external + array buffers',
    resource: 'process',
    unit: 'Megabytes',
  },
  {
    group: 'memory',
    key: 'GcCount',
    label: 'garbage collections',
    resource: 'process',
    unit: 'Count',
    stat: 'Sum',
  },
  {
    group: 'memory',
    key: 'GcPause',
    label: 'garbage-collection pause',
    resource: 'process',
    unit: 'Milliseconds',
    stat: 'Sum',
  },
  { group: 'memory', key: 'HostMemoryUsed', label: 'machine memory used', resource: 'host', unit: 'Percent' },
  {
    group: 'memory',
    key: 'HostMemoryFree',
    label: 'machine memory free',
    resource: 'host',
    unit: 'Megabytes',
  },
  {
    group: 'network',
    key: 'RxBytes',
    label: 'received (all interfaces but loopback)',
    resource: 'host',
    unit: 'Bytes/Second',
  },
  {
    group: 'network',
    key: 'TxBytes',
    label: 'sent (all interfaces but loopback)',
    resource: 'host',
    unit: 'Bytes/Second',
  },
  { group: 'network', key: 'RxPackets', label: 'packets received', resource: 'host', unit: 'Count/Second' },
  { group: 'network', key: 'TxPackets', label: 'packets sent', resource: 'host', unit: 'Count/Second' },
  {
    group: 'network',
    key: 'LoRxBytes',
    label: 'loopback traffic (local load tests)',
    resource: 'host-loopback',
    unit: 'Bytes/Second',
  },
];

export interface RecordedMetrics {
  readonly provider: MetricsProvider;
  /** Adds the reading taken at `t` (epoch ms, not before the last); beyond `keep`, the oldest go. */
  record(t: number, reading: Reading): void;
  /** Whether the machine's network counters could not be read (the network group says so). */
  setNetworkMissing(missing: boolean): void;
}

export function createRecordedMetrics(options: {
  /** How often readings come, for the warning that says how long they are kept. */
  readonly intervalMs: number;
  readonly keep: number;
}): RecordedMetrics {
  const { intervalMs, keep } = options;
  const samples: { t: number; r: Reading }[] = [];
  let networkMissing = false;
  const provider: MetricsProvider = {
    source: 'local',
    minPeriodSeconds: 1,
    defaultPeriodSeconds: 10,
    async read(group: MetricGroup, window: MetricWindow) {
      const warnings: string[] = [];
      if (group === 'database')
        warnings.push(
          'local mode has no database; on AWS, register RDS or Aurora instances in cdk.json (monitoring.targets.databases)',
        );
      if (group === 'network' && networkMissing)
        warnings.push('machine network counters need /proc/net/dev (Linux)');
      const oldest = samples[0]?.t;
      if (oldest === undefined || window.startMs < oldest)
        warnings.push(
          `local samples start at ${oldest === undefined ? 'the next second' : new Date(oldest).toISOString()} (kept for ${Math.round((keep * intervalMs) / 60_000)} min)`,
        );
      const series: MetricSeries[] = SERIES.filter((d) => d.group === group).map((d, i) => {
        const points: Sample[] = [];
        for (const s of samples) {
          const v = s.r[d.key];
          if (v !== undefined) points.push({ t: s.t, v });
        }
        const stat = d.stat ?? window.stat;
        return {
          id: `${group}_${d.resource.replace('-', '_')}_${i}`,
          label: d.label,
          resource: {
            kind: d.resource === 'process' ? 'process' : 'host',
            name: d.resource === 'process' ? `pid ${process.pid}` : 'this machine',
            owner: 'platform',
          },
          metric: d.key,
          unit: d.unit,
          stat,
          periodSeconds: window.periodSeconds,
          points: rollup(points, window, stat),
        };
      });
      return { source: 'local', series, warnings };
    },
  };
  return {
    provider,
    record(t, r) {
      samples.push({ t, r });
      if (samples.length > keep) samples.splice(0, samples.length - keep);
    },
    setNetworkMissing(missing) {
      networkMissing = missing;
    },
  };
}
