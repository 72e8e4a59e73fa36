import type { Quotas } from '../core/tests/quotas';
import { policyProblems } from '../core/tests/target-policy';
import type { PlatformPolicy } from '../core/tests/test-service';
import { DEFAULT_QUOTAS } from '../model/defaults';
import { parseDuration } from '../model/duration';
import { type CacheConfig, readCache } from './cache';
import { type Env, fail, intVar, type Problems } from './parse';

export interface LocalConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly policy: PlatformPolicy;
  /** Worker threads each test is split over. */
  readonly workers: number;
  /** Port of the demo target `npm start` runs beside the API; 0 = none. */
  readonly demoTargetPort: number;
  /** The response cache (L1 + disk, Redis with THROUGHLINE_REDIS_URL); absent: no cache. */
  readonly cache?: CacheConfig;
}

/**
 * Local mode (`npm start`, the CLI). Defaults: loopback targets only, and the quotas a deployment
 * has by default (DEFAULT_QUOTAS), so that a test that runs here runs there.
 */
export function localConfig(env: Env = process.env, cwd: string = process.cwd()): LocalConfig {
  const problems: Problems = [];
  const extra = (env.THROUGHLINE_ALLOWED_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const allowedTargets = ['loopback', ...extra];
  for (const p of policyProblems({ allowedTargets })) problems.push(`THROUGHLINE_ALLOWED_TARGETS: ${p}`);
  const rawDuration = env.THROUGHLINE_MAX_DURATION;
  const maxDurationMs =
    rawDuration === undefined ? DEFAULT_QUOTAS.maxDurationSeconds * 1_000 : parseDuration(rawDuration);
  if (!maxDurationMs)
    problems.push(`THROUGHLINE_MAX_DURATION=${JSON.stringify(rawDuration)}: a duration like "30m"`);
  const quotas: Quotas = {
    maxVus: intVar(env, 'THROUGHLINE_MAX_VUS', DEFAULT_QUOTAS.maxVus, 1, 10_000_000, problems),
    maxRps: intVar(env, 'THROUGHLINE_MAX_RPS', DEFAULT_QUOTAS.maxRps, 1, 100_000_000, problems),
    maxDurationMs: maxDurationMs ?? DEFAULT_QUOTAS.maxDurationSeconds * 1_000,
    maxConcurrentTests: intVar(
      env,
      'THROUGHLINE_MAX_CONCURRENT_TESTS',
      DEFAULT_QUOTAS.maxConcurrentTests,
      1,
      1_000,
      problems,
    ),
  };
  const config: LocalConfig = {
    port: intVar(env, 'PORT', 8787, 0, 65_535, problems),
    dataDir: env.THROUGHLINE_DATA_DIR || `${cwd}/.throughline`,
    policy: { targets: { allowedTargets }, quotas },
    workers: intVar(env, 'THROUGHLINE_WORKERS', 1, 1, 64, problems),
    demoTargetPort: intVar(env, 'DEMO_TARGET_PORT', 8080, 0, 65_535, problems),
    cache: readCache(env, problems),
  };
  if (problems.length > 0) fail(problems);
  return config;
}
