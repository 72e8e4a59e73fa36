import { z } from 'zod';
import { isValidPeriod, MAX_PERIOD_SECONDS, STATISTIC } from '../../core/observability/metric-window';
import { manualScalingBodySchema, scalingConfigBodySchema } from '../../core/scaling/validate';
import { SCALABLE_KINDS } from '../../model/scaling';
import { METRIC_GROUPS } from '../../ports/metrics';

/** Requests and responses of the metrics, alarms and scaling endpoints (OpenAPI is generated from them). */

/**
 * The forms parseInstant reads (core/observability/metric-window.ts), each as JSON Schema states it:
 * "now", "-" and a duration with units ("-90m", "-1h30m"), epoch milliseconds, an ISO 8601 time
 * with a zone (to the minute, second or fraction), or a date (midnight UTC).
 */
const INSTANT = 'an ISO 8601 time, epoch milliseconds, "now" or "-<duration>" such as "-3h"';
const instant = z.union(
  [
    z.literal('now'),
    z.string().regex(/^-(\d{1,12}(\.\d{1,6})?(ms|s|m|h)){1,4}$/),
    z.string().regex(/^\d{10,16}$/),
    z.iso.datetime({ offset: true }).max(64),
    z.iso.datetime({ offset: true, precision: -1 }),
    z.iso.date(),
  ],
  { error: INSTANT },
);
/** A query parameter that is a whole number in the schema: the decimal digits on the wire. */
const wholeNumber = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v), schema);

export const metricsQuerySchema = z.strictObject({
  start: instant.optional().describe(`${INSTANT} (default: 1 h before end)`),
  end: instant.optional().describe('same forms as start (default: now)'),
  period: wholeNumber(
    z
      .int()
      .min(1)
      .max(MAX_PERIOD_SECONDS)
      .refine(isValidPeriod, `seconds: 1, 5, 10, 30 or a multiple of 60 up to ${MAX_PERIOD_SECONDS}`)
      .meta({ anyOf: [{ enum: [1, 5, 10, 30] }, { multipleOf: 60 }] }),
  )
    .optional()
    .describe(
      'seconds: 1, 5, 10, 30 or a multiple of 60 (default: 60 on AWS, 10 locally, more if the window needs it)',
    ),
  stat: z
    .string()
    .regex(STATISTIC, 'Average, Minimum, Maximum, Sum, SampleCount or pNN such as p99 or p99.9')
    .optional()
    .describe('Average (default), Minimum, Maximum, Sum, SampleCount or pNN such as p99'),
});

export const metricGroupSchema = z.enum(METRIC_GROUPS);

const resource = z.object({ kind: z.string(), name: z.string(), owner: z.string() });
const source = z.enum(['cloudwatch', 'local']);

export const metricSeriesSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    resource,
    metric: z.string(),
    namespace: z.string().optional(),
    expression: z.string().optional(),
    unit: z.string(),
    stat: z.string(),
    periodSeconds: z.number(),
    points: z.array(z.object({ timestamp: z.iso.datetime(), value: z.number() })),
  })
  .meta({ id: 'MetricSeries' });

export const metricsAnswerSchema = z
  .object({
    source,
    group: metricGroupSchema,
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    periodSeconds: z.number(),
    stat: z.string(),
    series: z.array(metricSeriesSchema),
    warnings: z.array(z.string()),
    readAt: z.iso.datetime(),
  })
  .meta({ id: 'Metrics' });

const seriesSummary = z.object({
  id: z.string(),
  label: z.string(),
  resource,
  metric: z.string(),
  unit: z.string(),
  stat: z.string(),
  latest: z.number().nullable(),
  latestAt: z.iso.datetime().nullable(),
  minimum: z.number().nullable(),
  maximum: z.number().nullable(),
  points: z.number(),
});

export const metricsSummarySchema = z
  .object({
    source,
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    periodSeconds: z.number(),
    stat: z.string(),
    groups: z.object(
      Object.fromEntries(METRIC_GROUPS.map((g) => [g, z.array(seriesSummary)])) as Record<
        (typeof METRIC_GROUPS)[number],
        z.ZodArray<typeof seriesSummary>
      >,
    ),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'MetricsSummary' });

const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export const alarmsQuerySchema = z.strictObject({ state: z.enum(ALARM_STATES).optional() });
export const alarmsSchema = z
  .object({
    source,
    counts: z.record(z.enum(ALARM_STATES), z.number()),
    alarms: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['metric', 'composite', 'anomaly']),
        state: z.enum(ALARM_STATES),
        reason: z.string(),
        updatedAt: z.iso.datetime(),
        description: z.string().optional(),
        metric: z.string().optional(),
        threshold: z.number().optional(),
        comparison: z.string().optional(),
        actionsEnabled: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Alarms' });

const activity = z.object({
  id: z.string(),
  target: z.string(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  status: z.string(),
  cause: z.string(),
  description: z.string(),
  statusMessage: z.string().optional(),
  notScaledReasons: z.array(z.object({ code: z.string() }).loose()).optional(),
});

const schedule = z.object({
  name: z.string(),
  schedule: z.string(),
  timezone: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const scalableTargetSchema = z
  .object({
    id: z.string(),
    kind: z.enum(SCALABLE_KINDS),
    serviceNamespace: z.string().optional(),
    resourceId: z.string().optional(),
    scalableDimension: z.string().optional(),
    current: z.number().nullable(),
    desired: z.number().nullable(),
    min: z.number(),
    max: z.number(),
    limits: z.object({ min: z.number(), max: z.number() }),
    suspended: z.boolean(),
    policies: z.array(z.object({ name: z.string(), type: z.string() }).loose()),
    schedules: z.array(schedule),
    activitiesInProgress: z.array(activity),
    warnings: z.array(z.string()).optional(),
  })
  .meta({ id: 'ScalableTarget' });

export const scalingStatusSchema = z
  .object({ source: z.enum(['application-autoscaling', 'local']), targets: z.array(scalableTargetSchema) })
  .meta({ id: 'ScalingStatus' });

const journalEntry = z.object({
  id: z.string(),
  target: z.string(),
  at: z.iso.datetime(),
  action: z.enum(['manual', 'config']),
  actor: z.string(),
  reason: z.string().optional(),
  capacity: z.number().optional(),
  change: z.record(z.string(), z.unknown()).optional(),
  before: z.object({ min: z.number(), max: z.number(), current: z.number().nullable() }),
});

export const scalingChangeSchema = z
  .object({ target: scalableTargetSchema, recorded: journalEntry, warnings: z.array(z.string()).optional() })
  .meta({ id: 'ScalingChange' });

export const scalingConfigSchema = scalingConfigBodySchema.meta({
  id: 'ScalingConfig',
  description: 'min/max (and, for AWS targets, target value, cooldowns and schedules); ends a manual hold',
});
export const manualScalingSchema = manualScalingBodySchema.meta({
  id: 'ManualScaling',
  description:
    'Set the capacity now and hold it (min = max) until the next configuration; the reason is recorded',
});

export const scalingHistoryQuerySchema = z.strictObject({
  target: z.string().max(64).optional(),
  from: instant.optional().describe(`${INSTANT} (default: 6 weeks ago)`),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const scalingHistorySchema = z
  .object({
    items: z.array(
      z
        .object({
          source: z.enum(['autoscaling', 'manual', 'config']),
          target: z.string(),
          at: z.iso.datetime(),
          id: z.string(),
        })
        .loose(),
    ),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ScalingHistory' });
