import type { Scenario, TestDefinition } from '../../model/definition';
import { plannedDurationMs } from '../load/executors';
import { PlatformError } from './errors';

/** Limits a deployment puts on each test and on the platform as a whole. */
export interface Quotas {
  /** Peak virtual users of a test, summed over scenarios that may overlap. */
  readonly maxVus: number;
  /** Peak arrival rate (iterations per second) of open-model scenarios, summed. */
  readonly maxRps: number;
  /** Longest a test may run: startTime, planned duration and graceful stop/ramp-down periods. */
  readonly maxDurationMs: number;
  /** Tests queued or running at the same time. */
  readonly maxConcurrentTests: number;
}

export interface PeakLoad {
  readonly vus: number;
  readonly rps: number;
  readonly durationMs: number;
}

function scenarioPeak(s: Scenario): { vus: number; rps: number } {
  switch (s.executor) {
    case 'constant-vus':
    case 'per-vu-iterations':
      return { vus: s.vus, rps: 0 };
    case 'shared-iterations':
      // The executor never starts more VUs than there are iterations to share.
      return { vus: Math.min(s.vus, s.iterations), rps: 0 };
    case 'ramping-vus':
      return { vus: Math.max(s.startVUs, ...s.stages.map((st) => st.target)), rps: 0 };
    case 'constant-arrival-rate':
      return { vus: s.maxVUs ?? s.preAllocatedVUs, rps: (s.rate * 1_000) / s.timeUnit };
    case 'ramping-arrival-rate':
      return {
        vus: s.maxVUs ?? s.preAllocatedVUs,
        rps: (Math.max(s.startRate, ...s.stages.map((st) => st.target)) * 1_000) / s.timeUnit,
      };
  }
}

/**
 * The most a test can ask for at once. Scenarios are summed as if they all overlapped, which is
 * the worst case. A closed-model scenario has no planned rate: its VU count is what bounds it.
 */
export function peakLoad(definition: TestDefinition): PeakLoad {
  let vus = 0;
  let rps = 0;
  let durationMs = 0;
  for (const s of Object.values(definition.scenarios)) {
    const peak = scenarioPeak(s);
    vus += peak.vus;
    rps += peak.rps;
    // Iterations may run on past the plan for gracefulStop (and ramping VUs for gracefulRampDown).
    const graceMs = s.gracefulStop + (s.executor === 'ramping-vus' ? s.gracefulRampDown : 0);
    durationMs = Math.max(durationMs, plannedDurationMs(s) + graceMs);
  }
  return { vus, rps, durationMs };
}

/** Throws E_QUOTA_EXCEEDED naming every limit the test goes over. */
export function assertWithinQuotas(quotas: Quotas, definition: TestDefinition): PeakLoad {
  const peak = peakLoad(definition);
  const problems: { quota: string; limit: number; requested: number; message: string }[] = [];
  if (peak.vus > quotas.maxVus)
    problems.push({
      quota: 'maxVus',
      limit: quotas.maxVus,
      requested: peak.vus,
      message: `the test needs up to ${peak.vus} VUs; this deployment allows ${quotas.maxVus}`,
    });
  if (peak.rps > quotas.maxRps)
    problems.push({
      quota: 'maxRps',
      limit: quotas.maxRps,
      requested: Math.round(peak.rps * 1000) / 1000,
      message: `the test asks for up to ${peak.rps} iterations/s; this deployment allows ${quotas.maxRps}`,
    });
  if (peak.durationMs > quotas.maxDurationMs)
    problems.push({
      quota: 'maxDurationMs',
      limit: quotas.maxDurationMs,
      requested: peak.durationMs,
      message: `the test can run for up to ${peak.durationMs / 1000} s (graceful stop included); this deployment allows ${quotas.maxDurationMs / 1000} s`,
    });
  if (problems.length > 0)
    throw new PlatformError('E_QUOTA_EXCEEDED', problems.map((p) => p.message).join('; '), { problems });
  return peak;
}
