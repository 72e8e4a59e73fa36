import { z } from 'zod';
import type { ScalableTargetRef } from '../../model/scaling';
import type { ScalableTargetStatus, ScalingConfigChange } from '../../ports/scaling';
import { TARGET_VALUE_RANGE } from './targets';

/** Requests of the scaling API and their checks against the target's limits (every problem listed). */

/** Application Auto Scaling's schedule forms: at(…) once, rate(…) repeating, cron(6 fields). */
const SCHEDULE =
  /^(at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/;
/** A day: longer cooldowns only stall scaling. */
const MAX_COOLDOWN_SECONDS = 86_400;

const capacity = z.int().min(0).max(100_000);
export const scheduleSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, { error: '1–200 letters, digits, "-" or "_"' }),
  schedule: z.string().regex(SCHEDULE, {
    error:
      'at(yyyy-mm-ddThh:mm:ss), rate(N minutes|hours|days) or cron(minutes hours day month weekday year)',
  }),
  timezone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { error: 'an IANA time zone such as Europe/Paris' })
    .optional(),
  min: capacity.optional(),
  max: capacity.optional(),
});

export const scalingConfigBodySchema = z.strictObject({
  target: z.string().min(1).max(64),
  min: capacity.optional(),
  max: capacity.optional(),
  targetValue: z.number().positive().optional(),
  scaleInCooldownSeconds: z.int().min(0).max(MAX_COOLDOWN_SECONDS).optional(),
  scaleOutCooldownSeconds: z.int().min(0).max(MAX_COOLDOWN_SECONDS).optional(),
  schedules: z.array(scheduleSchema).max(50).optional(),
  reason: z.string().min(1).max(500).optional(),
});
export type ScalingConfigBody = z.infer<typeof scalingConfigBodySchema>;

export const manualScalingBodySchema = z.strictObject({
  target: z.string().min(1).max(64),
  capacity,
  reason: z.string().trim().min(1, { error: 'say why: it is recorded in the scaling history' }).max(500),
});
export type ManualScalingBody = z.infer<typeof manualScalingBodySchema>;

/** Problems of a configuration change for this target, given its present min/max. */
export function configProblems(
  target: ScalableTargetRef,
  current: Pick<ScalableTargetStatus, 'min' | 'max'>,
  body: ScalingConfigChange,
): string[] {
  const problems: string[] = [];
  const { limits } = target;
  const min = body.min ?? current.min;
  const max = body.max ?? current.max;
  const within = (name: string, v: number | undefined) => {
    if (v !== undefined && (v < limits.min || v > limits.max))
      problems.push(`${name}: ${v} is outside ${target.id}'s limits ${limits.min}–${limits.max}`);
  };
  within('min', body.min);
  within('max', body.max);
  if (min > max) problems.push(`min (${min}) is greater than max (${max})`);
  const hasPolicyFields =
    body.targetValue !== undefined ||
    body.scaleInCooldownSeconds !== undefined ||
    body.scaleOutCooldownSeconds !== undefined;
  const range = TARGET_VALUE_RANGE[target.kind];
  if (hasPolicyFields && !range)
    problems.push(
      `${target.id} has no target-tracking policy: only min, max${target.kind === 'local-workers' ? '' : ' and schedules'} can be set`,
    );
  if (body.targetValue !== undefined && range && (body.targetValue < range[0] || body.targetValue > range[1]))
    problems.push(
      `targetValue: ${body.targetValue} is outside ${range[0]}–${range[1]}, the range AWS accepts for ${target.kind}`,
    );
  if (body.schedules !== undefined && target.kind === 'local-workers')
    problems.push('local-workers has no scheduler: schedules apply to AWS targets only');
  const names = new Set<string>();
  for (const [i, s] of (body.schedules ?? []).entries()) {
    if (names.has(s.name)) problems.push(`schedules[${i}].name: "${s.name}" is used twice`);
    names.add(s.name);
    if (s.min === undefined && s.max === undefined) problems.push(`schedules[${i}]: set min, max or both`);
    within(`schedules[${i}].min`, s.min);
    within(`schedules[${i}].max`, s.max);
    if (s.min !== undefined && s.max !== undefined && s.min > s.max)
      problems.push(`schedules[${i}]: min (${s.min}) is greater than max (${s.max})`);
  }
  return problems;
}

/** The change a backend applies: the body without its target and reason, and without absent fields. */
export function toChange(body: ScalingConfigBody): ScalingConfigChange {
  const { target: _t, reason: _r, ...change } = body;
  const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    ...defined(change),
    ...(change.schedules ? { schedules: change.schedules.map(defined) } : {}),
  } as unknown as ScalingConfigChange;
}
