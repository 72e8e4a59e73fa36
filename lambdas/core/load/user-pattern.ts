import { RE2JS } from 're2js';

/**
 * The regular expressions users write in test definitions (check `matches`, capture `regex`).
 * They run on the load generator's event loop against bodies the target chooses, so they use
 * RE2 (re2js, pure JavaScript): matching is linear in the text, never backtracking, where
 * JavaScript's RegExp took seconds on `^(a+)+$`. The price is RE2 syntax: no backreferences and
 * no lookaround. Everything about the engine stays in this file.
 */

/** Only this many leading characters of a body or header are matched (1 MiB of ASCII). */
export const MAX_MATCHED_CHARS = 1_048_576;

export interface UserPattern {
  /** Does the pattern occur in the text (searched, not anchored, like RegExp.test)? */
  test(text: string): boolean;
  /** The first match's groups (0 = whole match), undefined for a group that did not take part. */
  exec(text: string): readonly (string | undefined)[] | undefined;
}

/** Why RE2 refuses a pattern, or undefined when it compiles. */
export function userPatternProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    return `must be a linear-time RE2 regular expression (no backreferences or lookaround): ${reason}`;
  }
}

const cache = new Map<string, UserPattern>();

/** Compiles once per source; never throws (definitions were validated at submission). */
export function userPattern(source: string): UserPattern {
  let p = cache.get(source);
  if (!p) {
    p = compile(source);
    cache.set(source, p);
  }
  return p;
}

const capped = (text: string): string =>
  text.length > MAX_MATCHED_CHARS ? text.slice(0, MAX_MATCHED_CHARS) : text;

/**
 * A definition stored before RE2 was the engine may hold a pattern RE2 refuses (say `(a)\\1`):
 * it matches nothing, so its checks fail visibly in the results instead of killing the worker.
 */
const NEVER: UserPattern = { test: () => false, exec: () => undefined };

function compile(source: string): UserPattern {
  if (userPatternProblem(source) !== undefined) return NEVER;
  const re = RE2JS.compile(source);
  return {
    test: (text) => re.test(capped(text)),
    exec: (text) => {
      const m = re.matcher(capped(text));
      if (!m.find()) return undefined;
      return Array.from({ length: re.groupCount() + 1 }, (_, g) => m.group(g) ?? undefined);
    },
  };
}
