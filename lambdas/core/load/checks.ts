import type { Capture, Check } from '../../model/definition';
import type { HttpResult } from '../../ports/http';
import { userPattern } from './user-pattern';

/** Declarative checks and captures on a response. */

/** Reads "$.a.b[0].c" or "a.b.0.c" from a parsed JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  const parts = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  let at: unknown = value;
  for (const part of parts) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

class JsonBody {
  private parsed: unknown;
  private done = false;
  constructor(private readonly text: string) {}
  get value(): unknown {
    if (!this.done) {
      this.done = true;
      try {
        this.parsed = JSON.parse(this.text);
      } catch {
        this.parsed = undefined;
      }
    }
    return this.parsed;
  }
}

export function checkName(check: Check): string {
  if (check.name) return check.name;
  if ('status' in check)
    return `status ${Array.isArray(check.status) ? check.status.join('|') : check.status}`;
  if ('maxDuration' in check) return `duration < ${check.maxDuration}ms`;
  const subject =
    'header' in check ? `header ${check.header}` : 'json' in check ? `json ${check.json}` : 'body';
  const op = (['equals', 'contains', 'matches', 'exists', 'lt', 'gt'] as const).find(
    (k) => k in check && (check as Record<string, unknown>)[k] !== undefined,
  );
  return op
    ? `${subject} ${op} ${JSON.stringify((check as Record<string, unknown>)[op])}`
    : `${subject} exists`;
}

interface Matchers {
  equals?: string | number | boolean | null | undefined;
  contains?: string | undefined;
  matches?: string | undefined;
  exists?: boolean | undefined;
  lt?: number | undefined;
  gt?: number | undefined;
}

function matches(actual: unknown, m: Matchers): boolean {
  const present = actual !== undefined;
  if (m.exists !== undefined && m.exists !== present) return false;
  if (!present) return m.exists === false;
  const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
  if (m.equals !== undefined && actual !== m.equals && text !== String(m.equals)) return false;
  if (m.contains !== undefined && !text.includes(m.contains)) return false;
  if (m.matches !== undefined && !userPattern(m.matches).test(text)) return false;
  if (m.lt !== undefined && !(Number(actual) < m.lt)) return false;
  if (m.gt !== undefined && !(Number(actual) > m.gt)) return false;
  return true;
}

function statusOk(expected: number | readonly number[] | string, status: number): boolean {
  if (typeof expected === 'number') return status === expected;
  if (typeof expected === 'string') return Math.floor(status / 100) === Number(expected[0]);
  return expected.includes(status);
}

export function evaluateCheck(check: Check, res: HttpResult, durationMs: number, json: JsonBody): boolean {
  if ('status' in check) return statusOk(check.status, res.status);
  if ('maxDuration' in check) return res.status > 0 && durationMs <= check.maxDuration;
  if (res.status === 0) return false;
  if ('header' in check) return matches(res.headers[check.header.toLowerCase()], check);
  if ('json' in check) return matches(jsonPath(json.value, check.json), check);
  return matches(res.body, check);
}

export function capture(c: Capture, res: HttpResult, json: JsonBody): string | undefined {
  if ('header' in c) return res.headers[c.header.toLowerCase()];
  if ('json' in c) {
    const v = jsonPath(json.value, c.json);
    return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
  }
  const m = userPattern(c.regex).exec(res.body);
  return m ? (m[c.group ?? (m.length > 1 ? 1 : 0)] ?? undefined) : undefined;
}

export { JsonBody };
