import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localConfig } from '../../lambdas/config/local';
import { DEFAULT_CAPACITY } from '../../lambdas/core/run/capacity';
import { policyProblems } from '../../lambdas/core/tests/target-policy';
import { DEFAULT_QUOTAS } from '../../lambdas/model/defaults';
import {
  loadSettings,
  MAX_PLAN_SETTINGS_BYTES,
  MAX_POLICY_BYTES,
  parseSettings,
  policyJson,
  ThroughlineConfigError,
} from '../../lib/config/load-settings';
import { capacityJson, capacitySchema, FARGATE_SIZES } from '../../lib/config/run-settings';
import { isTimeZone, scheduleProblem } from '../../lib/config/schedule';
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
      monitoring: {
        emails: [],
        webhook: { enabled: true },
        notify: 'composite',
        thresholds: {
          apiLatencyP95Ms: 1000,
          apiLatencyP99Ms: 3000,
          api5xxRatePercent: 1,
          lambdaErrorRatePercent: 1,
          cacheCpuPercent: 80,
          cacheMemoryPercent: 80,
          cacheEvictions: 1000,
          cacheConnections: 5000,
          cacheHitRatePercent: 80,
          databaseCpuPercent: 80,
          databaseConnections: 500,
          databaseLatencyMs: 20,
          ecsCpuPercent: 85,
          ecsMemoryPercent: 85,
        },
        targets: {
          lambdaFunctions: [],
          ecsServices: [],
          elasticacheClusters: [],
          databases: [],
          apiGatewayStages: [],
          cloudfrontDistributions: [],
        },
      },
      scaling: {
        // Provisioned concurrency on the two read-heavy routes (docs/configuration.md says the cost).
        api: {
          routes: ['GetTest', 'GetResults'],
          min: 1,
          max: 10,
          utilizationTarget: 0.7,
          scaleInCooldownSeconds: 300,
          scaleOutCooldownSeconds: 60,
          schedules: [],
        },
        elasticache: [],
        ecsServices: [],
      },
      // The cache tier and the CDN are part of the platform (docs/configuration.md says what they cost).
      cache: {
        enabled: true,
        nodeType: 'cache.t4g.micro',
        shards: 1,
        replicasPerShard: 1,
        engineVersion: '8.1',
        snapshotRetentionDays: 1,
        snapshotWindow: '03:00-04:00',
        maintenanceWindow: 'sun:05:00-sun:06:00',
        cdn: {
          enabled: true,
          priceClass: 'PriceClass_100',
          resultsTtlSeconds: 86_400,
          reportsTtlSeconds: 604_800,
          domainNames: [],
        },
      },
    };
    expect(DEFAULTS).toEqual(expected);
    expect(parseSettings({})).toEqual(expected);
    expect(parseSettings({ quotas: {} })).toEqual(expected);
  });

  it('ships cdk.json with exactly the defaults', () => {
    expect(parseSettings(CDK_JSON.context.throughline)).toEqual(DEFAULTS);
    expect(CDK_JSON.context.throughline).toEqual(DEFAULTS);
  });

  it('gives a deployment the quotas local mode has, so a test that runs locally runs deployed', () => {
    expect(DEFAULTS.quotas).toEqual(DEFAULT_QUOTAS);
    const { maxDurationSeconds, ...rest } = DEFAULT_QUOTAS;
    expect(localConfig({}, '/x').policy.quotas).toEqual({
      ...rest,
      maxDurationMs: maxDurationSeconds * 1_000,
    });
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

  it('lists every monitoring and scaling problem, each naming its key', () => {
    const problems = problemsOf({
      monitoring: {
        emails: ['nope'],
        webhook: { enabled: 'yes' },
        notify: 'sometimes',
        thresholds: {
          apiLatencyP95Ms: 5000,
          api5xxRatePercent: 150,
          cacheConnections: 70_000,
          databaseLatencyMs: 0,
        },
        targets: {
          lambdaFunctions: ['bad name'],
          ecsServices: [{ cluster: 'c' }],
          elasticacheClusters: [{ replicationGroupId: 'Bad_Group', clusterIds: ['x--y'] }],
          databases: [{ instance: 'a', cluster: 'b' }],
          apiGatewayStages: [{ apiName: 'shop', stage: 'p rod' }],
          cloudfrontDistributions: ['x'],
        },
      },
      scaling: {
        api: {
          routes: ['GetTest', 'Nope'],
          utilizationTarget: 0.95,
          scaleInCooldownSeconds: -1,
          schedules: [
            { name: 'bad name', schedule: 'cron(0 8 * * *)', min: 1 },
            { name: 'b', schedule: 'rate(5 minute)', max: 3 },
            { name: 'c', schedule: 'at(2030-02-30T06:00:00)', min: 1, timezone: 'Mars/Olympus' },
            { name: 'd', schedule: 'every day' },
            { name: 'e', schedule: 'cron(0 8 * * * *)', min: 3, max: 2 },
          ],
        },
        elasticache: [
          {
            replicationGroupId: 'sessions',
            shards: { min: 0, max: 600, targetCpuPercent: 80 },
            replicas: { min: 0, max: 6 },
          },
          { replicationGroupId: 'cache2' },
        ],
        ecsServices: [{ cluster: 'shop', service: 'checkout', min: 1, max: 6000, targetCpuPercent: 0 }],
      },
    });
    expect(problems).toEqual([
      'throughline.monitoring.emails[0]: must be an email address (got "nope")',
      'throughline.monitoring.webhook.enabled: must be true or false (got "yes")',
      'throughline.monitoring.notify: must be "composite" or "every-alarm" (got "sometimes")',
      'throughline.monitoring.thresholds.api5xxRatePercent: must be at most 100 (a percentage) (got 150)',
      'throughline.monitoring.thresholds.cacheConnections: must be at most 65000 (got 70000)',
      'throughline.monitoring.thresholds.databaseLatencyMs: must be greater than 0 (got 0)',
      'throughline.monitoring.thresholds.apiLatencyP95Ms: must not exceed apiLatencyP99Ms (3000): a p95 is never above the p99 (got 5000)',
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.lambdaFunctions\[0\]: must be a Lambda function name/,
      ),
      'throughline.monitoring.targets.ecsServices[0].service: must be a string',
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.elasticacheClusters\[0\]\.replicationGroupId: must be an ElastiCache replication group id/,
      ),
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.elasticacheClusters\[0\]\.clusterIds\[0\]: must be an ElastiCache node id/,
      ),
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.databases\[0\]: must name exactly one of "instance" .* and "cluster"/,
      ),
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.apiGatewayStages\[0\]\.stage: must be an API Gateway stage name/,
      ),
      expect.stringMatching(
        /^throughline\.monitoring\.targets\.cloudfrontDistributions\[0\]: must be a CloudFront distribution id/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.routes\[1\]: must be an API route id: CreateTest, .*PostCacheWarm \(got "Nope"\)$/,
      ),
      'throughline.scaling.api.utilizationTarget: must be at most 0.9 (the share of provisioned concurrency in use) (got 0.95)',
      'throughline.scaling.api.scaleInCooldownSeconds: must be at least 0 (got -1)',
      expect.stringMatching(/^throughline\.scaling\.api\.schedules\[0\]\.name: must be 1-64 letters/),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[0\]\.schedule: cron\(…\) needs 6 fields .*, got 5/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[1\]\.schedule: rate\(…\) takes the singular unit for 1 and the plural otherwise/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[2\]\.schedule: at\(…\) must name a real date and time/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[2\]\.timezone: must be an IANA time zone/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[3\]\.schedule: must be cron\(…\) with 6 fields, rate\(<n> <unit>\) or at\(/,
      ),
      expect.stringMatching(/^throughline\.scaling\.api\.schedules\[3\]: must set min, max or both/),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[4\]\.schedule: cron\(…\) needs "\?" in exactly one of day-of-month and day-of-week/,
      ),
      'throughline.scaling.api.schedules[4].min: must not exceed max (2) (got 3)',
      'throughline.scaling.elasticache[0].shards.min: must be at least 1 (got 0)',
      'throughline.scaling.elasticache[0].shards.max: must be at most 500 (got 600)',
      'throughline.scaling.elasticache[0].shards.targetCpuPercent: must be at most 70 (ElastiCache auto scaling accepts 35 to 70 %) (got 80)',
      'throughline.scaling.elasticache[0].replicas.max: must be at most 5 (got 6)',
      expect.stringMatching(
        /^throughline\.scaling\.elasticache\[1\]: must scale "shards", "replicas" or both/,
      ),
      'throughline.scaling.ecsServices[0].max: must be at most 5000 (got 6000)',
      'throughline.scaling.ecsServices[0].targetCpuPercent: must be at least 1 (average CPU of the service) (got 0)',
    ]);
  });

  it('lists every cache and CDN problem, each naming its key', () => {
    expect(
      problemsOf({
        cache: {
          enabled: 'yes',
          nodeType: 't4g.micro',
          shards: 0,
          replicasPerShard: 0,
          engineVersion: '7.0',
          snapshotRetentionDays: 36,
          snapshotWindow: '3am',
          maintenanceWindow: 'sunday',
          cdn: {
            priceClass: 'PriceClass_50',
            resultsTtlSeconds: 0,
            reportsTtlSeconds: 40_000_000,
            domainNames: ['Perf.Example.com'],
            certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
            extra: 1,
          },
        },
      }),
    ).toEqual([
      'throughline.cache.enabled: must be true or false (got "yes")',
      'throughline.cache.nodeType: must be an ElastiCache node type such as "cache.t4g.micro" (got "t4g.micro")',
      'throughline.cache.shards: must be at least 1 (got 0)',
      'throughline.cache.replicasPerShard: must be at least 1 (got 0)',
      'throughline.cache.engineVersion: must be a Valkey version: 7.2, 8.0, 8.1 (got "7.0")',
      'throughline.cache.snapshotRetentionDays: must be at most 35 (got 36)',
      'throughline.cache.snapshotWindow: must be a UTC time range like "03:00-04:00" (got "3am")',
      'throughline.cache.maintenanceWindow: must be a UTC weekly range like "sun:05:00-sun:06:00" (got "sunday")',
      'throughline.cache.cdn.priceClass: must be one of PriceClass_100, PriceClass_200, PriceClass_All (got "PriceClass_50")',
      'throughline.cache.cdn.resultsTtlSeconds: must be at least 1 (got 0)',
      'throughline.cache.cdn.reportsTtlSeconds: must be at most 31536000 (got 40000000)',
      'throughline.cache.cdn.domainNames[0]: must be a lowercase host name such as "perf.example.com" (got "Perf.Example.com")',
      expect.stringMatching(
        /^throughline\.cache\.cdn\.certificateArn: must be the ARN of an ACM certificate in us-east-1 .*\(got "arn:aws:acm:eu-west-1:/,
      ),
      'throughline.cache.cdn: unknown setting "extra"',
    ]);
  });

  it('checks what spans the cache settings: windows, node count, names with their certificate', () => {
    expect(
      problemsOf({
        cache: {
          shards: 200,
          replicasPerShard: 2,
          snapshotWindow: '05:30-06:00',
          maintenanceWindow: 'mon:02:00-mon:02:30',
          cdn: { domainNames: ['perf.example.com'] },
        },
      }),
    ).toEqual([
      'throughline.cache.cdn.certificateArn: domainNames and certificateArn go together: CloudFront serves its own names only with a certificate that covers them',
      'throughline.cache.shards: 200 shards of 3 nodes make 600 nodes; a replication group holds at most 500 (got 200)',
      'throughline.cache.snapshotWindow: must be at least 60 minutes long (got "05:30-06:00")',
      'throughline.cache.maintenanceWindow: must be at least 60 minutes long (got "mon:02:00-mon:02:30")',
    ]);
    // A daily snapshot window meets a weekly maintenance window on its day, across midnight too.
    expect(
      problemsOf({ cache: { snapshotWindow: '23:30-00:30', maintenanceWindow: 'sat:23:00-sun:01:00' } }),
    ).toEqual([
      expect.stringMatching(/^throughline\.cache\.snapshotWindow: must not overlap the maintenance window/),
    ]);
    // (a window over 24 hours also meets every daily one)
    expect(problemsOf({ cache: { maintenanceWindow: 'sun:00:00-mon:01:00' } })).toEqual([
      'throughline.cache.maintenanceWindow: must be at most 24 hours long (got "sun:00:00-mon:01:00")',
      expect.stringMatching(/^throughline\.cache\.snapshotWindow: must not overlap/),
    ]);
    const ok = parseSettings({
      cache: {
        snapshotWindow: '22:00-23:00',
        maintenanceWindow: 'sat:23:00-sun:01:00',
        cdn: {
          domainNames: ['perf.example.com'],
          certificateArn:
            'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
        },
      },
    });
    expect(ok.cache.cdn.domainNames).toEqual(['perf.example.com']);
    expect(parseSettings({ cache: { enabled: false } }).cache).toMatchObject({
      enabled: false,
      cdn: { enabled: true },
    });
  });

  it('checks what spans blocks: only registered targets are scaled, and provisioned concurrency fits the account', () => {
    expect(
      problemsOf({
        monitoring: {
          targets: {
            ecsServices: [{ cluster: 'shop', service: 'web' }],
            elasticacheClusters: [{ replicationGroupId: 'sessions' }],
          },
        },
        capacity: { limits: { lambdaConcurrency: 300 } },
        scaling: {
          api: {
            routes: ['GetTest', 'GetResults', 'ListTests'],
            max: 100,
            schedules: [{ name: 'peak', schedule: 'cron(0 8 ? * MON-FRI *)', max: 250 }],
          },
          elasticache: [
            { replicationGroupId: 'sessions', replicas: { min: 1, max: 2 } },
            { replicationGroupId: 'other', shards: { min: 1, max: 2 } },
            { replicationGroupId: 'sessions', shards: { min: 1, max: 2 } },
          ],
          ecsServices: [{ cluster: 'shop', service: 'checkout', min: 1, max: 3 }],
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^throughline\.scaling\.elasticache\[1\]\.replicationGroupId: must be registered in monitoring\.targets\.elasticacheClusters .*\(got "other"\)$/,
      ),
      'throughline.scaling.elasticache[2]: scales a replication group named before (got "sessions")',
      expect.stringMatching(
        /^throughline\.scaling\.ecsServices\[0\]: must be registered in monitoring\.targets\.ecsServices .*\(got "shop\/checkout"\)$/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.schedules\[0\]\.max: must be at most 200: the account's Lambda concurrency \(300, capacity\.limits\.lambdaConcurrency\) less the 100 .* \(got 250\)$/,
      ),
      expect.stringMatching(
        /^throughline\.scaling\.api\.routes: 3 routes at max 100 would provision 300; at most 200 fit/,
      ),
    ]);
    expect(problemsOf({ scaling: { api: { max: 901 } } })).toEqual([
      expect.stringMatching(
        /^throughline\.scaling\.api\.max: must be at most 900: the account's Lambda concurrency \(1000/,
      ),
    ]);
    // The same blocks, valid: registered, within the account.
    const ok = parseSettings({
      monitoring: { targets: { ecsServices: [{ cluster: 'shop', service: 'checkout' }] } },
      scaling: { ecsServices: [{ cluster: 'shop', service: 'checkout', min: 1, max: 3 }] },
    });
    expect(ok.scaling.ecsServices[0]).toEqual({
      cluster: 'shop',
      service: 'checkout',
      min: 1,
      max: 3,
      targetCpuPercent: 60,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
      schedules: [],
    });
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

describe('schedule expressions', () => {
  it.each([
    'cron(0 8 ? * MON-FRI *)',
    'cron(30 18 * * ? *)',
    'cron(0 0 1 JAN ? 2030)',
    'cron(0/15 * * * ? *)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(2 days)',
    'at(2030-11-27T06:00:00)',
    'at(2032-02-29T23:59:59)',
  ])('accepts %s as Application Auto Scaling does', (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    'cron(0 8 * * *)',
    'cron(0 8 * * * *)',
    'cron(0 8 ? * ? *)',
    'cron(0 8 ? * FUNDAY *)',
    'rate(0 minutes)',
    'rate(1 minutes)',
    'rate(2 hour)',
    'rate(5 weeks)',
    'at(2030-02-30T06:00:00)',
    'at(2030-11-27 06:00:00)',
    'at(2030-11-27T24:00:00)',
    '0 8 * * *',
  ])('rejects %j', (expression) => {
    expect(scheduleProblem(expression)).toEqual(expect.any(String));
  });

  it('knows IANA time zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
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
    expect(rowsOf(settingsDoc)).toEqual({
      ...asDocumented(DEFAULTS),
      alarmEmail: 'none',
      capacity: 'none',
      'cache.cdn.certificateArn': 'none',
    });
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
