/**
 * Where a finished test's reports are published: `reports/<id>/<file>` in the results bucket, which
 * is also the path viewers ask the CDN for (CloudFront reads the prefix through Origin Access
 * Control, and nothing else of the bucket; ADR 006).
 */
export const REPORTS_PREFIX = 'reports';

/** The key of one published file, and its path below the CDN's root. */
export const reportKey = (testId: string, file: string) => `${REPORTS_PREFIX}/${testId}/${file}`;
