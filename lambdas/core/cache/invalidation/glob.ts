/**
 * Redis's glob dialect (`*`, `?`, `[abc]`, `[^a-z]`, `\x`), so a pattern invalidation removes the
 * same keys from L1 as SCAN MATCH does from Valkey/Redis. It lives in core because L1 pattern
 * invalidation needs it and core imports no adapter.
 */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < pattern.length) out += escapeRegExp(pattern[++i] as string);
    else if (c === '[') {
      const end = closingBracket(pattern, i + 1);
      if (end < 0) out += '\\[';
      else {
        out += charClass(pattern.slice(i + 1, end));
        i = end;
      }
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`, 's');
}

/** A matcher for one pattern; plain keys and `prefix*` skip the RegExp (the common cases). */
export function globMatcher(pattern: string): (key: string) => boolean {
  if (!/[*?[\\]/.test(pattern)) return (key) => key === pattern;
  const prefix = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !/[*?[\\]/.test(prefix)) return (key) => key.startsWith(prefix);
  const re = globToRegExp(pattern);
  return (key) => re.test(key);
}

function closingBracket(pattern: string, from: number): number {
  for (let j = from; j < pattern.length; j++) {
    if (pattern[j] === '\\') j++;
    // `[]` is not a class: a `]` right after the opening bracket is a member.
    else if (pattern[j] === ']' && j > from) return j;
  }
  return -1;
}

function charClass(body: string): string {
  const negate = body.startsWith('^');
  let out = '';
  for (let k = negate ? 1 : 0; k < body.length; k++) {
    let lo = body[k] as string;
    if (lo === '\\' && k + 1 < body.length) lo = body[++k] as string;
    if (body[k + 1] === '-' && k + 2 < body.length) {
      k += 2;
      let hi = body[k] as string;
      if (hi === '\\' && k + 1 < body.length) hi = body[++k] as string;
      // Redis accepts reversed ranges ([z-a]); RegExp does not.
      out += lo <= hi ? `${escapeClass(lo)}-${escapeClass(hi)}` : `${escapeClass(hi)}-${escapeClass(lo)}`;
    } else out += escapeClass(lo);
  }
  return `[${negate ? '^' : ''}${out}]`;
}

const escapeRegExp = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const escapeClass = (c: string): string => c.replace(/[\]\\^-]/g, '\\$&');
