import { readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { rollup, type Sample } from '../../core/observability/rollup';
import type {
  MetricGroup,
  MetricSeries,
  MetricsProvider,
  MetricWindow,
  Statistic,
} from '../../ports/metrics';

/**
 * Local mode's metrics: this process and the machine it runs on, sampled once a second into a
 * ring buffer (an hour by default) and rolled up per period on request.
 */

type Reading = Readonly<Record<string, number>>;

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

/** Sums /proc/net/dev counters (Linux): loopback apart, since local load tests run over it. */
async function netCounters(): Promise<Reading | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/net/dev', 'utf8');
  } catch {
    return undefined;
  }
  const sum = { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0, loBytes: 0 };
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!name || !rest) continue;
    const f = rest.trim().split(/\s+/).map(Number);
    if (name.trim() === 'lo') sum.loBytes += f[0] ?? 0;
    else {
      sum.rxBytes += f[0] ?? 0;
      sum.rxPackets += f[1] ?? 0;
      sum.txBytes += f[8] ?? 0;
      sum.txPackets += f[9] ?? 0;
    }
  }
  return sum;
}

const hostCpuTimes = () => {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq;
  }
  return { idle, total };
};

const MB = 1024 * 1024;
const r1 = (v: number) => Math.round(v * 10) / 10;

export interface ProcessMetrics {
  readonly provider: MetricsProvider;
  /** Stops sampling (the buffer stays readable). */
  stop(): void;
}

export function startProcessMetrics(
  options: { readonly intervalMs?: number; readonly keep?: number } = {},
): ProcessMetrics {
  const intervalMs = options.intervalMs ?? 1_000;
  const keep = options.keep ?? 3_600;
  const samples: { t: number; r: Reading }[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let gcCount = 0;
  let gcPause = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount += 1;
      gcPause += e.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let lastHost = hostCpuTimes();
  let lastElu = performance.eventLoopUtilization();
  let lastNet: Reading | undefined;
  let netMissing = false;
  void netCounters().then((n) => {
    lastNet = n;
    netMissing = n === undefined;
  });

  const timer = setInterval(() => {
    const now = performance.now();
    const elapsedMs = now - lastAt;
    const used = process.cpuUsage(lastCpu);
    const host = hostCpuTimes();
    const hostTotal = host.total - lastHost.total;
    const elu = performance.eventLoopUtilization(lastElu);
    const mem = process.memoryUsage();
    const reading: Record<string, number> = {
      ProcessCpu: r1(((used.user + used.system) / 1_000 / elapsedMs) * 100),
      ProcessCpuUser: r1((used.user / 1_000 / elapsedMs) * 100),
      ProcessCpuSystem: r1((used.system / 1_000 / elapsedMs) * 100),
      EventLoopDelayP99: r1(delay.count > 0 ? delay.percentile(99) / 1e6 : 0),
      EventLoopDelayMax: r1(delay.count > 0 ? delay.max / 1e6 : 0),
      EventLoopUtilization: r1(elu.utilization * 100),
      HostCpu: r1(hostTotal > 0 ? (1 - (host.idle - lastHost.idle) / hostTotal) * 100 : 0),
      LoadAverage1m: r1(loadavg()[0] ?? 0),
      Rss: r1(mem.rss / MB),
      HeapUsed: r1(mem.heapUsed / MB),
      HeapTotal: r1(mem.heapTotal / MB),
      External: r1((mem.external + mem.arrayBuffers) / MB),
      GcCount: gcCount,
      GcPause: r1(gcPause),
      HostMemoryUsed: r1((1 - freemem() / totalmem()) * 100),
      HostMemoryFree: r1(freemem() / MB),
    };
    gcCount = 0;
    gcPause = 0;
    delay.reset();
    lastCpu = process.cpuUsage();
    lastAt = now;
    lastHost = host;
    lastElu = performance.eventLoopUtilization();
    const t = Date.now();
    void netCounters().then((net) => {
      if (net && lastNet) {
        const perSec = (k: string) => r1((((net[k] ?? 0) - (lastNet?.[k] ?? 0)) * 1_000) / elapsedMs);
        reading.RxBytes = perSec('rxBytes');
        reading.TxBytes = perSec('txBytes');
        reading.RxPackets = perSec('rxPackets');
        reading.TxPackets = perSec('txPackets');
        reading.LoRxBytes = perSec('loBytes');
      }
      lastNet = net;
      samples.push({ t, r: reading });
      if (samples.length > keep) samples.splice(0, samples.length - keep);
    });
  }, intervalMs);
  timer.unref();

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
      if (group === 'network' && netMissing)
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
    stop() {
      clearInterval(timer);
      delay.disable();
      gc.disconnect();
    },
  };
}
