import type { z } from 'zod';
import type { ValidDefinition } from '../../model/definition';
import {
  type DefinitionProblem,
  type Flow,
  formatPath,
  InvalidDefinitionError,
  type Scenario,
  type ThresholdSpec,
  testDefinitionSchema,
  UNPROCESSABLE,
} from '../../model/definition';
import { parseThresholds } from './thresholds';
import { userPatternProblem } from './user-pattern';

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What is wrong with a user regular expression, checked with the engine that will run it. */
const regexProblem = (source: unknown): string | undefined =>
  typeof source === 'string' ? userPatternProblem(source) : undefined; // the schema reports wrong types

/**
 * Credentials in a URL would be copied into request names, results and CSV files (and the transport
 * never sends them anyway): they belong in an Authorization header.
 */
const USERINFO =
  'must not contain a user name or password ("user:pass@"); send credentials in an "Authorization" header';
const hasUserinfo = (url: URL) => url.username !== '' || url.password !== '';

/** Checks across fields that the schema cannot express; works on raw input so it runs even when the schema fails. */
function checkRequest(
  step: unknown,
  path: string,
  hasBaseUrl: boolean,
  { problems, unprocessable }: Found,
): void {
  if (!isObject(step)) return;
  if (step.path !== undefined && step.url !== undefined)
    problems.push({ path, message: 'give exactly one of "path" or "url"' });
  else if (step.path === undefined && step.url === undefined)
    problems.push({ path, message: 'give exactly one of "path" or "url"' });
  if (step.path !== undefined && !hasBaseUrl)
    problems.push({ path: `${path}.path`, message: 'a relative "path" needs a top-level "baseUrl"' });
  if (typeof step.url === 'string' && !step.url.startsWith('${')) {
    // A placeholder may stand for any part; whatever it becomes, the rest must still make a URL.
    // (One that opens the URL may hold a whole base URL: only the worker can check that.)
    let url: URL | undefined;
    try {
      url = new URL(step.url.replace(/\$\{[^}]*\}/g, 'x'));
    } catch {}
    if (!url || !/^https?:$/.test(url.protocol))
      problems.push({
        path: `${path}.url`,
        message: `${JSON.stringify(step.url)} is not an http:// or https:// URL`,
      });
    else if (hasUserinfo(url)) problems.push({ path: `${path}.url`, message: USERINFO });
  }
  for (const [i, check] of list(step.checks).entries()) {
    const message = isObject(check) ? regexProblem(check.matches) : undefined;
    if (message) unprocessable.push({ path: `${path}.checks[${i}].matches`, message });
  }
  for (const [name, capture] of Object.entries(isObject(step.capture) ? step.capture : {})) {
    const message = isObject(capture) ? regexProblem(capture.regex) : undefined;
    if (message) unprocessable.push({ path: `${path}.capture.${name}.regex`, message });
  }
}

/**
 * Problems found. `unprocessable`: rules the published JSON Schema cannot state (a regular expression
 * RE2 compiles, one field bounded by another); every other rule is in the schema too.
 */
interface Found {
  readonly problems: DefinitionProblem[];
  readonly unprocessable: DefinitionProblem[];
}

function crossChecks(input: unknown, found: Found): void {
  const { problems, unprocessable } = found;
  if (!isObject(input) || !isObject(input.scenarios)) return;
  const hasBaseUrl = input.baseUrl !== undefined;
  if (typeof input.baseUrl === 'string' && URL.canParse(input.baseUrl) && hasUserinfo(new URL(input.baseUrl)))
    problems.push({ path: 'baseUrl', message: USERINFO });
  for (const [name, s] of Object.entries(input.scenarios)) {
    if (!isObject(s)) continue;
    const path = `scenarios.${name}`;
    if ((s.requests === undefined) === (s.flows === undefined))
      problems.push({
        path,
        message: 'give exactly one of "requests" (one sequence) or "flows" (weighted sequences)',
      });
    for (const [i, r] of list(s.requests).entries())
      checkRequest(r, `${path}.requests[${i}]`, hasBaseUrl, found);
    for (const [i, f] of list(s.flows).entries())
      if (isObject(f))
        for (const [j, r] of list(f.requests).entries())
          checkRequest(r, `${path}.flows[${i}].requests[${j}]`, hasBaseUrl, found);
    if (typeof s.maxVUs === 'number' && typeof s.preAllocatedVUs === 'number' && s.maxVUs < s.preAllocatedVUs)
      unprocessable.push({
        path: `${path}.maxVUs`,
        message: `must be at least preAllocatedVUs (${s.preAllocatedVUs})`,
      });
  }
}

/** Issues that say the value has another shape than this branch of a union wants. */
const SHAPE_ISSUES = new Set(['invalid_type', 'unrecognized_keys', 'invalid_value', 'invalid_union']);

/**
 * Files a schema issue as a problem, or as an unprocessable one when it is marked so. A union that
 * failed (thinkTime, a check) is read through the one branch whose shape the value has, if there is
 * exactly one: its problem is more precise than "Invalid input", and may be unprocessable.
 */
function sortIssue(issue: z.core.$ZodIssue, base: readonly PropertyKey[], found: Found): void {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union') {
    const fitting = issue.errors.filter((branch) => !branch.some((i) => SHAPE_ISSUES.has(i.code)));
    if (fitting.length === 1 && fitting[0]) {
      for (const inner of fitting[0]) sortIssue(inner, path, found);
      return;
    }
  }
  const problem = { path: formatPath(path), message: issue.message };
  const rule = issue.code === 'custom' && issue.params?.unprocessable === UNPROCESSABLE.unprocessable;
  (rule ? found.unprocessable : found.problems).push(problem);
}

function normalizeThresholds(raw: unknown): Record<string, ThresholdSpec[]> {
  const specs: Record<string, ThresholdSpec[]> = {};
  if (!isObject(raw)) return specs;
  for (const [metric, entries] of Object.entries(raw))
    specs[metric] = list(entries).map((t) =>
      typeof t === 'string' ? { threshold: t, abortOnFail: false, delayAbortEval: 0 } : (t as ThresholdSpec),
    );
  return specs;
}

/** Same problem reported by the schema and by a cross check: keep one. */
function unique(problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a test definition (already parsed from JSON or YAML) and applies every default.
 * Throws InvalidDefinitionError listing every problem, each with its path: schema problems,
 * cross-field problems and threshold expressions are all checked in one pass.
 */
export function parseTestDefinition(input: unknown): ValidDefinition {
  const parsed = testDefinitionSchema.safeParse(input);
  const found: Found = { problems: [], unprocessable: [] };
  for (const issue of parsed.success ? [] : parsed.error.issues) sortIssue(issue, [], found);
  crossChecks(input, found);
  const { problems, unprocessable } = found;
  const rawThresholds = isObject(input) ? input.thresholds : undefined;
  const thresholdsShapeOk = !problems.some((p) => p.path.startsWith('thresholds'));
  // Validated data when the schema passed (durations in ms); the raw input otherwise, to list problems.
  const { thresholds, problems: thresholdProblems } = parseThresholds(
    normalizeThresholds(
      parsed.success ? parsed.data.thresholds : thresholdsShapeOk ? rawThresholds : undefined,
    ),
  );
  problems.push(...thresholdProblems);
  if (problems.length > 0) throw new InvalidDefinitionError(unique([...problems, ...unprocessable]));
  if (!parsed.success || unprocessable.length > 0)
    throw new InvalidDefinitionError(unique(unprocessable), { unprocessable: true });

  const raw = parsed.data;
  const scenarios: Record<string, Scenario> = {};
  for (const [name, s] of Object.entries(raw.scenarios)) {
    const flows: Flow[] = s.requests
      ? [{ name: 'default', weight: 1, requests: s.requests }]
      : (s.flows ?? []).map((f, i) => ({
          name: f.name ?? `flow${i + 1}`,
          weight: f.weight,
          requests: f.requests,
        }));
    scenarios[name] = { ...s, flows };
  }
  return { definition: { ...raw, scenarios, thresholds: normalizeThresholds(raw.thresholds) }, thresholds };
}
