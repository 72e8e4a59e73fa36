/**
 * Defaults and limits that the deployment (lib/config, from cdk.json) and the runtime
 * (lambdas/config, from the environment) both apply, kept here once so that the two cannot drift
 * apart: a test that runs under `npm start` runs the same when deployed. Pure data (lib/ imports it).
 * docs/configuration.md and README.md document these values.
 */

/** The quotas every test is checked against unless a deployment or the environment says otherwise. */
export const DEFAULT_QUOTAS: {
  /** Peak virtual users of one test. */
  readonly maxVus: number;
  /** Peak arrival rate (requests per second) of one test. */
  readonly maxRps: number;
  /** Longest test, stages and graceful stops included. */
  readonly maxDurationSeconds: number;
  /** Tests queued or running at once. */
  readonly maxConcurrentTests: number;
} = {
  maxVus: 1_000,
  maxRps: 5_000,
  maxDurationSeconds: 3_600,
  maxConcurrentTests: 5,
};

/**
 * Cache-Control max-age of finished results where the deployment gives no CDN TTL (local mode, and
 * routes that do not serve the CDN). Deployed CDNs use their own, longer TTLs (cache.cdn in cdk.json),
 * because re-aggregating a run invalidates them there.
 */
export const DEFAULT_RESULTS_MAX_AGE_SECONDS = 3_600;

/** CloudFront's largest TTL (one year): no cache policy or Cache-Control can keep objects longer. */
export const MAX_CDN_TTL_SECONDS = 31_536_000;

/**
 * Largest response body a VU keeps for checks and captures (`maxResponseBodyBytes` of a definition):
 * kept bodies are held whole in memory, once per VU in flight. Also the transport's fallback for
 * definitions stored before the option existed.
 */
export const DEFAULT_MAX_RESPONSE_BODY_BYTES = 4 * 1024 * 1024;
