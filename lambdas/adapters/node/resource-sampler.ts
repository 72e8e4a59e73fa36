import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ResourceSampler, ResourceSummary } from '../../ports/resources';

const round = (v: number) => Math.round(v * 10) / 10;

/** How busy the worker was over the last second, in % of one core: a reading started fresh each call. */
type CpuReading = () => () => number;

/** process.cpuUsage (user + system of every thread), as % of one core: 2 busy threads read 200 %. */
const processCpu: CpuReading = () => {
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return () => {
    const now = performance.now();
    const used = process.cpuUsage(lastCpu);
    const percent = ((used.user + used.system) / 1_000 / (now - lastAt)) * 100;
    lastCpu = process.cpuUsage();
    lastAt = now;
    return percent;
  };
};

/** This thread's event-loop utilization (the share of time its loop was busy) standing for its CPU. */
const threadCpu: CpuReading = () => {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const percent = performance.eventLoopUtilization(now, last).utilization * 100;
    last = now;
    return percent;
  };
};

/** Samples once a second: CPU (as `cpu` measures it), RSS, and this thread's event-loop delay (10 ms resolution). */
function sampler(cpu: CpuReading): ResourceSampler {
  return {
    start() {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const samples: number[] = [];
      const read = cpu();
      let rssMax = process.memoryUsage.rss();
      const timer = setInterval(() => {
        samples.push(read());
        rssMax = Math.max(rssMax, process.memoryUsage.rss());
      }, 1_000);
      timer.unref();
      return (): ResourceSummary => {
        clearInterval(timer);
        delay.disable();
        return {
          cpuPercentMax: round(Math.max(0, ...samples)),
          cpuPercentMean: round(
            samples.length === 0 ? 0 : samples.reduce((a, b) => a + b, 0) / samples.length,
          ),
          rssMbMax: round(rssMax / 1024 / 1024),
          eventLoopDelayP99Ms: round(delay.count > 0 ? delay.percentile(99) / 1e6 : 0),
        };
      };
    },
  };
}

/** A Lambda or Fargate worker: the process is the worker. */
export const processSampler: ResourceSampler = sampler(processCpu);

/**
 * A worker thread, where process CPU counts every thread: the thread's own event-loop utilization
 * stands for its CPU (100 % = one core); RSS is the process's.
 */
export const threadSampler: ResourceSampler = sampler(threadCpu);
