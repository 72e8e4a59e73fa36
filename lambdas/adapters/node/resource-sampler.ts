import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ResourceSampler, ResourceSummary } from '../../ports/resources';

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * CPU from process.cpuUsage (user + system, as % of one core, so 2 busy threads read 200 %), RSS
 * from process.memoryUsage, and the event-loop delay histogram of perf_hooks (10 ms resolution).
 */
export const processSampler: ResourceSampler = {
  start() {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const cpu: number[] = [];
    let rssMax = process.memoryUsage.rss();
    let lastCpu = process.cpuUsage();
    let lastAt = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const used = process.cpuUsage(lastCpu);
      cpu.push(((used.user + used.system) / 1_000 / (now - lastAt)) * 100);
      lastCpu = process.cpuUsage();
      lastAt = now;
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
    }, 1_000);
    timer.unref();
    return (): ResourceSummary => {
      clearInterval(timer);
      delay.disable();
      return {
        cpuPercentMax: round(Math.max(0, ...cpu)),
        cpuPercentMean: round(cpu.length === 0 ? 0 : cpu.reduce((a, b) => a + b, 0) / cpu.length),
        rssMbMax: round(rssMax / 1024 / 1024),
        eventLoopDelayP99Ms: round(delay.count > 0 ? delay.percentile(99) / 1e6 : 0),
      };
    };
  },
};

/**
 * For a worker thread, where process CPU counts every thread: the thread's own event-loop
 * utilization stands for its CPU (the share of time its loop was busy, 100 % = one core), with
 * the same RSS (process-wide) and event-loop delay (this thread's loop) as processSampler.
 */
export const threadSampler: ResourceSampler = {
  start() {
    const stopProcess = processSampler.start();
    const busy: number[] = [];
    let last = performance.eventLoopUtilization();
    const timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      busy.push(performance.eventLoopUtilization(now, last).utilization * 100);
      last = now;
    }, 1_000);
    timer.unref();
    return (): ResourceSummary => {
      clearInterval(timer);
      const summary = stopProcess();
      return {
        ...summary,
        cpuPercentMax: round(Math.max(0, ...busy)),
        cpuPercentMean: round(busy.length === 0 ? 0 : busy.reduce((a, b) => a + b, 0) / busy.length),
      };
    };
  },
};
