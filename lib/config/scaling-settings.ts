// The `scaling` block: provisioned concurrency of API functions, and Application Auto Scaling of the
// ElastiCache replication groups and ECS services a team registered under monitoring.targets.
// settings.ts composes it and checks what spans blocks (registration, the account's concurrency).
import { z } from 'zod';
import { ROUTES } from '../constructs/api/routes';
import { ecsServiceSchema, REPLICATION_GROUP_ID } from './monitoring-settings';
import { isTimeZone, scheduleProblem } from './schedule';

/** Hard limits of a scalable dimension: what AWS allows, whatever a setting or request asks. */
export interface CapacityLimits {
  readonly min: number;
  readonly max: number;
}

/** ElastiCache (cluster mode enabled): 1 to 500 shards (node groups) per replication group. */
export const SHARD_LIMITS: CapacityLimits = { min: 1, max: 500 };
/** ElastiCache: 0 to 5 replicas per shard. */
export const REPLICA_LIMITS: CapacityLimits = { min: 0, max: 5 };
/** ECS: the default quota of tasks per service is 5,000. */
export const ECS_TASK_LIMITS: CapacityLimits = { min: 0, max: 5000 };
/** Lambda's default regional concurrency; `capacity.limits.lambdaConcurrency` overrides it. */
export const DEFAULT_LAMBDA_CONCURRENCY = 1000;
/** Lambda keeps 100 of the account's concurrency unreserved: provisioned concurrency gets the rest. */
export const UNRESERVED_LAMBDA_CONCURRENCY = 100;

const num = () => z.number({ error: 'must be a number' });
const count = (min: number, max: number) =>
  num()
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const range = (min: number, max: number, what: string) =>
  num()
    .min(min, { error: `must be at least ${min} (${what})` })
    .max(max, { error: `must be at most ${max} (${what})` });
const seconds = () => count(0, 86_400);

function minNotAboveMax(ctx: z.core.ParsePayload<{ min?: number | undefined; max?: number | undefined }>) {
  const { min, max } = ctx.value;
  if (min !== undefined && max !== undefined && min > max)
    ctx.issues.push({
      code: 'custom',
      continue: true,
      path: ['min'],
      input: min,
      message: `must not exceed max (${max})`,
    });
}

/** A scheduled action: at its time, Application Auto Scaling sets the target's min and/or max. */
const scheduleSchema = (limits: CapacityLimits) =>
  z
    .strictObject({
      name: z
        .string({ error: 'must be a string' })
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1-64 letters, digits, ".", "-" or "_"' }),
      schedule: z.string({ error: 'must be a string' }).check((ctx) => {
        const problem = scheduleProblem(ctx.value);
        if (problem) ctx.issues.push({ code: 'custom', continue: true, input: ctx.value, message: problem });
      }),
      min: count(limits.min, limits.max).optional(),
      max: count(Math.max(limits.min, 1), limits.max).optional(),
      timezone: z
        .string({ error: 'must be a string' })
        .refine(isTimeZone, { error: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' })
        .optional(),
    })
    .check(minNotAboveMax)
    .refine((s) => s.min !== undefined || s.max !== undefined, {
      error: 'must set min, max or both (a scheduled action changes capacity limits)',
    })
    .refine((s) => s.timezone === undefined || !s.schedule.startsWith('rate('), {
      error: 'must not set a timezone with rate(…): time zones apply to at(…) and cron(…) only',
      path: ['timezone'],
    });

const schedulesSchema = (limits: CapacityLimits) =>
  z
    .array(scheduleSchema(limits), { error: 'must be an array of scheduled actions' })
    .default([])
    .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
      error: 'must not use the same name twice (a scheduled action is named uniquely per target)',
    });

export const API_ROUTE_IDS = ROUTES.map((r) => r.id) as [string, ...string[]];

const apiSchema = z
  .strictObject({
    routes: z
      .array(z.enum(API_ROUTE_IDS, { error: `must be an API route id: ${API_ROUTE_IDS.join(', ')}` }), {
        error: 'must be an array of API route ids',
      })
      .default(['GetTest', 'GetResults'])
      .refine((r) => new Set(r).size === r.length, { error: 'must not name a route twice' }),
    min: count(0, 1_000_000).default(1),
    max: count(1, 1_000_000).default(10),
    utilizationTarget: range(0.1, 0.9, 'the share of provisioned concurrency in use').default(0.7),
    scaleInCooldownSeconds: seconds().default(300),
    scaleOutCooldownSeconds: seconds().default(60),
    // Limits of provisioned concurrency depend on the account's quota: settings.ts checks them.
    schedules: schedulesSchema({ min: 0, max: 1_000_000 }),
  })
  .prefault({})
  .check(minNotAboveMax);

const cacheDimensionSchema = (limits: CapacityLimits) =>
  z
    .strictObject({
      min: count(limits.min, limits.max),
      max: count(Math.max(limits.min, 1), limits.max),
      targetCpuPercent: range(35, 70, 'ElastiCache auto scaling accepts 35 to 70 %').default(60),
      scaleInCooldownSeconds: seconds().default(1800),
      scaleOutCooldownSeconds: seconds().default(600),
      schedules: schedulesSchema(limits),
    })
    .check(minNotAboveMax);

const cacheScalingSchema = z
  .strictObject({
    replicationGroupId: REPLICATION_GROUP_ID,
    shards: cacheDimensionSchema(SHARD_LIMITS).optional(),
    replicas: cacheDimensionSchema(REPLICA_LIMITS).optional(),
  })
  .refine((c) => c.shards !== undefined || c.replicas !== undefined, {
    error: 'must scale "shards", "replicas" or both',
  });

const ecsScalingSchema = ecsServiceSchema
  .extend({
    min: count(ECS_TASK_LIMITS.min, ECS_TASK_LIMITS.max),
    max: count(1, ECS_TASK_LIMITS.max),
    targetCpuPercent: range(1, 100, 'average CPU of the service').default(60),
    scaleInCooldownSeconds: seconds().default(300),
    scaleOutCooldownSeconds: seconds().default(60),
    schedules: schedulesSchema(ECS_TASK_LIMITS),
  })
  .check(minNotAboveMax);

export const scalingSchema = z
  .strictObject({
    api: apiSchema,
    elasticache: z
      .array(cacheScalingSchema, { error: 'must be an array of {replicationGroupId, shards?, replicas?}' })
      .default([]),
    ecsServices: z
      .array(ecsScalingSchema, { error: 'must be an array of {cluster, service, min, max, …}' })
      .default([]),
  })
  .prefault({});

export type ScalingSettings = z.infer<typeof scalingSchema>;
export type ApiScalingSettings = ScalingSettings['api'];
export type CacheScalingSettings = ScalingSettings['elasticache'][number];
export type CacheDimensionSettings = NonNullable<CacheScalingSettings['shards']>;
export type EcsScalingSettings = ScalingSettings['ecsServices'][number];
export type ScheduleSettings = ApiScalingSettings['schedules'][number];
