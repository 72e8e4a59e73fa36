import { z } from 'zod';
import { monitoredListSchema } from '../core/observability/monitored';
import { type CapacityConfig, DEFAULT_CAPACITY } from '../core/run/capacity';
import { scalableTargetListSchema } from '../core/scaling/targets';
import { policyProblems } from '../core/tests/target-policy';
import type { PlatformPolicy } from '../core/tests/test-service';
import type { MonitoredResource } from '../model/monitored';
import type { ScalableTargetRef } from '../model/scaling';
import { type Env, fail, jsonVar, type Problems, requiredVar } from './parse';

/** THROUGHLINE_POLICY as the stack writes it (lib/config/load-settings.ts policyJson): quotas in seconds. */
const quotasSchema = z.strictObject({
  maxVus: z.int().min(1),
  maxRps: z.number().positive(),
  maxDurationSeconds: z.int().min(1),
  maxConcurrentTests: z.int().min(1),
});
const policySchema = z.strictObject({ allowedTargets: z.array(z.string()), quotas: quotasSchema });

export interface AwsConfig {
  readonly region: string;
  readonly tableName: string;
  readonly bucket: string;
  readonly policy: PlatformPolicy;
  /** The distributed-run state machine create-test starts (only create-test has it). */
  readonly stateMachineArn?: string;
  /** Planner inputs: DEFAULT_CAPACITY with the deployment's overrides (THROUGHLINE_CAPACITY). */
  readonly capacity: CapacityConfig;
  /** What the metrics endpoints read (THROUGHLINE_MONITORED, JSON; default none). */
  readonly monitored: readonly MonitoredResource[];
  /** What the scaling API manages (THROUGHLINE_SCALABLE_TARGETS, JSON; default none). */
  readonly scalableTargets: readonly ScalableTargetRef[];
  /** Name prefix of this deployment's CloudWatch alarms (THROUGHLINE_ALARM_PREFIX). */
  readonly alarmPrefix?: string;
  /** SNS topic manual scaling is announced on (THROUGHLINE_NOTIFY_TOPIC_ARN). */
  readonly notifyTopicArn?: string;
}

/** Required, without defaults of its own: the stack always writes the whole policy (its defaults applied in lib/config). */
function readPolicy(raw: string, problems: Problems): PlatformPolicy | undefined {
  if (!raw) return undefined;
  try {
    const parsed = policySchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((i) => `THROUGHLINE_POLICY.${i.path.join('.')}: ${i.message}`),
      );
      return undefined;
    }
    const { allowedTargets, quotas } = parsed.data;
    problems.push(
      ...policyProblems({ allowedTargets }).map((p) => `THROUGHLINE_POLICY.allowedTargets: ${p}`),
    );
    return {
      targets: { allowedTargets },
      quotas: {
        maxVus: quotas.maxVus,
        maxRps: quotas.maxRps,
        maxDurationMs: quotas.maxDurationSeconds * 1_000,
        maxConcurrentTests: quotas.maxConcurrentTests,
      },
    };
  } catch (err) {
    problems.push(`THROUGHLINE_POLICY is not JSON: ${(err as Error).message}`);
    return undefined;
  }
}

/** Deep-merges overrides into the defaults; every override must be a finite number ≥ 0 (or a boolean where the default is). */
function mergeCapacity(raw: string | undefined, problems: Problems): CapacityConfig {
  if (!raw) return DEFAULT_CAPACITY;
  let overrides: unknown;
  try {
    overrides = JSON.parse(raw);
  } catch (err) {
    problems.push(`THROUGHLINE_CAPACITY is not JSON: ${(err as Error).message}`);
    return DEFAULT_CAPACITY;
  }
  const merge = (base: Record<string, unknown>, over: unknown, path: string): Record<string, unknown> => {
    if (typeof over !== 'object' || over === null || Array.isArray(over)) {
      problems.push(`THROUGHLINE_CAPACITY${path}: must be an object`);
      return base;
    }
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const d = base[k];
      if (d === undefined) problems.push(`THROUGHLINE_CAPACITY${path}.${k}: unknown setting`);
      else if (typeof d === 'object' && d !== null)
        out[k] = merge(d as Record<string, unknown>, v, `${path}.${k}`);
      else if (
        typeof d === 'boolean'
          ? typeof v === 'boolean'
          : typeof v === 'number' && Number.isFinite(v) && v >= 0
      )
        out[k] = v;
      else
        problems.push(
          `THROUGHLINE_CAPACITY${path}.${k}: must be ${typeof d === 'boolean' ? 'true or false' : 'a number ≥ 0'}`,
        );
    }
    return out;
  };
  return merge(
    DEFAULT_CAPACITY as unknown as Record<string, unknown>,
    overrides,
    '',
  ) as unknown as CapacityConfig;
}

/** Lambda handlers and the Fargate worker: names and policy the CDK stack passes in. */
export function awsConfig(env: Env = process.env): AwsConfig {
  const problems: Problems = [];
  const region = requiredVar(env, 'AWS_REGION', problems);
  const tableName = requiredVar(env, 'THROUGHLINE_TABLE_NAME', problems);
  const bucket = requiredVar(env, 'THROUGHLINE_RESULTS_BUCKET', problems);
  const policy = readPolicy(requiredVar(env, 'THROUGHLINE_POLICY', problems), problems);
  const capacity = mergeCapacity(env.THROUGHLINE_CAPACITY, problems);
  const monitored = jsonVar(env, 'THROUGHLINE_MONITORED', monitoredListSchema, [], problems);
  const scalableTargets = jsonVar(
    env,
    'THROUGHLINE_SCALABLE_TARGETS',
    scalableTargetListSchema,
    [],
    problems,
  );
  for (const t of scalableTargets)
    if (t.kind !== 'local-workers' && !(t.serviceNamespace && t.resourceId && t.scalableDimension))
      problems.push(
        `THROUGHLINE_SCALABLE_TARGETS: ${t.id} needs serviceNamespace, resourceId and scalableDimension`,
      );
  if (problems.length > 0 || !policy) fail(problems);
  return {
    region,
    tableName,
    bucket,
    policy,
    capacity,
    monitored,
    scalableTargets,
    ...(env.THROUGHLINE_ALARM_PREFIX ? { alarmPrefix: env.THROUGHLINE_ALARM_PREFIX } : {}),
    ...(env.THROUGHLINE_NOTIFY_TOPIC_ARN ? { notifyTopicArn: env.THROUGHLINE_NOTIFY_TOPIC_ARN } : {}),
    ...(env.THROUGHLINE_STATE_MACHINE_ARN ? { stateMachineArn: env.THROUGHLINE_STATE_MACHINE_ARN } : {}),
  };
}
