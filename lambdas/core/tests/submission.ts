import { z } from 'zod';
import { InvalidDefinitionError } from '../../model/definition';
import { parseDuration } from '../../model/duration';
import { PRESET_NAMES, presetDefinition } from '../load/presets';

/** `POST /tests` with `{"preset": …}` instead of a full definition. */
export const presetSubmissionSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES),
  /** Full http(s) URL the preset loads. */
  target: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  vus: z.int().min(1).max(1_000_000).optional(),
  /** Total duration, "90s" / "10m" or milliseconds. */
  duration: z.union([z.string(), z.number().int().positive()]).optional(),
  rate: z.number().positive().max(10_000_000).optional(),
  name: z.string().min(1).max(128).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  baseline: z.string().optional(),
  regression: z.enum(['warn', 'fail']).optional(),
});
export type PresetSubmission = z.input<typeof presetSubmissionSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns a submission into the raw definition that is stored and sent to workers: a definition is
 * kept as given; a preset request is expanded. Every problem is reported at once.
 */
export function definitionFromSubmission(body: unknown): unknown {
  if (!isObject(body) || !('preset' in body)) return body;
  const parsed = presetSubmissionSchema.safeParse(body);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const durationMs = parsed.data?.duration === undefined ? undefined : parseDuration(parsed.data.duration);
  if (parsed.data?.duration !== undefined && !durationMs)
    problems.push({ path: 'duration', message: `${JSON.stringify(parsed.data.duration)} is not a duration` });
  if (!parsed.success || problems.length > 0) throw new InvalidDefinitionError(problems);
  const { preset, target, vus, rate, name, tags, baseline, regression } = parsed.data;
  return {
    ...presetDefinition(preset, {
      target,
      ...(vus === undefined ? {} : { vus }),
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(rate === undefined ? {} : { rate }),
    }),
    ...(name === undefined ? {} : { name }),
    ...(tags === undefined ? {} : { tags }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(regression === undefined ? {} : { regression }),
  };
}
