import { CacheError, type CacheProblem, describeValue } from './cache-error';

/** Per-entry options of set(), getOrSet() and warm(); each falls back to the cache's default. */
export interface EntryOptions {
  /** Time to live (fresh). */
  readonly ttlMs?: number;
  /** Grace after expiry in which the stale value may be served. */
  readonly graceMs?: number;
  /** Invalidate with invalidate({ tags }). */
  readonly tags?: readonly string[];
  /** Keys this entry was computed from: invalidating (or set()ting) any of them invalidates it. */
  readonly dependsOn?: readonly string[];
}

export interface ResolvedEntryOptions {
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly tags: readonly string[];
  readonly dependsOn: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

/** Checks a call's key and options; the common call (no options) allocates nothing. */
export function resolveEntryOptions(
  key: string,
  options: EntryOptions | undefined,
  defaults: ResolvedEntryOptions,
): ResolvedEntryOptions {
  const problems: CacheProblem[] = [];
  if (typeof key !== 'string' || key.length === 0) {
    problems.push({ path: 'key', message: `must be a non-empty string, got ${describeValue(key)}` });
  }
  if (options === undefined) {
    if (problems.length > 0) throw invalid(problems);
    return defaults;
  }
  const { ttlMs, graceMs, tags, dependsOn } = options;
  if (ttlMs !== undefined && !(ttlMs > 0 && ttlMs < Number.POSITIVE_INFINITY)) {
    problems.push({ path: 'ttlMs', message: `must be a number > 0, got ${describeValue(ttlMs)}` });
  }
  if (graceMs !== undefined && !(graceMs >= 0 && graceMs < Number.POSITIVE_INFINITY)) {
    problems.push({ path: 'graceMs', message: `must be a number ≥ 0, got ${describeValue(graceMs)}` });
  }
  for (const [path, list] of [
    ['tags', tags],
    ['dependsOn', dependsOn],
  ] as const) {
    if (
      list !== undefined &&
      !(Array.isArray(list) && list.every((v) => typeof v === 'string' && v.length > 0))
    ) {
      problems.push({ path, message: 'must be an array of non-empty strings' });
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    ttlMs: ttlMs ?? defaults.ttlMs,
    graceMs: graceMs ?? defaults.graceMs,
    tags: tags === undefined || tags.length === 0 ? NONE : [...new Set(tags)],
    dependsOn: dependsOn === undefined || dependsOn.length === 0 ? NONE : [...new Set(dependsOn)],
  };
}

function invalid(problems: readonly CacheProblem[]): CacheError {
  const text = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return new CacheError('E_CACHE_INVALID_ARGUMENT', `invalid cache call: ${text}`, { details: problems });
}
