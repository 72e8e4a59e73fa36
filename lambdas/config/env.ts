import { z } from 'zod';
import { parseDuration } from '../core/load/duration';
import { parseSegment } from '../core/load/segment';
import { monitoredListSchema } from '../core/observability/monitored';
import { type CapacityConfig, DEFAULT_CAPACITY } from '../core/platform/capacity';
import type { Quotas } from '../core/platform/quotas';
import { policyProblems } from '../core/platform/target-policy';
import type { PlatformPolicy } from '../core/platform/tests';
import { scalableTargetListSchema } from '../core/scaling/targets';
import type { MonitoredResource } from '../model/monitored';
import type { ScalableTargetRef } from '../model/scaling';

/**
 * Environment variables, read once here, validated, failing fast with one message that names
 * every bad variable. Nothing else in lambdas/ reads process.env.
 */

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
}

type Env = Readonly<Record<string, string | undefined>>;

function fail(problems: string[]): never {
  throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

const intVar = (env: Env, name: string, fallback: number, min: number, max: number, problems: string[]) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push(`${name}=${JSON.stringify(raw)}: a whole number from ${min} to ${max}`);
  return fallback;
};

const quotasSchema = z.strictObject({
  maxVus: z.int().min(1),
  maxRps: z.number().positive(),
  maxDurationSeconds: z.int().min(1),
  maxConcurrentTests: z.int().min(1),
});
const policySchema = z.strictObject({ allowedTargets: z.array(z.string()), quotas: quotasSchema });

export interface LocalConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly policy: PlatformPolicy;
  /** Worker threads each test is split over. */
  readonly workers: number;
  /** Port of the demo target `npm start` runs beside the API; 0 = none. */
  readonly demoTargetPort: number;
  /** The response cache (L1 + disk, Redis with THROUGHLINE_REDIS_URL); absent: no cache. */
  readonly cache?: CacheConfig;
}

/** Local mode (`npm start`). Defaults: loopback targets only, 1,000 VUs, 5,000/s, 1 h, 4 tests. */
export function localConfig(env: Env, cwd: string): LocalConfig {
  const problems: string[] = [];
  const extra = (env.THROUGHLINE_ALLOWED_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const allowedTargets = ['loopback', ...extra];
  for (const p of policyProblems({ allowedTargets })) problems.push(`THROUGHLINE_ALLOWED_TARGETS: ${p}`);
  const rawDuration = env.THROUGHLINE_MAX_DURATION ?? '1h';
  const maxDurationMs = parseDuration(rawDuration);
  if (!maxDurationMs)
    problems.push(`THROUGHLINE_MAX_DURATION=${JSON.stringify(rawDuration)}: a duration like "30m"`);
  const quotas: Quotas = {
    maxVus: intVar(env, 'THROUGHLINE_MAX_VUS', 1_000, 1, 10_000_000, problems),
    maxRps: intVar(env, 'THROUGHLINE_MAX_RPS', 5_000, 1, 100_000_000, problems),
    maxDurationMs: maxDurationMs ?? 3_600_000,
    maxConcurrentTests: intVar(env, 'THROUGHLINE_MAX_CONCURRENT_TESTS', 4, 1, 1_000, problems),
  };
  const config: LocalConfig = {
    port: intVar(env, 'PORT', 8787, 0, 65_535, problems),
    dataDir: env.THROUGHLINE_DATA_DIR || `${cwd}/.throughline`,
    policy: { targets: { allowedTargets }, quotas },
    workers: intVar(env, 'THROUGHLINE_WORKERS', 1, 1, 64, problems),
    demoTargetPort: intVar(env, 'DEMO_TARGET_PORT', 8080, 0, 65_535, problems),
    cache: cacheConfig(env),
  };
  if (problems.length > 0) fail(problems);
  return config;
}

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

/** Parses a JSON variable against a schema; every issue is named with the variable's path. */
function jsonVar<T>(
  env: Env,
  name: string,
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
  },
  fallback: T,
  problems: string[],
): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    problems.push(`${name} is not JSON: ${(err as Error).message}`);
    return fallback;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(
    ...parsed.error.issues.map(
      (i) =>
        `${name}${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
    ),
  );
  return fallback;
}

/** Deep-merges overrides into the defaults; every override must be a finite number ≥ 0 (or a boolean where the default is). */
function mergeCapacity(raw: string | undefined, problems: string[]): CapacityConfig {
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

/** Lambda handlers: names and policy the CDK stack passes in. */
export function awsConfig(env: Env): AwsConfig {
  const problems: string[] = [];
  const required = (name: string) => {
    const v = env[name];
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const region = required('AWS_REGION');
  const tableName = required('THROUGHLINE_TABLE_NAME');
  const bucket = required('THROUGHLINE_RESULTS_BUCKET');
  let policy: PlatformPolicy | undefined;
  const rawPolicy = required('THROUGHLINE_POLICY');
  if (rawPolicy) {
    try {
      const parsed = policySchema.safeParse(JSON.parse(rawPolicy));
      if (!parsed.success)
        problems.push(
          ...parsed.error.issues.map((i) => `THROUGHLINE_POLICY.${i.path.join('.')}: ${i.message}`),
        );
      else {
        const { allowedTargets, quotas } = parsed.data;
        problems.push(
          ...policyProblems({ allowedTargets }).map((p) => `THROUGHLINE_POLICY.allowedTargets: ${p}`),
        );
        policy = {
          targets: { allowedTargets },
          quotas: {
            maxVus: quotas.maxVus,
            maxRps: quotas.maxRps,
            maxDurationMs: quotas.maxDurationSeconds * 1_000,
            maxConcurrentTests: quotas.maxConcurrentTests,
          },
        };
      }
    } catch (err) {
      problems.push(`THROUGHLINE_POLICY is not JSON: ${(err as Error).message}`);
    }
  }
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

/** The Fargate worker's assignment, from the container overrides the state machine sets. */
export function fargateJob(env: Env): { testId: string; segment: string; worker: number; startAtMs: number } {
  const problems: string[] = [];
  const text = (name: string, pattern: RegExp) => {
    const v = env[name] ?? '';
    if (!pattern.test(v)) problems.push(`${name}=${JSON.stringify(v)} is not valid`);
    return v;
  };
  const job = {
    testId: text('THROUGHLINE_TEST_ID', /^[\w-]{1,64}$/),
    segment: text('THROUGHLINE_SEGMENT', /^[\d/:@]{3,64}$/),
    worker: Number(text('THROUGHLINE_WORKER', /^\d{1,6}$/)),
    startAtMs: Number(text('THROUGHLINE_START_AT_MS', /^\d{12,14}$/)),
  };
  if (problems.length === 0 && !parseSegment(job.segment))
    problems.push(`THROUGHLINE_SEGMENT=${JSON.stringify(job.segment)} is not an execution segment`);
  if (problems.length > 0) fail(problems);
  return job;
}

export interface NotifierConfig {
  readonly region: string;
  /** The secret holding the Slack or webhook URL (THROUGHLINE_WEBHOOK_SECRET_ARN). */
  readonly webhookSecretArn: string;
}

/** The alarm notifier (notify-alarm): where it runs and which secret holds the webhook URL. */
export function notifierConfig(env: Env): NotifierConfig {
  const problems: string[] = [];
  const region = env.AWS_REGION ?? '';
  if (!region) problems.push('AWS_REGION is not set');
  const webhookSecretArn = env.THROUGHLINE_WEBHOOK_SECRET_ARN ?? '';
  if (!webhookSecretArn) problems.push('THROUGHLINE_WEBHOOK_SECRET_ARN is not set');
  else if (!/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s]+$/.test(webhookSecretArn))
    problems.push(
      `THROUGHLINE_WEBHOOK_SECRET_ARN=${JSON.stringify(webhookSecretArn)}: a Secrets Manager secret ARN`,
    );
  if (problems.length > 0) fail(problems);
  return { region, webhookSecretArn };
}

export interface CdnInvalidationConfig {
  readonly region: string;
  /** The CloudFront distribution whose paths the worker invalidates (THROUGHLINE_CDN_DISTRIBUTION_ID). */
  readonly distributionId: string;
}

/** The CDN invalidation worker (cdn-invalidation-worker): where it runs and which distribution it invalidates. */
export function cdnInvalidationConfig(env: Env): CdnInvalidationConfig {
  const problems: string[] = [];
  const region = env.AWS_REGION ?? '';
  if (!region) problems.push('AWS_REGION is not set');
  const distributionId = env.THROUGHLINE_CDN_DISTRIBUTION_ID ?? '';
  if (!distributionId) problems.push('THROUGHLINE_CDN_DISTRIBUTION_ID is not set');
  else if (!/^[A-Z0-9]{10,20}$/.test(distributionId))
    problems.push(
      `THROUGHLINE_CDN_DISTRIBUTION_ID=${JSON.stringify(distributionId)}: a CloudFront distribution id such as "E2QWRUHAPOMQZL"`,
    );
  if (problems.length > 0) fail(problems);
  return { region, distributionId };
}

/** Where the platform's own cache keeps entries (L1 in memory always; disk; Valkey/Redis when configured). */
export interface CacheConfig {
  /** THROUGHLINE_CACHE=off turns the platform's response cache off. */
  readonly enabled: boolean;
  /** L2 size cap (THROUGHLINE_CACHE_DISK_MB, default 256). */
  readonly diskMaxBytes: number;
  /** L3: `redis://` / `rediss://` URL (local: THROUGHLINE_REDIS_URL) or the ElastiCache endpoint. */
  readonly redis?:
    | { readonly mode: 'standalone'; readonly url: string }
    | { readonly mode: 'cluster'; readonly host: string; readonly port: number; readonly tls: boolean };
  /** Secrets Manager secret holding the ElastiCache AUTH token (THROUGHLINE_CACHE_AUTH_SECRET_ARN). */
  readonly authSecretArn?: string;
  /** SQS queue the CDN invalidation worker reads (THROUGHLINE_CDN_QUEUE_URL). */
  readonly cdnQueueUrl?: string;
  /** Cache-Control max-age of finished results and reports (THROUGHLINE_CDN_RESULTS_TTL_SECONDS / _REPORTS_). */
  readonly resultsTtlSeconds: number;
  readonly reportsTtlSeconds: number;
}

/** The cache's settings, local (THROUGHLINE_REDIS_URL) or on AWS (THROUGHLINE_CACHE_* from the stack). */
export function cacheConfig(env: Env): CacheConfig {
  const problems: string[] = [];
  const enabled = (env.THROUGHLINE_CACHE ?? 'on') !== 'off';
  if (!['on', 'off'].includes(env.THROUGHLINE_CACHE ?? 'on'))
    problems.push(`THROUGHLINE_CACHE=${JSON.stringify(env.THROUGHLINE_CACHE)}: "on" or "off"`);
  const diskMb = intVar(env, 'THROUGHLINE_CACHE_DISK_MB', 256, 1, 10_240, problems);
  let redis: CacheConfig['redis'];
  const url = env.THROUGHLINE_REDIS_URL;
  if (url) {
    if (!/^rediss?:\/\/[^\s]+$/.test(url) || !URL.canParse(url))
      problems.push('THROUGHLINE_REDIS_URL: a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
    else redis = { mode: 'standalone', url };
  }
  const endpoint = env.THROUGHLINE_CACHE_ENDPOINT;
  if (endpoint) {
    const m = /^([\w.-]+):(\d{1,5})$/.exec(endpoint);
    if (!m) problems.push(`THROUGHLINE_CACHE_ENDPOINT=${JSON.stringify(endpoint)}: host:port`);
    else
      redis = {
        mode: 'cluster',
        host: m[1] as string,
        port: Number(m[2]),
        tls: env.THROUGHLINE_CACHE_TLS === 'true',
      };
  }
  const config: CacheConfig = {
    enabled,
    diskMaxBytes: diskMb * 1024 * 1024,
    ...(redis ? { redis } : {}),
    ...(env.THROUGHLINE_CACHE_AUTH_SECRET_ARN
      ? { authSecretArn: env.THROUGHLINE_CACHE_AUTH_SECRET_ARN }
      : {}),
    ...(env.THROUGHLINE_CDN_QUEUE_URL ? { cdnQueueUrl: env.THROUGHLINE_CDN_QUEUE_URL } : {}),
    resultsTtlSeconds: intVar(env, 'THROUGHLINE_CDN_RESULTS_TTL_SECONDS', 3_600, 0, 31_536_000, problems),
    reportsTtlSeconds: intVar(env, 'THROUGHLINE_CDN_REPORTS_TTL_SECONDS', 3_600, 0, 31_536_000, problems),
  };
  if (problems.length > 0) fail(problems);
  return config;
}
