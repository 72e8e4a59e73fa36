import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyProblems } from '../../lambdas/core/platform/target-policy';
import {
  loadSettings,
  MAX_POLICY_BYTES,
  parseSettings,
  policyJson,
  ThroughlineConfigError,
} from '../../lib/config/load-settings';
import { isAllowedTargetPattern } from '../../lib/config/target-pattern';
import { PROJECT_ROOT } from '../../lib/project-paths';
import { CDK_JSON, synthStack } from './stack-fixture';

const DEFAULTS = parseSettings(undefined);

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
      quotas: { maxVus: 1000, maxRps: 5000, maxDurationSeconds: 780, maxConcurrentTests: 5 },
      resultsRetentionDays: 90,
      logRetentionDays: 30,
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      removalPolicy: 'retain',
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
      quotas: { maxVus: 0, maxRps: 1.5, maxDurationSeconds: 900, maxConcurrentTests: 'five', extra: 1 },
      alarmEmail: 'not-an-email',
      resultsRetentionDays: -1,
      logRetentionDays: 31,
      apiThrottle: { rateLimit: 0, burstLimit: 2.5 },
      removalPolicy: 'snapshot',
      typo: true,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^throughline\.allowedTargets\[0\]: must be a host name.*"https:\/\/api/),
      expect.stringMatching(/^throughline\.allowedTargets\[2\]: must be a string \(got 7\)/),
      'throughline.quotas.maxVus: must be at least 1 (got 0)',
      'throughline.quotas.maxRps: must be a whole number (got 1.5)',
      'throughline.quotas.maxDurationSeconds: must be at most 840 (got 900)',
      'throughline.quotas.maxConcurrentTests: must be a number (got "five")',
      'throughline.quotas: unknown setting "extra"',
      'throughline.alarmEmail: must be an email address (got "not-an-email")',
      'throughline.resultsRetentionDays: must be at least 1 (got -1)',
      expect.stringMatching(/^throughline\.logRetentionDays: must be one of .* \(got 31\)$/),
      'throughline.apiThrottle.rateLimit: must be greater than 0 (got 0)',
      'throughline.apiThrottle.burstLimit: must be a whole number (got 2.5)',
      'throughline.removalPolicy: must be "retain" or "destroy" (got "snapshot")',
      'throughline: unknown setting "typo"',
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
  const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'configuration.md'), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `([\w.]+)` \| (.+?) \|/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()]),
  );

  it('documents every setting with its real default', () => {
    const documented = Object.fromEntries(
      Object.entries(flatten(DEFAULTS)).map(([key, value]) => [
        key,
        `\`${JSON.stringify(value).replace(/"/g, '')}\``,
      ]),
    );
    expect(Object.fromEntries(rows)).toEqual({ ...documented, alarmEmail: 'none' });
  });
});
