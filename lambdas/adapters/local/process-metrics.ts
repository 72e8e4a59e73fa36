import { readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import type { MetricsProvider } from '../../ports/metrics';
import { createRecordedMetrics, type Reading } from './recorded-metrics';

/**
 * Local mode's metrics: this process and the machine it runs on, sampled once a second into a
 * ring buffer (an hour by default, recorded-metrics.ts) and rolled up per period on request.
 */

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
  const recorded = createRecordedMetrics({ intervalMs, keep });
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
  void netCounters().then((n) => {
    lastNet = n;
    recorded.setNetworkMissing(n === undefined);
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
      recorded.record(t, reading);
    });
  }, intervalMs);
  timer.unref();

  return {
    provider: recorded.provider,
    stop() {
      clearInterval(timer);
      delay.disable();
      gc.disconnect();
    },
  };
}
