import {
  type DefinitionProblem,
  type Flow,
  formatPath,
  InvalidDefinitionError,
  type RequestStep,
  type Scenario,
  type TestDefinition,
  type ThresholdSpec,
  testDefinitionSchema,
} from './definition';
import { type ParsedThreshold, parseThresholds } from './thresholds';

export interface ValidDefinition {
  readonly definition: TestDefinition;
  readonly thresholds: readonly ParsedThreshold[];
}

const validRegex = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

function checkRequest(
  step: RequestStep,
  path: string,
  hasBaseUrl: boolean,
  problems: DefinitionProblem[],
): void {
  if (step.path !== undefined && !hasBaseUrl)
    problems.push({ path: `${path}.path`, message: 'a relative "path" needs a top-level "baseUrl"' });
  if (step.url !== undefined && !step.url.includes('${')) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(step.url).protocol);
    } catch {}
    if (!ok)
      problems.push({
        path: `${path}.url`,
        message: `${JSON.stringify(step.url)} is not an http:// or https:// URL`,
      });
  }
  step.checks?.forEach((check, i) => {
    if ('matches' in check && check.matches !== undefined && !validRegex(check.matches))
      problems.push({ path: `${path}.checks[${i}].matches`, message: 'is not a valid regular expression' });
  });
  for (const [name, capture] of Object.entries(step.capture ?? {}))
    if ('regex' in capture && !validRegex(capture.regex))
      problems.push({ path: `${path}.capture.${name}.regex`, message: 'is not a valid regular expression' });
}

type RawThresholds = Readonly<Record<string, readonly (string | ThresholdSpec)[]>>;

function normalizeThresholds(raw: RawThresholds): Record<string, ThresholdSpec[]> {
  const specs: Record<string, ThresholdSpec[]> = {};
  for (const [metric, list] of Object.entries(raw))
    specs[metric] = (Array.isArray(list) ? list : []).map((t) =>
      typeof t === 'string' ? { threshold: t, abortOnFail: false, delayAbortEval: 0 } : t,
    );
  return specs;
}

/**
 * Validates a test definition (already parsed from JSON or YAML) and applies every default.
 * Throws InvalidDefinitionError listing every problem, each with its path.
 */
export function parseTestDefinition(input: unknown): ValidDefinition {
  const parsed = testDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
    }));
    // Threshold expressions are checked too, so that one run of the validator lists everything.
    const rawThresholds = (input as { thresholds?: unknown } | null)?.thresholds;
    if (
      rawThresholds &&
      typeof rawThresholds === 'object' &&
      !problems.some((p) => p.path.startsWith('thresholds'))
    )
      problems.push(...parseThresholds(normalizeThresholds(rawThresholds as RawThresholds)).problems);
    throw new InvalidDefinitionError(problems);
  }
  const raw = parsed.data;
  const problems: DefinitionProblem[] = [];
  const scenarios: Record<string, Scenario> = {};
  for (const [name, s] of Object.entries(raw.scenarios)) {
    const path = `scenarios.${name}`;
    let flows: Flow[] = [];
    if ((s.requests === undefined) === (s.flows === undefined)) {
      problems.push({
        path,
        message: 'give exactly one of "requests" (one sequence) or "flows" (weighted sequences)',
      });
    } else if (s.requests) {
      flows = [{ name: 'default', weight: 1, requests: s.requests }];
      for (const [i, r] of s.requests.entries())
        checkRequest(r, `${path}.requests[${i}]`, raw.baseUrl !== undefined, problems);
    } else if (s.flows) {
      flows = s.flows.map((f, i) => ({
        name: f.name ?? `flow${i + 1}`,
        weight: f.weight,
        requests: f.requests,
      }));
      for (const [i, f] of s.flows.entries())
        for (const [j, r] of f.requests.entries())
          checkRequest(r, `${path}.flows[${i}].requests[${j}]`, raw.baseUrl !== undefined, problems);
    }
    if ('maxVUs' in s && s.maxVUs !== undefined && s.maxVUs < s.preAllocatedVUs)
      problems.push({
        path: `${path}.maxVUs`,
        message: `must be at least preAllocatedVUs (${s.preAllocatedVUs})`,
      });
    scenarios[name] = { ...s, flows };
  }
  const specs = normalizeThresholds(raw.thresholds);
  const { thresholds, problems: thresholdProblems } = parseThresholds(specs);
  problems.push(...thresholdProblems);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  return { definition: { ...raw, scenarios, thresholds: specs }, thresholds };
}
