import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPACITY } from '../../lambdas/core/platform/capacity';
import { policyProblems } from '../../lambdas/core/platform/target-policy';
import {
  loadSettings,
  MAX_PLAN_SETTINGS_BYTES,
  MAX_POLICY_BYTES,
  parseSettings,
  policyJson,
  ThroughlineConfigError,
} from '../../lib/config/load-settings';
import { capacityJson, capacitySchema, FARGATE_SIZES } from '../../lib/config/run-settings';
import { isAllowedTargetPattern } from '../../lib/config/target-pattern';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { CDK_JSON, synthStack } from './stack-fixture';

const DEFAULTS = parseSettings(undefined);
/** Planner figures the deployment sets itself: the workers' sizes and the Spot choice. */
const FIXED_BY_DEPLOYMENT = [
  'lambda.vcpu',
  'lambda.memoryMb',
  'fargate.vcpu',
  'fargate.memoryMb',
  'fargate.spot',
];

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ThroughlineConfigError);
    expect((err as ThroughlineConfigError).code).toBe('E_INVALID_CONFIG');
    expect((err as Error).message).toContain('CDK context "throughline"');
    return (err as ThroughlineConfigError).problems;
  }
  throw new Error('expected the settings to be rejected');
}

/** `{ quotas: { maxVus: 1 } }` → `{ 'quotas.maxVus': 1 }`; arrays and scalars are leaves. */
function flatten(value: object, prefix = ''): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, v]) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(flatten(v, `${prefix}${key}.`))
        : [[`${prefix}${key}`, v]],
    ),
  );
}

describe('deployment settings', () => {
  it('applies every documented default when the block is absent or empty', () => {
    const expected = {
      allowedTargets: [],
      quotas: { maxVus: 1000, maxRps: 5000, maxDurationSeconds: 3600, maxConcurrentTests: 5 },
      resultsRetentionDays: 90,
      logRetentionDays: 30,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      removalPolicy: 'retain',
      fargate: { cpu: 2048, memoryMiB: 4096, spot: false },
    };
    expect(DEFAULTS).toEqual(expected);
    expect(parseSettings({})).toEqual(expected);
    expect(parseSettings({ quotas: {} })).toEqual(expected);
  });

  it('ships cdk.json with exactly the defaults', () => {
    expect(parseSettings(CDK_JSON.context.throughline)).toEqual(DEFAULTS);
    expect(CDK_JSON.context.throughline).toEqual(DEFAULTS);
  });

  it('keeps given values and fills in the rest', () => {
    const settings = parseSettings({
      allowedTargets: ['*.example.com'],
      quotas: { maxVus: 50 },
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
    });
    expect(settings.quotas).toEqual({ ...DEFAULTS.quotas, maxVus: 50 });
    expect(settings.alarmEmail).toBe('ops@example.com');
    expect(settings.removalPolicy).toBe('destroy');
    expect(settings.apiThrottle).toEqual(DEFAULTS.apiThrottle);
  });

  it('accepts the block as a JSON string, the way `cdk -c throughline=…` passes it', () => {
    expect(parseSettings('{"quotas":{"maxRps":10}}').quotas.maxRps).toBe(10);
    expect(problemsOf('{not json')).toEqual([expect.stringMatching(/^throughline: is not valid JSON/)]);
  });

  it('lists every problem in one error, each naming its key', () => {
    const problems = problemsOf({
      allowedTargets: ['https://api.example.com/path', 'ok.example.com', 7],
      quotas: { maxVus: 0, maxRps: 1.5, maxDurationSeconds: 90_000, maxConcurrentTests: 'five', extra: 1 },
      alarmEmail: 'not-an-email',
      resultsRetentionDays: -1,
      logRetentionDays: 31,
      apiThrottle: { rateLimit: 0, burstLimit: 2.5 },
      removalPolicy: 'snapshot',
      fargate: { cpu: 3000, spot: 'yes' },
      capacity: { lambda: { maxRunMs: 900_000, memoryMb: 2048 }, prices: { spotDiscount: 1.5 } },
      typo: true,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^throughline\.allowedTargets\[0\]: must be a host name.*"https:\/\/api/),
      expect.stringMatching(/^throughline\.allowedTargets\[2\]: must be a string \(got 7\)/),
      'throughline.quotas.maxVus: must be at least 1 (got 0)',
      'throughline.quotas.maxRps: must be a whole number (got 1.5)',
      'throughline.quotas.maxDurationSeconds: must be at most 82800 (got 90000)',
      'throughline.quotas.maxConcurrentTests: must be a number (got "five")',
      'throughline.quotas: unknown setting "extra"',
      'throughline.alarmEmail: must be an email address (got "not-an-email")',
      'throughline.resultsRetentionDays: must be at least 1 (got -1)',
      expect.stringMatching(/^throughline\.logRetentionDays: must be one of .* \(got 31\)$/),
      'throughline.apiThrottle.rateLimit: must be greater than 0 (got 0)',
      'throughline.apiThrottle.burstLimit: must be a whole number (got 2.5)',
      'throughline.removalPolicy: must be "retain" or "destroy" (got "snapshot")',
      expect.stringMatching(
        /^throughline\.fargate\.cpu: must be one of the Fargate CPU sizes: 256, .* \(got 3000\)$/,
      ),
      'throughline.fargate.spot: must be true or false (got "yes")',
      'throughline.capacity.lambda.maxRunMs: must be at most 840000 (got 900000)',
      'throughline.capacity.lambda: unknown setting "memoryMb"',
      'throughline.capacity.prices.spotDiscount: must be at most 1 (a fraction) (got 1.5)',
      'throughline: unknown setting "typo"',
    ]);
  });

  it('accepts only the memory sizes Fargate offers with the chosen CPU', () => {
    expect(parseSettings({ fargate: { cpu: 1024, memoryMiB: 8192 } }).fargate).toEqual({
      cpu: 1024,
      memoryMiB: 8192,
      spot: false,
    });
    expect(problemsOf({ fargate: { cpu: 1024, memoryMiB: 1024 } })).toEqual([
      expect.stringMatching(
        /^throughline\.fargate\.memoryMiB: must be a size Fargate offers with cpu 1024: 2048 to 8192 MiB .*\(got 1024\)$/,
      ),
    ]);
    // The default memory does not fit every CPU: the error says which sizes would.
    expect(problemsOf({ fargate: { cpu: 256 } })).toEqual([
      expect.stringMatching(
        /memoryMiB: must be a size Fargate offers with cpu 256: .*\(512, 1024, 2048\) \(got 4096\)$/,
      ),
    ]);
    expect(FARGATE_SIZES[16_384]?.at(-1)).toBe(122_880);
  });

  it('offers as capacity overrides exactly the planner figures that are not the deployed worker sizes', () => {
    const keysOf = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null ? keysOf(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    const overridable = keysOf(DEFAULT_CAPACITY).filter((k) => !FIXED_BY_DEPLOYMENT.includes(k));
    const schemaKeys = Object.entries(capacitySchema.shape).flatMap(([group, schema]) =>
      Object.keys(schema.unwrap().shape).map((name) => `${group}.${name}`),
    );
    expect(schemaKeys.sort()).toEqual(overridable.sort());
    // The planner's own defaults pass the deployment's validation.
    const defaults = Object.fromEntries(
      ['lambda', 'fargate', 'limits', 'prices'].map((group) => [
        group,
        Object.fromEntries(
          Object.entries(DEFAULT_CAPACITY[group as keyof typeof DEFAULT_CAPACITY]).filter(
            ([name]) => !FIXED_BY_DEPLOYMENT.includes(`${group}.${name}`),
          ),
        ),
      ]),
    );
    expect(parseSettings({ capacity: defaults }).capacity).toEqual(defaults);
    expect(problemsOf({ capacity: { fargate: { vcpu: 4, spot: true } } })).toEqual([
      'throughline.capacity.fargate: unknown settings "vcpu", "spot"',
    ]);
  });

  it('hands plan-run the overrides with the deployed Fargate size, and keeps them within Lambda’s environment', () => {
    const settings = parseSettings({
      fargate: { cpu: 1024, memoryMiB: 3072, spot: true },
      capacity: { limits: { runTaskPerCall: 5 } },
    });
    expect(JSON.parse(capacityJson(settings.fargate, settings.capacity))).toEqual({
      limits: { runTaskPerCall: 5 },
      fargate: { vcpu: 1, memoryMb: 3072, spot: true },
    });
    // A policy just under its own limit leaves plan-run little room for capacity overrides.
    const allowedTargets = Array.from({ length: 87 }, (_, i) => `service-${i}.internal.example.com`);
    expect(Buffer.byteLength(policyJson(parseSettings({ allowedTargets })))).toBeLessThan(MAX_POLICY_BYTES);
    const prices = Object.fromEntries(
      Object.keys(DEFAULT_CAPACITY.prices).map((name) => [name, 0.000012345678912345]),
    );
    const worker = { maxVus: 9_999_999, maxRps: 1_234_567.891234 };
    const limits = {
      lambdaScalePer10s: 9_999_999,
      lambdaConcurrency: 9_999_999,
      runTaskPerCall: 10,
      fargateTasksPerSecond: 9_999_999,
      mapMaxConcurrency: 10_000,
    };
    const capacity = { prices, limits, lambda: worker, fargate: worker };
    expect(Buffer.byteLength(JSON.stringify(capacity))).toBeLessThan(700);
    expect(problemsOf({ allowedTargets, capacity })).toEqual([
      expect.stringMatching(new RegExp(`^throughline\\.capacity: .* under ${MAX_PLAN_SETTINGS_BYTES}`)),
    ]);
  });

  it('rejects a block that is not an object', () => {
    expect(problemsOf([1])).toEqual([expect.stringMatching(/^throughline: /)]);
  });

  it("refuses an allow-list too long for the handlers' 4 KB Lambda environment", () => {
    const allowedTargets = Array.from({ length: 200 }, (_, i) => `service-${i}.internal.example.com`);
    expect(problemsOf({ allowedTargets })).toEqual([
      expect.stringMatching(new RegExp(`^throughline\\.allowedTargets: .* under ${MAX_POLICY_BYTES}`)),
    ]);
  });

  it('hands the handlers the allow-list and quotas as THROUGHLINE_POLICY', () => {
    const settings = parseSettings({ allowedTargets: ['10.0.0.0/8'], quotas: { maxVus: 9 } });
    expect(JSON.parse(policyJson(settings))).toEqual({
      allowedTargets: ['10.0.0.0/8'],
      quotas: { ...DEFAULTS.quotas, maxVus: 9 },
    });
  });

  it('reads the block from the app context', () => {
    const { app } = synthStack({ settings: { quotas: { maxConcurrentTests: 2 } } });
    expect(loadSettings(app).quotas.maxConcurrentTests).toBe(2);
  });
});

const ACCEPTED = [
  'api.example.com',
  'API.Example.com',
  '*.example.com',
  'localhost',
  'loopback',
  'public',
  '192.168.1.10',
  '10.0.0.0/8',
  '0.0.0.0/0',
  '::1',
  '::ffff:10.1.2.3',
  'fd00::/8',
];

describe('allowedTargets patterns', () => {
  it.each(ACCEPTED)('accepts %s', (pattern) => expect(isAllowedTargetPattern(pattern)).toBe(true));

  // Whatever the deployment accepts, the handlers must accept too, or every one of them would fail
  // at cold start on THROUGHLINE_POLICY (test-only import; lib/ never imports lambdas/).
  it('accepts nothing the handlers would reject', () => {
    expect(ACCEPTED.filter((p) => policyProblems({ allowedTargets: [p] }).length > 0)).toEqual([]);
  });

  it.each([
    '',
    'https://api.example.com',
    'api.example.com:8080',
    'api.example.com/path',
    'api.*.example.com',
    '*',
    '-bad.example.com',
    '10.0.0.0/33',
    '10.0.0/8',
    '1.2.3.4.5',
    'fd00::/129',
    'exa mple.com',
  ])('rejects %j', (pattern) => expect(isAllowedTargetPattern(pattern)).toBe(false));
});

describe('docs/configuration.md', () => {
  const [settingsDoc = '', capacityDoc = ''] = readFileSync(
    join(PROJECT_ROOT, 'docs', 'configuration.md'),
    'utf8',
  ).split('### Capacity overrides');
  const rowsOf = (doc: string) =>
    Object.fromEntries(
      [...doc.matchAll(/^\| `([\w.]+)` \| (.+?) \|/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()]),
    );
  const asDocumented = (values: object) =>
    Object.fromEntries(
      Object.entries(flatten(values)).map(([key, value]) => [
        key,
        `\`${JSON.stringify(value).replace(/"/g, '')}\``,
      ]),
    );

  it('documents every setting with its real default', () => {
    expect(rowsOf(settingsDoc)).toEqual({ ...asDocumented(DEFAULTS), alarmEmail: 'none', capacity: 'none' });
  });

  it('documents every capacity override with the planner’s default', () => {
    const planner = Object.fromEntries(
      Object.entries(flatten(DEFAULT_CAPACITY)).filter(([key]) => !FIXED_BY_DEPLOYMENT.includes(key)),
    );
    const documented = Object.fromEntries(
      Object.entries(rowsOf(capacityDoc)).map(([key, value]) => [key, Number(value.replace(/`/g, ''))]),
    );
    expect(documented).toEqual(planner);
  });
});
