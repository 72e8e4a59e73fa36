import type { TestDefinition } from '../../model/definition';
import { nthOfSegments } from '../load/segment';
import { peakLoad } from '../tests/quotas';
import type { CapacityConfig } from './capacity';

/**
 * Splits a test into worker segments for the distributed run: enough workers that none exceeds
 * its planned VUs or rate, Lambda when the whole test fits a Lambda's run, Fargate otherwise; a
 * common start far enough ahead that the slowest worker to launch is ready for it; and what the
 * run costs. Pure: the same inputs give the same plan.
 */

export interface TestPlan {
  readonly runtime: 'lambda' | 'fargate';
  readonly workers: number;
  readonly perWorker: { readonly vus: number; readonly rps: number };
  readonly peak: { readonly vus: number; readonly rps: number; readonly durationMs: number };
  /** Why this many workers: the constraint that set the count. */
  readonly sizedBy: 'vus' | 'rps' | 'minimum';
  /** Time from the start of the fan-out until the last worker is up. */
  readonly fanOutMs: number;
  /** The common start instant (epoch ms): fan-out plus a 2 s margin from `nowMs`. */
  readonly startAtMs: number;
  /** Distributed Map children running at once (items always reach the Map through S3, ADR 003). */
  readonly map: { readonly maxConcurrency: number };
  /** Segment of each worker, in worker order ("0/1:1/4", …). */
  readonly segments: readonly string[];
  readonly cost: PlanCost;
  /** Quotas to raise or limits the plan runs into. */
  readonly warnings: readonly string[];
}

export interface PlanCost {
  readonly computeUsd: number;
  readonly requestsUsd: number;
  readonly stepFunctionsUsd: number;
  readonly storageRequestsUsd: number;
  readonly totalUsd: number;
  readonly assumptions: string;
}

const START_MARGIN_MS = 2_000;
const cents = (usd: number) => Math.round(usd * 100) / 100;
/** States per worker branch (item → worker → result) and around the Map (plan, aggregate, finalize …). */
const TRANSITIONS_PER_WORKER = 4;
const TRANSITIONS_FIXED = 8;

export function planTest(definition: TestDefinition, capacity: CapacityConfig, nowMs: number): TestPlan {
  const peak = peakLoad(definition);
  const runtime = peak.durationMs <= capacity.lambda.maxRunMs ? 'lambda' : 'fargate';
  const profile = capacity[runtime];
  const byVus = Math.ceil(peak.vus / profile.maxVus);
  const byRps = Math.ceil(peak.rps / profile.maxRps);
  const workers = Math.max(1, byVus, byRps);
  const sizedBy = workers === 1 && byVus <= 1 && byRps <= 1 ? 'minimum' : byVus >= byRps ? 'vus' : 'rps';
  const { limits, prices } = capacity;

  const fanOutMs =
    runtime === 'lambda'
      ? Math.floor((workers - 1) / limits.lambdaScalePer10s) * 10_000 + capacity.lambda.coldStartMs
      : Math.ceil(
          Math.max(
            (workers / limits.fargateTasksPerSecond) * 1_000,
            Math.ceil(workers / limits.runTaskPerCall) * 100,
          ),
        ) + capacity.fargate.startupMs;
  const warnings: string[] = [];
  if (runtime === 'lambda' && workers > limits.lambdaConcurrency)
    warnings.push(
      `${workers} Lambda workers exceed the account concurrency quota of ${limits.lambdaConcurrency}: raise it first`,
    );
  if (workers > limits.mapMaxConcurrency)
    warnings.push(
      `${workers} workers exceed Distributed Map's ${limits.mapMaxConcurrency} concurrent children: the rest would start late`,
    );
  // A closed model sends as fast as the target answers; only think time bounds it in advance.
  const perWorkerVus = Math.ceil(peak.vus / workers);
  const unbounded = Object.values(definition.scenarios).filter((s) => {
    if (s.executor.includes('arrival-rate')) return false;
    const thinkMs =
      s.thinkTime === undefined ? 0 : typeof s.thinkTime === 'number' ? s.thinkTime : s.thinkTime.min;
    return thinkMs <= 0 || perWorkerVus / (thinkMs / 1_000) > profile.maxRps;
  });
  if (unbounded.length > 0)
    warnings.push(
      `closed-model scenarios may send more than the ${profile.maxRps} req/s planned per worker (${perWorkerVus} VUs at 50 ms responses is ${perWorkerVus * 20} req/s): add thinkTime or use an arrival-rate executor`,
    );
  if (runtime === 'fargate')
    warnings.push(
      `Fargate needs ${workers * capacity.fargate.vcpu} vCPU of ${capacity.fargate.spot ? 'Spot' : 'On-Demand'} quota in the region`,
    );

  const runS = (peak.durationMs + fanOutMs + START_MARGIN_MS) / 1_000;
  const windows = Math.ceil(peak.durationMs / 1_000);
  const computeUsd =
    runtime === 'lambda'
      ? workers * runS * (capacity.lambda.memoryMb / 1024) * prices.lambdaGbSecond
      : workers *
        (Math.max(60, runS + capacity.fargate.startupMs / 1_000) / 3_600) *
        (capacity.fargate.vcpu * prices.fargateVcpuHour +
          (capacity.fargate.memoryMb / 1024) * prices.fargateGbHour) *
        (capacity.fargate.spot ? 1 - prices.spotDiscount : 1);
  const requestsUsd = runtime === 'lambda' ? (workers + 3) * prices.lambdaRequest : 3 * prices.lambdaRequest;
  const stepFunctionsUsd =
    (TRANSITIONS_FIXED + TRANSITIONS_PER_WORKER * workers) * prices.stepFunctionsTransition;
  const storageRequestsUsd = workers * windows * (prices.s3Put + prices.s3Get);
  const total = computeUsd + requestsUsd + stepFunctionsUsd + storageRequestsUsd;

  return {
    runtime,
    workers,
    perWorker: { vus: Math.ceil(peak.vus / workers), rps: Math.ceil(peak.rps / workers) },
    peak,
    sizedBy,
    fanOutMs,
    // A whole millisecond: it travels as a string in a Fargate task's environment.
    startAtMs: Math.ceil(nowMs + fanOutMs + START_MARGIN_MS),
    map: { maxConcurrency: Math.min(workers, limits.mapMaxConcurrency) },
    segments: Array.from({ length: workers }, (_, k) => nthOfSegments(k, workers).toString()),
    cost: {
      computeUsd: cents(computeUsd),
      requestsUsd: cents(requestsUsd),
      stepFunctionsUsd: cents(stepFunctionsUsd),
      storageRequestsUsd: cents(storageRequestsUsd),
      totalUsd: cents(total),
      assumptions:
        'list prices (arm64, US East); workers billed from launch to the end of the test; one window object per worker per second written and read once; data transfer to the target not included',
    },
    warnings,
  };
}
