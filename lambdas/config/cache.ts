import { DEFAULT_RESULTS_MAX_AGE_SECONDS, MAX_CDN_TTL_SECONDS } from '../model/defaults';
import { type Env, fail, intVar, type Problems, requiredVar } from './parse';

/** Where the platform's own cache keeps entries (L1 in memory always; disk; Valkey/Redis when configured). */
export interface CacheConfig {
  /** THROUGHLINE_CACHE=off turns the platform's response cache off. */
  readonly enabled: boolean;
  /** L2 size cap (THROUGHLINE_CACHE_DISK_MB, default 256). */
  readonly diskMaxBytes: number;
  /** L3: `redis://` / `rediss://` URL (local: THROUGHLINE_REDIS_URL) or the ElastiCache endpoint. */
  readonly redis?:
    | { readonly mode: 'standalone'; readonly url: string }
    | { readonly mode: 'cluster'; readonly host: string; readonly port: number; readonly tls: boolean };
  /** Secrets Manager secret holding the ElastiCache AUTH token (THROUGHLINE_CACHE_AUTH_SECRET_ARN). */
  readonly authSecretArn?: string;
  /** SQS queue the CDN invalidation worker reads (THROUGHLINE_CDN_QUEUE_URL). */
  readonly cdnQueueUrl?: string;
  /**
   * Cache-Control max-age of finished results and reports (THROUGHLINE_CDN_RESULTS_TTL_SECONDS / _REPORTS_,
   * which the stack sets to the CDN's TTLs); default DEFAULT_RESULTS_MAX_AGE_SECONDS.
   */
  readonly resultsTtlSeconds: number;
  readonly reportsTtlSeconds: number;
  /**
   * THROUGHLINE_CDN_PUBLISH_REPORTS=true (the stack sets it on aggregate-run with the CDN): finished
   * reports are published to the results bucket's reports/ prefix, the CDN's origin.
   */
  readonly publishReports: boolean;
}

/** The cache's settings on AWS: the region its Secrets Manager and SQS clients use. */
export interface AwsCacheConfig extends CacheConfig {
  readonly region: string;
}

/** The cache's variables; local mode reads them beside its own, so that one error names them all. */
export function readCache(env: Env, problems: Problems): CacheConfig {
  const enabled = (env.THROUGHLINE_CACHE ?? 'on') !== 'off';
  if (!['on', 'off'].includes(env.THROUGHLINE_CACHE ?? 'on'))
    problems.push(`THROUGHLINE_CACHE=${JSON.stringify(env.THROUGHLINE_CACHE)}: "on" or "off"`);
  const diskMb = intVar(env, 'THROUGHLINE_CACHE_DISK_MB', 256, 1, 10_240, problems);
  let redis: CacheConfig['redis'];
  const url = env.THROUGHLINE_REDIS_URL;
  if (url) {
    if (!/^rediss?:\/\/[^\s]+$/.test(url) || !URL.canParse(url))
      problems.push('THROUGHLINE_REDIS_URL: a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
    else redis = { mode: 'standalone', url };
  }
  const endpoint = env.THROUGHLINE_CACHE_ENDPOINT;
  if (endpoint) {
    const m = /^([\w.-]+):(\d{1,5})$/.exec(endpoint);
    if (!m) problems.push(`THROUGHLINE_CACHE_ENDPOINT=${JSON.stringify(endpoint)}: host:port`);
    else
      redis = {
        mode: 'cluster',
        host: m[1] as string,
        port: Number(m[2]),
        tls: env.THROUGHLINE_CACHE_TLS === 'true',
      };
  }
  const publish = env.THROUGHLINE_CDN_PUBLISH_REPORTS ?? 'false';
  if (!['true', 'false'].includes(publish))
    problems.push(`THROUGHLINE_CDN_PUBLISH_REPORTS=${JSON.stringify(publish)}: "true" or "false"`);
  const ttl = (name: string) =>
    intVar(env, name, DEFAULT_RESULTS_MAX_AGE_SECONDS, 0, MAX_CDN_TTL_SECONDS, problems);
  return {
    enabled,
    diskMaxBytes: diskMb * 1024 * 1024,
    ...(redis ? { redis } : {}),
    ...(env.THROUGHLINE_CACHE_AUTH_SECRET_ARN
      ? { authSecretArn: env.THROUGHLINE_CACHE_AUTH_SECRET_ARN }
      : {}),
    ...(env.THROUGHLINE_CDN_QUEUE_URL ? { cdnQueueUrl: env.THROUGHLINE_CDN_QUEUE_URL } : {}),
    resultsTtlSeconds: ttl('THROUGHLINE_CDN_RESULTS_TTL_SECONDS'),
    reportsTtlSeconds: ttl('THROUGHLINE_CDN_REPORTS_TTL_SECONDS'),
    publishReports: publish === 'true',
  };
}

/** The cache's settings on their own (localConfig reads them with the rest; awsCacheConfig with the region). */
export function cacheConfig(env: Env = process.env): CacheConfig {
  const problems: Problems = [];
  const config = readCache(env, problems);
  if (problems.length > 0) fail(problems);
  return config;
}

/** A Lambda's cache (the CacheTier's variables) and the region its clients talk to. */
export function awsCacheConfig(env: Env = process.env): AwsCacheConfig {
  const problems: Problems = [];
  const region = requiredVar(env, 'AWS_REGION', problems);
  const config = readCache(env, problems);
  if (problems.length > 0) fail(problems);
  return { ...config, region };
}

export interface CdnInvalidationConfig {
  readonly region: string;
  /** The CloudFront distribution whose paths the worker invalidates (THROUGHLINE_CDN_DISTRIBUTION_ID). */
  readonly distributionId: string;
}

/** The CDN invalidation worker (cdn-invalidation-worker): where it runs and which distribution it invalidates. */
export function cdnInvalidationConfig(env: Env = process.env): CdnInvalidationConfig {
  const problems: Problems = [];
  const region = requiredVar(env, 'AWS_REGION', problems);
  const distributionId = requiredVar(env, 'THROUGHLINE_CDN_DISTRIBUTION_ID', problems);
  if (distributionId && !/^[A-Z0-9]{10,20}$/.test(distributionId))
    problems.push(
      `THROUGHLINE_CDN_DISTRIBUTION_ID=${JSON.stringify(distributionId)}: a CloudFront distribution id such as "E2QWRUHAPOMQZL"`,
    );
  if (problems.length > 0) fail(problems);
  return { region, distributionId };
}
