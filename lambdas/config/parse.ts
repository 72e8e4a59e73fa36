import { ThroughlineError } from '../model/errors';

/**
 * The readers every configuration shares. Each collects its problems instead of throwing, so that
 * one ConfigError names every bad variable at once.
 */

/** Thrown when the environment is invalid; `details.problems` lists every problem the message names. */
export class ConfigError extends ThroughlineError {
  constructor(problems: readonly string[]) {
    super('E_CONFIG', `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      details: { problems },
    });
    this.name = 'ConfigError';
  }
}

/** Environment variables as Node gives them (process.env) or a test hands them over. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where the readers record what is wrong. */
export type Problems = string[];

/** One ConfigError naming every problem found. */
export function fail(problems: Problems): never {
  throw new ConfigError(problems);
}

/** A variable that must be set (and not empty). */
export function requiredVar(env: Env, name: string, problems: Problems): string {
  const v = env[name];
  if (!v) problems.push(`${name} is not set`);
  return v ?? '';
}

/** A whole number in [min, max]; unset or empty: `fallback`. */
export function intVar(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: Problems,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.push(`${name}=${JSON.stringify(raw)}: a whole number from ${min} to ${max}`);
  return fallback;
}

/** What jsonVar needs of a (zod) schema. */
interface SafeParser<T> {
  safeParse(
    v: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** A JSON variable checked against a schema; every issue is named with the variable's path. */
export function jsonVar<T>(
  env: Env,
  name: string,
  schema: SafeParser<T>,
  fallback: T,
  problems: Problems,
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
