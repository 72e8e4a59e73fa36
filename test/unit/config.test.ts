import { afterEach, describe, expect, it, vi } from 'vitest';
import { awsConfig } from '../../lambdas/config/aws';
import { awsCacheConfig } from '../../lambdas/config/cache';
import { fargateJob } from '../../lambdas/config/fargate';
import { localConfig } from '../../lambdas/config/local';
import { ConfigError } from '../../lambdas/config/parse';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { ThroughlineError } from '../../lambdas/model/errors';

// Environment variables are read once, in lambdas/config: every problem is named in one error.

const policy = JSON.stringify({
  allowedTargets: ['api.example.com', '10.0.0.0/8'],
  quotas: { maxVus: 100, maxRps: 50, maxDurationSeconds: 600, maxConcurrentTests: 2 },
});
const aws = (extra: Record<string, string> = {}) => ({
  AWS_REGION: 'eu-west-1',
  THROUGHLINE_TABLE_NAME: 't',
  THROUGHLINE_RESULTS_BUCKET: 'b',
  THROUGHLINE_POLICY: policy,
  ...extra,
});
const problemsOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(ThroughlineError);
    expect(err).toMatchObject({ code: 'E_CONFIG', name: 'ConfigError' });
    const { message, details } = err as ConfigError;
    // The message names each problem on a line of its own, as details.problems lists them.
    expect(message).toBe(
      `invalid configuration:\n${(details as { problems: string[] }).problems.map((p) => `  ${p}`).join('\n')}`,
    );
    return message;
  }
  throw new Error('expected a ConfigError');
};

describe('awsConfig', () => {
  it('reads the stack settings, quotas in ms, default capacity', () => {
    const c = awsConfig(
      aws({ THROUGHLINE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:1:stateMachine:runs' }),
    );
    expect(c).toMatchObject({
      region: 'eu-west-1',
      tableName: 't',
      bucket: 'b',
      stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:runs',
      policy: { quotas: { maxDurationMs: 600_000, maxConcurrentTests: 2 } },
    });
    expect(c.capacity).toEqual(DEFAULT_CAPACITY);
  });

  it('names every missing or bad variable at once', () => {
    const message = problemsOf(() => awsConfig({ THROUGHLINE_POLICY: '{"allowedTargets":["not a host!"]}' }));
    for (const part of [
      'AWS_REGION',
      'THROUGHLINE_TABLE_NAME',
      'THROUGHLINE_RESULTS_BUCKET',
      'THROUGHLINE_POLICY.quotas',
    ])
      expect(message).toContain(part);
  });

  it('merges capacity overrides into the defaults, deeply', () => {
    const c = awsConfig(
      aws({ THROUGHLINE_CAPACITY: JSON.stringify({ lambda: { maxRps: 2_500 }, fargate: { spot: true } }) }),
    );
    expect(c.capacity.lambda).toEqual({ ...DEFAULT_CAPACITY.lambda, maxRps: 2_500 });
    expect(c.capacity.fargate.spot).toBe(true);
    expect(c.capacity.prices).toEqual(DEFAULT_CAPACITY.prices);
  });

  it('refuses unknown, mistyped and negative capacity settings, each named', () => {
    const message = problemsOf(() =>
      awsConfig(
        aws({
          THROUGHLINE_CAPACITY: JSON.stringify({
            lambda: { maxRPS: 1, maxVus: -1 },
            fargate: { spot: 'yes' },
            limits: 3,
          }),
        }),
      ),
    );
    expect(message).toContain('THROUGHLINE_CAPACITY.lambda.maxRPS: unknown setting');
    expect(message).toContain('THROUGHLINE_CAPACITY.lambda.maxVus: must be a number ≥ 0');
    expect(message).toContain('THROUGHLINE_CAPACITY.fargate.spot: must be true or false');
    expect(message).toContain('THROUGHLINE_CAPACITY.limits: must be an object');
    expect(problemsOf(() => awsConfig(aws({ THROUGHLINE_CAPACITY: '{' })))).toContain(
      'THROUGHLINE_CAPACITY is not JSON',
    );
  });
});

describe('fargateJob (the worker container reads its assignment)', () => {
  const env = {
    THROUGHLINE_TEST_ID: 'abc-123',
    THROUGHLINE_SEGMENT: '1/3:2/3',
    THROUGHLINE_WORKER: '1',
    THROUGHLINE_START_AT_MS: '1795463056813',
  };
  it('parses what the state machine passes', () => {
    expect(fargateJob(env)).toEqual({
      testId: 'abc-123',
      segment: '1/3:2/3',
      worker: 1,
      startAtMs: 1_795_463_056_813,
    });
  });
  it('refuses a fractional start, a bad segment and a bad id, naming each', () => {
    const message = problemsOf(() =>
      fargateJob({ ...env, THROUGHLINE_START_AT_MS: '1795463056812.3564', THROUGHLINE_TEST_ID: '../x' }),
    );
    expect(message).toContain('THROUGHLINE_START_AT_MS');
    expect(message).toContain('THROUGHLINE_TEST_ID');
    expect(problemsOf(() => fargateJob({ ...env, THROUGHLINE_SEGMENT: '2/3:1/3' }))).toContain(
      'is not an execution segment',
    );
  });
});

describe('localConfig', () => {
  it('defaults: port 8787, loopback only, data in ./.throughline', () => {
    const c = localConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 8787,
      dataDir: '/srv/app/.throughline',
      workers: 1,
      demoTargetPort: 8080,
    });
    expect(c.policy.targets.allowedTargets).toEqual(['loopback']);
    expect(c.policy.quotas).toEqual({
      maxVus: 1_000,
      maxRps: 5_000,
      maxDurationMs: 3_600_000,
      maxConcurrentTests: 5,
    });
  });
  it('adds configured targets to loopback and names every bad variable', () => {
    expect(
      localConfig({ THROUGHLINE_ALLOWED_TARGETS: 'api.example.com, 10.1.0.0/16' }, '/x').policy.targets
        .allowedTargets,
    ).toEqual(['loopback', 'api.example.com', '10.1.0.0/16']);
    const message = problemsOf(() =>
      localConfig(
        {
          PORT: 'eighty',
          THROUGHLINE_MAX_DURATION: 'forever',
          THROUGHLINE_ALLOWED_TARGETS: 'no spaces allowed',
        },
        '/x',
      ),
    );
    for (const part of ['PORT=', 'THROUGHLINE_MAX_DURATION=', 'THROUGHLINE_ALLOWED_TARGETS:'])
      expect(message).toContain(part);
  });
  it('names bad cache variables in the same error as its own', () => {
    const message = problemsOf(() =>
      localConfig(
        { PORT: 'eighty', THROUGHLINE_REDIS_URL: 'http://x', THROUGHLINE_CACHE_DISK_MB: '0' },
        '/x',
      ),
    );
    for (const part of ['PORT=', 'THROUGHLINE_REDIS_URL:', 'THROUGHLINE_CACHE_DISK_MB='])
      expect(message).toContain(part);
  });
});

describe('awsCacheConfig (a Lambda on the cache tier)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the CacheTier variables and the region, from process.env when given nothing', () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('THROUGHLINE_CACHE_ENDPOINT', 'cfg.abc.cache.amazonaws.com:6379');
    vi.stubEnv('THROUGHLINE_CACHE_TLS', 'true');
    vi.stubEnv('THROUGHLINE_CACHE_AUTH_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:1:secret:auth');
    vi.stubEnv('THROUGHLINE_CDN_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/1/cdn');
    vi.stubEnv('THROUGHLINE_CDN_RESULTS_TTL_SECONDS', '86400');
    vi.stubEnv('THROUGHLINE_CDN_PUBLISH_REPORTS', 'true');
    expect(awsCacheConfig()).toEqual({
      region: 'eu-west-1',
      enabled: true,
      diskMaxBytes: 256 * 1024 * 1024,
      redis: { mode: 'cluster', host: 'cfg.abc.cache.amazonaws.com', port: 6379, tls: true },
      authSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:auth',
      cdnQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/cdn',
      resultsTtlSeconds: 86_400,
      reportsTtlSeconds: 3_600,
      publishReports: true,
    });
  });

  it('names the missing region with the bad cache variables', () => {
    const message = problemsOf(() =>
      awsCacheConfig({
        THROUGHLINE_CACHE: 'maybe',
        THROUGHLINE_CACHE_ENDPOINT: 'no-port',
        THROUGHLINE_CDN_PUBLISH_REPORTS: 'yes',
      }),
    );
    for (const part of [
      'AWS_REGION is not set',
      'THROUGHLINE_CACHE="maybe"',
      'THROUGHLINE_CACHE_ENDPOINT="no-port"',
      'THROUGHLINE_CDN_PUBLISH_REPORTS="yes"',
    ])
      expect(message).toContain(part);
  });
});
