/**
 * What one worker sustains, the AWS limits a fan-out must respect, and list prices: the planner's
 * inputs. Each default is documented here once; deployments override them (cdk.json).
 *
 * Per-worker capacity comes from our own measurement, not from a vendor figure: the generator
 * spends 40.7 µs of CPU per request (`npm run bench -- cpu-per-request`, README), so one vCPU
 * saturates near 24,000 requests/s on small responses. A worker is planned at about a fifth of
 * that, leaving room for TLS, larger bodies, checks and captures, and so that a busy worker never
 * delays its own send times. VUs cost memory, not CPU: a VU holds one keep-alive socket and its
 * buffers (well under 100 KB), so 1,000 VUs fit a 1,769 MB Lambda with room to spare.
 * These are planning figures; workers report CPU and event-loop lag so a run shows when they
 * were wrong.
 */

export interface WorkerProfile {
  readonly vcpu: number;
  readonly memoryMb: number;
  readonly maxVus: number;
  /** Requests (iterations) per second one worker is planned to send. */
  readonly maxRps: number;
}

export interface CapacityConfig {
  /** 1,769 MB is where Lambda allocates one full vCPU. */
  readonly lambda: WorkerProfile & {
    /** Longest test a Lambda worker takes: 13 min of the 15-min limit, the rest for start and upload. */
    readonly maxRunMs: number;
    /** Cold start plus loading the worker, before it can wait for the common start. */
    readonly coldStartMs: number;
  };
  readonly fargate: WorkerProfile & {
    /** Task placement, image pull and start (arm64, ~100 MB image). */
    readonly startupMs: number;
    readonly spot: boolean;
  };
  readonly limits: {
    /** Lambda adds at most 1,000 execution environments per 10 s per function. */
    readonly lambdaScalePer10s: number;
    /** Account concurrency quota (default 1,000): more workers need a quota raise. */
    readonly lambdaConcurrency: number;
    /** ECS RunTask starts at most 10 tasks per call. */
    readonly runTaskPerCall: number;
    /** Fargate launches about 20 tasks per second per account (RunTask token bucket). */
    readonly fargateTasksPerSecond: number;
    /** Distributed Map runs at most 10,000 child workflows at once. */
    readonly mapMaxConcurrency: number;
  };
  /** US East (N. Virginia) list prices, arm64, in USD; check your region's. */
  readonly prices: {
    readonly lambdaGbSecond: number;
    readonly lambdaRequest: number;
    readonly fargateVcpuHour: number;
    readonly fargateGbHour: number;
    /** Fraction Fargate Spot saves (typically about 70 %). */
    readonly spotDiscount: number;
    readonly stepFunctionsTransition: number;
    readonly s3Put: number;
    readonly s3Get: number;
  };
}

export const DEFAULT_CAPACITY: CapacityConfig = {
  lambda: {
    vcpu: 1,
    memoryMb: 1769,
    maxVus: 1_000,
    maxRps: 5_000,
    maxRunMs: 13 * 60_000,
    coldStartMs: 3_000,
  },
  fargate: { vcpu: 2, memoryMb: 4096, maxVus: 4_000, maxRps: 10_000, startupMs: 60_000, spot: false },
  limits: {
    lambdaScalePer10s: 1_000,
    lambdaConcurrency: 1_000,
    runTaskPerCall: 10,
    fargateTasksPerSecond: 20,
    mapMaxConcurrency: 10_000,
  },
  prices: {
    lambdaGbSecond: 0.0000133334,
    lambdaRequest: 0.0000002,
    fargateVcpuHour: 0.03238,
    fargateGbHour: 0.00356,
    spotDiscount: 0.7,
    stepFunctionsTransition: 0.000025,
    s3Put: 0.000005,
    s3Get: 0.0000004,
  },
};
