import type { z } from 'zod';
import type { ScalableTargetRef } from '../../model/scaling';
import type { Clock } from '../../ports/clock';
import type { Log } from '../../ports/log';
import type { Notifier } from '../../ports/notifier';
import type {
  ScalableTargetStatus,
  ScalingActivity,
  ScalingBackend,
  ScalingJournal,
  ScalingJournalEntry,
} from '../../ports/scaling';
import { PlatformError } from '../tests/errors';
import { configProblems, manualScalingBodySchema, scalingConfigBodySchema, toChange } from './validate';

/** The scaling API's use cases: status, configuration, manual capacity (recorded), history. */

export interface ScalingDeps {
  readonly backend: ScalingBackend;
  readonly journal: ScalingJournal;
  readonly targets: readonly ScalableTargetRef[];
  readonly clock: Clock;
  readonly newId: () => string;
  /** Manual changes are announced here when set (best effort: the journal is the record). */
  readonly notifier?: Notifier | undefined;
  readonly log: Log;
}

export type HistoryItem =
  | ({ readonly source: 'autoscaling'; readonly at: string } & ScalingActivity)
  | ({ readonly source: 'manual' | 'config' } & Omit<ScalingJournalEntry, 'action'>);

/** Application Auto Scaling keeps six weeks of activities. */
export const HISTORY_DEFAULT_MS = 42 * 86_400_000;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new PlatformError('E_INVALID_REQUEST', 'invalid scaling request', {
    problems: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
  });
}

function targetOf(deps: ScalingDeps, id: string): ScalableTargetRef {
  const target = deps.targets.find((t) => t.id === id);
  if (!target)
    throw new PlatformError('E_SCALING_TARGET_NOT_FOUND', `no scalable target ${JSON.stringify(id)}`, {
      targets: deps.targets.map((t) => t.id),
    });
  return target;
}

async function statusOf(deps: ScalingDeps, target: ScalableTargetRef): Promise<ScalableTargetStatus> {
  const [status] = await deps.backend.status([target]);
  if (!status) throw new Error(`${deps.backend.source} returned no status for ${target.id}`);
  return status;
}

export async function scalingStatus(deps: ScalingDeps) {
  return { source: deps.backend.source, targets: await deps.backend.status(deps.targets) };
}

export async function configureScaling(deps: ScalingDeps, body: unknown, actor: string) {
  const request = parse(scalingConfigBodySchema, body);
  const target = targetOf(deps, request.target);
  const requestedAt = new Date(deps.clock.now()).toISOString();
  const before = await statusOf(deps, target);
  const change = { ...toChange(request), ...(await rangeAfterHold(deps, target, before, request)) };
  const problems = configProblems(target, before, change);
  if (problems.length > 0)
    throw new PlatformError('E_INVALID_REQUEST', `invalid configuration for ${target.id}`, { problems });
  const after = await deps.backend.configure(target, change);
  const entry: ScalingJournalEntry = {
    id: deps.newId(),
    target: target.id,
    // When it was asked: the activities it caused come after it.
    at: requestedAt,
    action: 'config',
    actor,
    ...(request.reason ? { reason: request.reason } : {}),
    change,
    before: { min: before.min, max: before.max, current: before.current },
  };
  await deps.journal.record(entry);
  return { target: after, recorded: entry };
}

/**
 * A configuration ends a manual hold (min = max). Neither AWS nor the hold remembers the range it
 * replaced, so a side the request leaves out comes back from the journal entry of that hold.
 */
async function rangeAfterHold(
  deps: ScalingDeps,
  target: ScalableTargetRef,
  before: ScalableTargetStatus,
  request: { readonly min?: number | undefined; readonly max?: number | undefined },
): Promise<{ min?: number; max?: number }> {
  if (!before.suspended || (request.min !== undefined && request.max !== undefined)) return {};
  const [hold] = (await deps.journal.list({ target: target.id, limit: 50 })).filter(
    (e) => e.action === 'manual',
  );
  if (!hold)
    throw new PlatformError('E_INVALID_REQUEST', `invalid configuration for ${target.id}`, {
      problems: [
        `${target.id} holds a manual capacity and its earlier range is not recorded: give min and max`,
      ],
    });
  return {
    ...(request.min === undefined ? { min: hold.before.min } : {}),
    ...(request.max === undefined ? { max: hold.before.max } : {}),
  };
}

export async function manualScaling(deps: ScalingDeps, body: unknown, actor: string) {
  const request = parse(manualScalingBodySchema, body);
  const target = targetOf(deps, request.target);
  const { limits } = target;
  if (request.capacity < limits.min || request.capacity > limits.max)
    throw new PlatformError('E_INVALID_REQUEST', `invalid capacity for ${target.id}`, {
      problems: [
        `capacity: ${request.capacity} is outside ${target.id}'s limits ${limits.min}–${limits.max}`,
      ],
    });
  const requestedAt = new Date(deps.clock.now()).toISOString();
  const before = await statusOf(deps, target);
  const after = await deps.backend.setCapacity(target, request.capacity);
  const entry: ScalingJournalEntry = {
    id: deps.newId(),
    target: target.id,
    // When it was asked: the activities it caused come after it.
    at: requestedAt,
    action: 'manual',
    actor,
    reason: request.reason,
    capacity: request.capacity,
    before: { min: before.min, max: before.max, current: before.current },
  };
  await deps.journal.record(entry);
  const warnings: string[] = [];
  if (deps.notifier)
    await deps.notifier
      .publish(
        `Throughline: ${target.id} set to ${request.capacity} by hand`,
        `${actor} set ${target.id} to ${request.capacity} (was ${before.current ?? 'unknown'}, range ${before.min}–${before.max}).\nReason: ${request.reason}\nThe capacity holds (min = max = ${request.capacity}) until PUT /performance/scaling/config sets a range again.`,
      )
      .catch((err: unknown) => {
        deps.log.error('manual scaling notice not sent', { target: target.id, error: String(err) });
        warnings.push('the notification could not be sent; the change is recorded in the history');
      });
  return { target: after, recorded: entry, warnings };
}

export async function scalingHistory(
  deps: ScalingDeps,
  query: {
    readonly target?: string | undefined;
    readonly fromMs?: number | undefined;
    readonly limit: number;
  },
) {
  const targets = query.target ? [targetOf(deps, query.target)] : deps.targets;
  const fromMs = query.fromMs ?? deps.clock.now() - HISTORY_DEFAULT_MS;
  const warnings: string[] = [];
  const [activities, entries] = await Promise.all([
    Promise.all(
      targets.map((t) =>
        deps.backend.activities(t, { fromMs, limit: query.limit }).catch((err: unknown) => {
          warnings.push(
            `activities of ${t.id} could not be read: ${err instanceof Error ? err.message : String(err)}`,
          );
          return [] as ScalingActivity[];
        }),
      ),
    ),
    deps.journal.list({ ...(query.target ? { target: query.target } : {}), fromMs, limit: query.limit }),
  ]);
  const items: HistoryItem[] = [
    ...activities.flat().map((a) => ({ source: 'autoscaling' as const, at: a.startedAt, ...a })),
    ...entries.map(({ action, ...e }) => ({ source: action, ...e })),
  ];
  // Newest first; in the same millisecond an activity follows the request that caused it.
  const rank = (i: HistoryItem) => (i.source === 'autoscaling' ? 0 : 1);
  items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || rank(a) - rank(b));
  return { items: items.slice(0, query.limit), warnings };
}
