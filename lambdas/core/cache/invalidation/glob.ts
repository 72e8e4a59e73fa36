import { CacheError } from '../tiers/cache-error';

/**
 * Redis's glob dialect (`*`, `?`, `[abc]`, `[^a-z]`, `\x`), so a pattern invalidation removes the
 * same keys from L1 as SCAN MATCH does from Valkey/Redis. It lives in core because L1 pattern
 * invalidation needs it and core imports no adapter.
 *
 * Patterns come from API callers and from every instance over pub/sub, so they are matched
 * without a backtracking RegExp (`*?*?*?*?*?*?#` took seconds per key that way): the pattern is
 * compiled to one-character tokens and stars, and matched with the classic two-pointer wildcard
 * algorithm. On a mismatch it only ever resumes from the LAST star, so the work is at most
 * pattern length × key length, never exponential; MAX_GLOB_LENGTH bounds the first factor.
 */

/** The longest glob accepted (the API's limit too); longer ones are refused, never matched. */
export const MAX_GLOB_LENGTH = 1_024;

/** One key character against one pattern position. */
type Token = { readonly kind: 'star' } | { readonly kind: 'one'; readonly test: (c: string) => boolean };

const STAR: Token = { kind: 'star' };
const ANY: Token = { kind: 'one', test: () => true };

/** A matcher for one pattern; plain keys and `prefix*` skip the token matcher (the common cases). */
export function globMatcher(pattern: string): (key: string) => boolean {
  if (pattern.length > MAX_GLOB_LENGTH)
    throw new CacheError(
      'E_CACHE_INVALID_ARGUMENT',
      `a glob pattern is at most ${MAX_GLOB_LENGTH} characters (got ${pattern.length})`,
    );
  if (!/[*?[\\]/.test(pattern)) return (key) => key === pattern;
  const prefix = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !/[*?[\\]/.test(prefix)) return (key) => key.startsWith(prefix);
  const tokens = compile(pattern);
  const minLength = tokens.filter((t) => t.kind === 'one').length;
  return (key) => key.length >= minLength && matchTokens(tokens, key);
}

/** Two-pointer wildcard match over UTF-16 code units (what the RegExp it replaced matched). */
function matchTokens(tokens: readonly Token[], key: string): boolean {
  let t = 0;
  let k = 0;
  let star = -1; // token index just after the last star seen
  let resume = 0; // key index that star is currently standing for up to
  while (k < key.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      star = ++t;
      resume = k;
    } else if (token?.test(key[k] as string)) {
      t++;
      k++;
    } else if (star >= 0) {
      t = star;
      k = ++resume;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      // Consecutive stars are one star; keeping one keeps the resume point unique.
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (c === '?') tokens.push(ANY);
    else if (c === '\\' && i + 1 < pattern.length) tokens.push(literal(pattern[++i] as string));
    else if (c === '[') {
      const end = closingBracket(pattern, i + 1);
      if (end < 0) tokens.push(literal('['));
      else {
        tokens.push(charClass(pattern.slice(i + 1, end)));
        i = end;
      }
    } else tokens.push(literal(c));
  }
  return tokens;
}

const literal = (c: string): Token => ({ kind: 'one', test: (x) => x === c });

function closingBracket(pattern: string, from: number): number {
  for (let j = from; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    // `[]` is not a class: a `]` right after the opening bracket is a member.
    else if (pattern[j] === ']' && j > from) return j;
  }
  return -1;
}

function charClass(body: string): Token {
  const negate = body.startsWith('^');
  const ranges: [string, string][] = [];
  for (let k = negate ? 1 : 0; k < body.length; k++) {
    let lo = body[k] as string;
    if (lo === '\\' && k + 1 < body.length) lo = body[++k] as string;
    if (body[k + 1] === '-' && k + 2 < body.length) {
      k += 2;
      let hi = body[k] as string;
      if (hi === '\\' && k + 1 < body.length) hi = body[++k] as string;
      // Redis accepts reversed ranges ([z-a]) as the same range.
      ranges.push(lo <= hi ? [lo, hi] : [hi, lo]);
    } else ranges.push([lo, lo]);
  }
  return { kind: 'one', test: (c) => ranges.some(([lo, hi]) => lo <= c && c <= hi) !== negate };
}
