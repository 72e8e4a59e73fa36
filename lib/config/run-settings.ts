// The distributed run's settings (ADR 003): the Fargate worker's size and the planner's capacity
// overrides. Part of the `throughline` context block; settings.ts composes them into the schema.
import { z } from 'zod';

/** The Fargate worker task (runs longer than a Lambda worker can take). */
export interface FargateSettings {
  /** Task CPU units (1024 = 1 vCPU); one of the sizes Fargate offers. */
  readonly cpu: number;
  /** Task memory in MiB; must be a size Fargate offers with `cpu`. */
  readonly memoryMiB: number;
  /** Run workers on Fargate Spot (about 70 % cheaper; a task can be reclaimed with 2 minutes' notice). */
  readonly spot: boolean;
}

/**
 * Overrides of the planner's DEFAULT_CAPACITY (lambdas/core/run/capacity.ts), handed to the
 * plan-run function as THROUGHLINE_CAPACITY. The worker sizes themselves are not here: the Lambda
 * worker's is fixed by the deployment and the Fargate worker's comes from `fargate`, so the planner
 * always plans with the sizes that are actually deployed.
 */
export type CapacityOverrides = z.infer<typeof capacitySchema>;

/** Memory sizes (MiB) Fargate offers for each CPU size (Linux, ARM64 and x86 alike). */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16_384, 1024),
  4096: range(8192, 30_720, 1024),
  8192: range(16_384, 61_440, 4096),
  16384: range(32_768, 122_880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/**
 * The Lambda worker has 15 minutes; a Lambda-run test must leave a minute of that for start-up,
 * waiting for the common start and the last upload.
 */
export const MAX_LAMBDA_RUN_MS = 840_000;

const num = () => z.number({ error: 'must be a number' });
const count = (max = 10_000_000) =>
  num()
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` });
const positive = () => num().positive({ error: 'must be greater than 0' });
const milliseconds = (min: number, max: number) =>
  num()
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const price = () => num().min(0, { error: 'must be at least 0' });

export const fargateSchema = z
  .strictObject({
    cpu: num()
      .refine((cpu) => cpu in FARGATE_SIZES, {
        error: `must be one of the Fargate CPU sizes: ${Object.keys(FARGATE_SIZES).join(', ')}`,
      })
      .default(2048),
    memoryMiB: num().int({ error: 'must be a whole number' }).default(4096),
    spot: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .prefault({})
  .check((ctx) => {
    const { cpu, memoryMiB } = ctx.value;
    const sizes = FARGATE_SIZES[cpu];
    if (sizes === undefined || sizes.includes(memoryMiB)) return;
    ctx.issues.push({
      code: 'custom',
      continue: true,
      path: ['memoryMiB'],
      input: memoryMiB,
      message: `must be a size Fargate offers with cpu ${cpu}: ${sizes[0]} to ${sizes.at(-1)} MiB (${sizes.join(', ')})`,
    });
  });

export const capacitySchema = z
  .strictObject({
    lambda: z
      .strictObject({
        maxVus: count(),
        maxRps: positive(),
        maxRunMs: milliseconds(60_000, MAX_LAMBDA_RUN_MS),
        coldStartMs: milliseconds(0, 600_000),
      })
      .partial(),
    fargate: z
      .strictObject({ maxVus: count(), maxRps: positive(), startupMs: milliseconds(0, 1_800_000) })
      .partial(),
    limits: z
      .strictObject({
        lambdaScalePer10s: count(),
        lambdaConcurrency: count(),
        // ECS RunTask starts at most 10 tasks per call; Distributed Map runs at most 10,000 children at once.
        runTaskPerCall: count(10),
        fargateTasksPerSecond: count(),
        mapMaxConcurrency: count(10_000),
      })
      .partial(),
    prices: z
      .strictObject({
        lambdaGbSecond: price(),
        lambdaRequest: price(),
        fargateVcpuHour: price(),
        fargateGbHour: price(),
        spotDiscount: price().max(1, { error: 'must be at most 1 (a fraction)' }),
        stepFunctionsTransition: price(),
        s3Put: price(),
        s3Get: price(),
      })
      .partial(),
  })
  .partial();

/**
 * THROUGHLINE_CAPACITY for plan-run: the deployment's overrides, with the Fargate worker's size and
 * Spot choice taken from the task that is actually deployed.
 */
export function capacityJson(fargate: FargateSettings, capacity: CapacityOverrides | undefined): string {
  return JSON.stringify({
    ...capacity,
    fargate: {
      ...capacity?.fargate,
      vcpu: fargate.cpu / 1024,
      memoryMb: fargate.memoryMiB,
      spot: fargate.spot,
    },
  });
}
