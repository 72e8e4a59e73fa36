import type { Check, RequestStep } from '../../model/definition';
import { ThroughlineError } from '../../model/errors';
import { headerValueProblem } from '../../model/headers';
import type { HttpRequest } from '../../ports/http';
import { checkName } from './checks';

/** Request steps compiled once; `${name}` placeholders are filled from the VU's variables per send. */

const PLACEHOLDER = /\$\{(\w+)\}/g;
const hasPlaceholder = (text: string) => text.includes('${');
export type Vars = Readonly<Record<string, string>>;

export const fill = (text: string, vars: Vars): string =>
  hasPlaceholder(text) ? text.replace(PLACEHOLDER, (whole, name: string) => vars[name] ?? whole) : text;

/**
 * A request's name when it has none: method and where it goes, without the query string (tokens,
 * ids: one series per value, and secrets in reports) or credentials in the authority.
 */
export function defaultName(method: string, target: string): string {
  const noQuery = target.replace(/[?#].*$/s, '');
  return `${method} ${noQuery.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/]*@/i, '$1')}`;
}

/** Thrown for a request that cannot be sent as filled; the iteration counts it as failed ("other"). */
export class UnsendableRequestError extends ThroughlineError {
  declare readonly code: 'E_UNSENDABLE_REQUEST';
  constructor(message: string) {
    super('E_UNSENDABLE_REQUEST', message);
    this.name = 'UnsendableRequestError';
  }
}

export interface CompiledStep {
  readonly step: RequestStep;
  readonly name: string;
  readonly method: string;
  /** Checks or captures read the body. */
  readonly needsBody: boolean;
  readonly checks: readonly { readonly check: Check; readonly name: string }[];
  request(vars: Vars): HttpRequest;
}

export interface CompileOptions {
  readonly baseUrl: string | undefined;
  readonly timeoutMs: number;
}

function bodyOf(step: RequestStep): { body: string | undefined; json: boolean } {
  if (step.body === undefined || step.body === null) return { body: undefined, json: false };
  if (typeof step.body === 'string') return { body: step.body, json: false };
  return { body: JSON.stringify(step.body), json: true };
}

export function compileStep(step: RequestStep, options: CompileOptions): CompiledStep {
  const method = step.method ?? (step.body === undefined ? 'GET' : 'POST');
  const { body, json } = bodyOf(step);
  const headers: Record<string, string> = { ...(step.headers ?? {}) };
  if (json && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const queryPairs = Object.entries(step.query ?? {}).map(([k, v]) => [k, String(v)] as const);
  // Placeholders are filled before encoding, so a captured value lands in the query encoded once.
  const query = (vars: Vars) =>
    queryPairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(fill(v, vars))}`).join('&');
  const target = step.url ?? `${(options.baseUrl ?? '').replace(/\/$/, '')}${step.path ?? '/'}`;
  const href = (vars: Vars) => {
    const q = query(vars);
    const base = fill(target, vars);
    return q === '' ? base : `${base}${base.includes('?') ? '&' : '?'}${q}`;
  };
  const timeoutMs = step.timeout ?? options.timeoutMs;
  const readsBody =
    (step.checks ?? []).some((c) => 'body' in c || 'json' in c) ||
    Object.values(step.capture ?? {}).some((c) => 'json' in c || 'regex' in c);
  // Bodies are only ever kept when a check or capture reads them (k6's discardResponseBodies is implied).
  const needsBody = readsBody;
  const name = step.name ?? defaultName(method, step.path ?? step.url ?? '/');
  // Literal header text was checked at validation; a filled-in value (a capture) is checked per send.
  const templated = Object.entries(headers).filter(([, v]) => hasPlaceholder(v));

  const dynamic =
    hasPlaceholder(target) ||
    queryPairs.some(([, v]) => hasPlaceholder(v)) ||
    (body !== undefined && hasPlaceholder(body)) ||
    Object.values(headers).some(hasPlaceholder);
  const build = (vars: Vars): HttpRequest => {
    const filledHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) filledHeaders[k] = fill(v, vars);
    for (const [k] of templated) {
      const problem = headerValueProblem(filledHeaders[k] as string);
      if (problem) throw new UnsendableRequestError(`header ${k} ${problem}`);
    }
    const filledBody = body === undefined ? undefined : fill(body, vars);
    return {
      method,
      url: new URL(href(vars)),
      headers: filledHeaders,
      ...(filledBody === undefined ? {} : { body: filledBody }),
      timeoutMs,
      keepBody: needsBody,
    };
  };
  const fixed = dynamic ? undefined : build({});
  const checks = (step.checks ?? []).map((check) => ({ check, name: checkName(check) }));
  return { step, name, method, needsBody, checks, request: fixed ? () => fixed : build };
}
