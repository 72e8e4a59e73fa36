// The `cache` block: the shared cache tier (ElastiCache for Valkey, cluster mode enabled) and the
// CloudFront distribution in front of finished results and reports (ADR 006). settings.ts composes it.
import { z } from 'zod';
import { MAX_CDN_TTL_SECONDS } from '../../lambdas/model/defaults';
import { REPLICA_LIMITS, SHARD_LIMITS } from './scaling-settings';

/** Valkey versions ElastiCache runs that this stack deploys (one default parameter group family each). */
export const VALKEY_VERSIONS = ['7.2', '8.0', '8.1'] as const;
export type ValkeyVersion = (typeof VALKEY_VERSIONS)[number];

/** CloudFront price classes: which edge locations serve the distribution. */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** A cluster-mode-enabled replication group holds at most 500 nodes (shards × (1 + replicas)). */
export const MAX_CACHE_NODES = 500;

const num = () => z.number({ error: 'must be a number' });
const count = (min: number, max: number) =>
  num()
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const CLOCK = '([01]\\d|2[0-3]):([0-5]\\d)';
const DAILY_WINDOW = new RegExp(`^${CLOCK}-${CLOCK}$`);
const WEEKLY_WINDOW = new RegExp(`^(${DAYS.join('|')}):${CLOCK}-(${DAYS.join('|')}):${CLOCK}$`);
const WEEK_MINUTES = 7 * 24 * 60;

/** A window as minutes of the week [start, end), end > start (a window may wrap past Saturday night). */
type Window = readonly [number, number];

/** `03:00-04:00` → minutes of the day (ElastiCache's daily snapshot window, UTC). */
export function dailyWindow(text: string): Window | undefined {
  const m = DAILY_WINDOW.exec(text);
  if (!m) return undefined;
  const [start, end] = [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
  return [start, end > start ? end : end + 24 * 60];
}

/** `sun:05:00-sun:06:00` → minutes of the week (ElastiCache's weekly maintenance window, UTC). */
export function weeklyWindow(text: string): Window | undefined {
  const m = WEEKLY_WINDOW.exec(text.toLowerCase());
  if (!m) return undefined;
  const at = (day: string | undefined, h: string | undefined, min: string | undefined) =>
    DAYS.indexOf(day as (typeof DAYS)[number]) * 24 * 60 + Number(h) * 60 + Number(min);
  const start = at(m[1], m[2], m[3]);
  const end = at(m[4], m[5], m[6]);
  return [start, end > start ? end : end + WEEK_MINUTES];
}

const length = ([start, end]: Window) => end - start;

/** Whether a daily window meets a weekly one on any day (both UTC). */
export function windowsOverlap(daily: Window, weekly: Window): boolean {
  for (let day = -1; day <= 7; day++) {
    const [s, e] = [daily[0] + day * 24 * 60, daily[1] + day * 24 * 60];
    for (const shift of [-WEEK_MINUTES, 0, WEEK_MINUTES])
      if (s < weekly[1] + shift && weekly[0] + shift < e) return true;
  }
  return false;
}

const HOST_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CERTIFICATE_ARN = /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]{1,128}$/;

const ttl = () => count(1, MAX_CDN_TTL_SECONDS);

const cdnSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    priceClass: z
      .enum(PRICE_CLASSES, { error: `must be one of ${PRICE_CLASSES.join(', ')}` })
      .default('PriceClass_100'),
    // Finished results never change unless a run is aggregated again, which invalidates them.
    resultsTtlSeconds: ttl().default(86_400),
    reportsTtlSeconds: ttl().default(604_800),
    domainNames: z
      .array(
        z
          .string({ error: 'must be a string' })
          .regex(HOST_NAME, { error: 'must be a lowercase host name such as "perf.example.com"' }),
        { error: 'must be an array of host names' },
      )
      .default([])
      .refine((names) => new Set(names).size === names.length, { error: 'must not name a host twice' }),
    certificateArn: z
      .string({ error: 'must be a string' })
      .regex(CERTIFICATE_ARN, {
        error:
          'must be the ARN of an ACM certificate in us-east-1 (the only region CloudFront takes them from)',
      })
      .optional(),
  })
  .prefault({})
  .check((ctx) => {
    const { domainNames, certificateArn } = ctx.value;
    if (domainNames.length > 0 !== (certificateArn !== undefined))
      ctx.issues.push({
        code: 'custom',
        continue: true,
        path: domainNames.length > 0 ? ['certificateArn'] : ['domainNames'],
        input: domainNames.length > 0 ? certificateArn : domainNames,
        message:
          'domainNames and certificateArn go together: CloudFront serves its own names only with a certificate that covers them',
      });
  });

export const cacheSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    nodeType: z
      .string({ error: 'must be a string' })
      .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, {
        error: 'must be an ElastiCache node type such as "cache.t4g.micro"',
      })
      .default('cache.t4g.micro'),
    shards: count(SHARD_LIMITS.min, SHARD_LIMITS.max).default(1),
    // Multi-AZ with automatic failover needs a replica in another Availability Zone.
    replicasPerShard: count(Math.max(REPLICA_LIMITS.min, 1), REPLICA_LIMITS.max).default(1),
    engineVersion: z
      .enum(VALKEY_VERSIONS, { error: `must be a Valkey version: ${VALKEY_VERSIONS.join(', ')}` })
      .default('8.1'),
    snapshotRetentionDays: count(0, 35).default(1),
    snapshotWindow: z
      .string({ error: 'must be a string' })
      .refine((w) => dailyWindow(w) !== undefined, { error: 'must be a UTC time range like "03:00-04:00"' })
      .default('03:00-04:00'),
    maintenanceWindow: z
      .string({ error: 'must be a string' })
      .refine((w) => weeklyWindow(w) !== undefined, {
        error: 'must be a UTC weekly range like "sun:05:00-sun:06:00"',
      })
      .default('sun:05:00-sun:06:00'),
    cdn: cdnSchema,
  })
  .prefault({})
  .check((ctx) => {
    const issue = (path: string, input: unknown, message: string) =>
      ctx.issues.push({ code: 'custom', continue: true, path: [path], input, message });
    const c = ctx.value;
    const nodes = c.shards * (1 + c.replicasPerShard);
    if (nodes > MAX_CACHE_NODES)
      issue(
        'shards',
        c.shards,
        `${c.shards} shards of ${1 + c.replicasPerShard} nodes make ${nodes} nodes; a replication group holds at most ${MAX_CACHE_NODES}`,
      );
    const snapshot = dailyWindow(c.snapshotWindow);
    const maintenance = weeklyWindow(c.maintenanceWindow);
    if (snapshot && length(snapshot) < 60)
      issue('snapshotWindow', c.snapshotWindow, 'must be at least 60 minutes long');
    if (maintenance && length(maintenance) < 60)
      issue('maintenanceWindow', c.maintenanceWindow, 'must be at least 60 minutes long');
    if (maintenance && length(maintenance) > 24 * 60)
      issue('maintenanceWindow', c.maintenanceWindow, 'must be at most 24 hours long');
    if (snapshot && maintenance && windowsOverlap(snapshot, maintenance))
      issue(
        'snapshotWindow',
        c.snapshotWindow,
        `must not overlap the maintenance window (${c.maintenanceWindow}): ElastiCache refuses overlapping windows`,
      );
  });

export type CacheSettings = z.infer<typeof cacheSchema>;
export type CdnSettings = CacheSettings['cdn'];
