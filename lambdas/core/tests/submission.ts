import { z } from 'zod';
import {
  baselineSchema,
  httpUrlSchema,
  InvalidDefinitionError,
  tagsSchema,
  UNPROCESSABLE,
} from '../../model/definition';
import { parseDuration } from '../../model/duration';
import { MAX_DURATION_MS, POSITIVE_DURATION_PATTERN } from '../../model/json-schema';
import { PRESET_NAMES, presetDefinition } from '../load/presets';

/** `POST /tests` with `{"preset": …}` instead of a full definition. */
export const presetSubmissionSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES),
  /** Full http(s) URL the preset loads. */
  target: httpUrlSchema,
  vus: z.int().min(1).max(1_000_000).optional(),
  /** Total duration, "90s" / "10m" or milliseconds. */
  duration: z
    .union([z.string(), z.number().int().positive()])
    .meta({
      anyOf: [
        { type: 'string', pattern: POSITIVE_DURATION_PATTERN },
        { type: 'integer', minimum: 1, maximum: MAX_DURATION_MS },
      ],
    })
    .optional(),
  rate: z.number().positive().max(10_000_000).optional(),
  name: z.string().min(1).max(128).optional(),
  tags: tagsSchema.optional(),
  baseline: baselineSchema.optional(),
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
  if (durationMs !== undefined && durationMs > MAX_DURATION_MS)
    throw new InvalidDefinitionError(
      [
        {
          path: 'duration',
          message: `${JSON.stringify(parsed.data.duration)} is longer than 24 days, the longest we schedule`,
        },
      ],
      UNPROCESSABLE,
    );
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
