import type { IConstruct } from 'constructs';
import type { z } from 'zod';
import { capacityJson } from './run-settings';
import { CONTEXT_KEY, settingsSchema, type ThroughlineSettings } from './settings';

/** Thrown when the `throughline` context block is invalid; `problems` lists every one of them. */
export class ThroughlineConfigError extends Error {
  readonly code = 'E_INVALID_CONFIG';

  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `Invalid deployment settings in CDK context "${CONTEXT_KEY}" (cdk.json → context.${CONTEXT_KEY}, ` +
        `or -c ${CONTEXT_KEY}='{…}'); see docs/configuration.md. ` +
        `${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`,
      options,
    );
    this.name = 'ThroughlineConfigError';
  }
}

/**
 * Lambda caps a function's environment at 4 KB in total; the policy shares it with the table and
 * bucket names, the state machine ARN and the Powertools settings, so it gets at most 3 KB.
 */
export const MAX_POLICY_BYTES = 3072;

/** plan-run also gets THROUGHLINE_CAPACITY: policy and capacity together get at most 3.5 KB. */
export const MAX_PLAN_SETTINGS_BYTES = 3584;

/** The JSON the handlers receive as THROUGHLINE_POLICY: what a test may target and how big it may be. */
export function policyJson(settings: ThroughlineSettings): string {
  return JSON.stringify({ allowedTargets: settings.allowedTargets, quotas: settings.quotas });
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    CONTEXT_KEY,
  );
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${path}: unknown setting${issue.keys.length === 1 ? '' : 's'} ${keys}`;
  }
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : '';
  return `${path}: ${issue.message}${got}`;
}

/** Validates a raw `throughline` context value and applies the defaults. */
export function parseSettings(raw: unknown): ThroughlineSettings {
  let value = raw;
  // `cdk synth -c throughline='{"…"}'` hands the value over as a string.
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ThroughlineConfigError([`${CONTEXT_KEY}: is not valid JSON (${(err as Error).message})`], {
        cause: err,
      });
    }
  }
  const result = settingsSchema.safeParse(value, { reportInput: true });
  if (!result.success) throw new ThroughlineConfigError(result.error.issues.map(describe));
  const settings: ThroughlineSettings = result.data;
  const bytes = Buffer.byteLength(policyJson(settings));
  if (bytes > MAX_POLICY_BYTES) {
    throw new ThroughlineConfigError([
      `${CONTEXT_KEY}.allowedTargets: the handlers' policy would be ${bytes} bytes; it must stay under ` +
        `${MAX_POLICY_BYTES} to fit Lambda's 4 KB environment (use wildcard patterns or CIDR blocks)`,
    ]);
  }
  const planBytes = bytes + Buffer.byteLength(capacityJson(settings.fargate, settings.capacity));
  if (planBytes > MAX_PLAN_SETTINGS_BYTES) {
    throw new ThroughlineConfigError([
      `${CONTEXT_KEY}.capacity: with the policy, plan-run's settings would be ${planBytes} bytes; together ` +
        `they must stay under ${MAX_PLAN_SETTINGS_BYTES} to fit Lambda's 4 KB environment (override fewer ` +
        'capacity figures, or shorten allowedTargets)',
    ]);
  }
  return settings;
}

/** Reads and validates the deployment settings from `scope`'s CDK context. */
export function loadSettings(scope: IConstruct): ThroughlineSettings {
  return parseSettings(scope.node.tryGetContext(CONTEXT_KEY));
}
