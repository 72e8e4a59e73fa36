import { z } from 'zod';

/**
 * CDN invalidation, batched (ADR 006). Producers (the aggregate step, POST /cache/invalidations)
 * queue messages of paths; the worker takes hundreds of messages at once and turns them into as
 * few CreateInvalidation calls as CloudFront allows:
 *
 *   1. every message is validated on its own (a bad one fails alone, and ends in the dead-letter queue);
 *   2. duplicates go, and so does every path a wildcard in the batch already covers;
 *   3. a directory holding `collapseAt` or more paths becomes one wildcard (`/performance/tests/abc/*`):
 *      CloudFront charges per path and a wildcard counts as one;
 *   4. what is left is split by kind, files and wildcards, because CloudFront limits each separately
 *      (3,000 file paths and 15 wildcard paths in progress per distribution). Oldest requests go
 *      first; what does not fit is not sent;
 *   5. a call refused with TooManyInvalidationsInProgress stops that kind for this batch.
 *
 * A message succeeds only when every path it asked for went out; the others are reported back as
 * batch item failures, and SQS delivers them again once their visibility timeout has passed.
 */

/** CloudFront's limits on invalidations in progress per distribution. */
export const CLOUDFRONT_INVALIDATION_LIMITS: InvalidationLimits = { filePaths: 3000, wildcardPaths: 15 };

/** Directories holding this many paths of a batch are invalidated with one wildcard instead. */
export const DEFAULT_COLLAPSE_AT = 10;

/**
 * The shallowest wildcard a collapse may produce: `/a/b/*` (depth 2). A message may still ask for
 * `/*` itself; the worker never widens a batch that far on its own.
 */
export const DEFAULT_MIN_COLLAPSE_DEPTH = 2;

/** Longest path accepted (CloudFront counts the path in its 4,000-character request fields). */
export const MAX_PATH_LENGTH = 1024;

export interface InvalidationLimits {
  /** Paths without a wildcard in progress at once. */
  readonly filePaths: number;
  /** Paths ending in `*` in progress at once. */
  readonly wildcardPaths: number;
}

export interface PlanOptions {
  readonly limits?: InvalidationLimits;
  /** @default DEFAULT_COLLAPSE_AT */
  readonly collapseAt?: number;
  /** @default DEFAULT_MIN_COLLAPSE_DEPTH */
  readonly minCollapseDepth?: number;
}

/** One queued message: its id (the SQS message id) and the paths it asks for. */
export interface InvalidationRequest {
  readonly id: string;
  readonly paths: readonly string[];
}

export type PathKind = 'files' | 'wildcards';

/** One CreateInvalidation call: its paths and the requests they serve. */
export interface InvalidationCall {
  readonly kind: PathKind;
  readonly paths: readonly string[];
  /** Ids of every request this call serves, in arrival order. */
  readonly requestIds: readonly string[];
}

export interface InvalidationPlan {
  readonly calls: readonly InvalidationCall[];
  /** Requests that could not be served whole within the limits: retried later. */
  readonly deferred: readonly string[];
  /** Requests that are not valid: never sent (they end in the dead-letter queue). */
  readonly rejected: readonly { readonly id: string; readonly problems: readonly string[] }[];
}

/** What the CDN port answers to one call. */
export type InvalidationResult =
  | { readonly status: 'created'; readonly id: string }
  /** CloudFront's TooManyInvalidationsInProgress: nothing was created. */
  | { readonly status: 'throttled'; readonly message: string };

/** The CDN (CloudFront CreateInvalidation); the adapter maps the SDK's errors to these results. */
export interface CdnInvalidator {
  /**
   * Invalidates `paths` at once. `requestIds` identify the requests served: the same paths for the
   * same requests are one invalidation however often they are sent (a redelivered batch).
   * Rejects on anything but success or throttling.
   */
  invalidate(paths: readonly string[], requestIds: readonly string[]): Promise<InvalidationResult>;
}

export interface InvalidationOutcome {
  /** Invalidations created, in the order they were sent. */
  readonly created: readonly { readonly id: string; readonly call: InvalidationCall }[];
  /** Ids of the requests to deliver again (SQS batch item failures), in arrival order. */
  readonly failed: readonly string[];
  readonly rejected: InvalidationPlan['rejected'];
  /** The kinds CloudFront refused because too many invalidations were in progress. */
  readonly throttled: readonly PathKind[];
  /** Calls that failed otherwise (permissions, a missing distribution, the network). */
  readonly errors: readonly { readonly call: InvalidationCall; readonly error: unknown }[];
}

const pathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATH_LENGTH, `must be at most ${MAX_PATH_LENGTH} characters`)
  .refine((p) => p.startsWith('/'), 'must start with "/"')
  .refine((p) => /^[\x21-\x7e]*$/.test(p), 'must be URL-encoded (printable ASCII, no spaces)')
  .refine((p) => !/[?#]/.test(p), 'must not hold a query string or fragment: end the path with "*" instead')
  .refine((p) => !p.slice(0, -1).includes('*'), 'may hold "*" only as its last character');

/** The body of a queued message: `{"paths": ["/performance/tests/abc/*"]}`. */
export const invalidationMessageSchema = z.strictObject({
  paths: z
    .array(pathSchema)
    .min(1, 'must name at least one path')
    .max(
      CLOUDFRONT_INVALIDATION_LIMITS.filePaths,
      `must name at most ${CLOUDFRONT_INVALIDATION_LIMITS.filePaths} paths`,
    ),
});

export type InvalidationMessage = z.infer<typeof invalidationMessageSchema>;

/** The message body producers send (validated, so a bad path fails at the producer). */
export function invalidationMessage(paths: readonly string[]): string {
  return JSON.stringify(invalidationMessageSchema.parse({ paths }));
}

/** A message body → its paths, or every problem with it. */
export function parseInvalidationMessage(
  body: string,
): { readonly paths: readonly string[] } | { readonly problems: readonly string[] } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { problems: [`is not JSON: ${(err as Error).message}`] };
  }
  const parsed = invalidationMessageSchema.safeParse(value);
  if (parsed.success) return { paths: parsed.data.paths };
  return {
    problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'message'}: ${i.message}`),
  };
}

const isWildcard = (path: string) => path.endsWith('*');
/** The prefix a wildcard stands for (`/a/*` → `/a/`). */
const stemOf = (wildcard: string) => wildcard.slice(0, -1);
/** `/a/b/c` → 2 directories deep (`/a/b/`); `/a/b/*` → 2. */
const depthOf = (dir: string) => dir.split('/').length - 2;

/** A path with the requests (by arrival index) that asked for it, directly or through what it covers. */
interface Entry {
  readonly path: string;
  readonly requests: Set<number>;
}

const firstRequest = (e: Entry) => Math.min(...e.requests);
/** Code-unit order: the same on every machine, whatever its locale. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Keeps one entry per path and drops what a wildcard of the batch covers, merging their requests. */
function removeCovered(entries: Map<string, Entry>): Map<string, Entry> {
  // Shortest stems first: a path is merged into the widest wildcard that covers it.
  const wildcards = [...entries.values()]
    .filter((e) => isWildcard(e.path))
    .sort((a, b) => a.path.length - b.path.length);
  const kept = new Map<string, Entry>();
  for (const entry of entries.values()) {
    const cover = wildcards.find((w) => w !== entry && entry.path.startsWith(stemOf(w.path)));
    if (cover === undefined) kept.set(entry.path, entry);
    else for (const r of entry.requests) cover.requests.add(r);
  }
  // A covering wildcard may itself have been covered: fold transitively.
  return kept.size === entries.size ? kept : removeCovered(kept);
}

/** Replaces the paths under a directory by `dir*` when it holds `collapseAt` or more, deepest first. */
function collapse(entries: Map<string, Entry>, collapseAt: number, minDepth: number): Map<string, Entry> {
  const dirsOf = (path: string) => {
    const stem = isWildcard(path) ? stemOf(path) : path;
    // Every proper ancestor directory: `/a/b/c` → `/a/b/`, `/a/`, `/`; `/a/b/*` → `/a/`, `/`.
    const dirs: string[] = [];
    for (
      let i = stem.lastIndexOf('/', stem.length - 2);
      i >= 0;
      i = i === 0 ? -1 : stem.lastIndexOf('/', i - 1)
    )
      dirs.push(stem.slice(0, i + 1));
    return dirs;
  };
  const candidates = new Set<string>();
  for (const path of entries.keys())
    for (const dir of dirsOf(path)) if (depthOf(dir) >= minDepth) candidates.add(dir);
  const current = new Map(entries);
  for (const dir of [...candidates].sort((a, b) => depthOf(b) - depthOf(a) || byText(a, b))) {
    // (`dir*` itself is not in the map: removeCovered dropped everything under it already)
    const inside = [...current.values()].filter((e) => e.path.startsWith(dir));
    if (inside.length < collapseAt) continue;
    for (const e of inside) current.delete(e.path);
    current.set(`${dir}*`, { path: `${dir}*`, requests: new Set(inside.flatMap((e) => [...e.requests])) });
  }
  return current;
}

/** Turns a batch of requests into CreateInvalidation calls within CloudFront's limits. Pure. */
export function planInvalidations(
  requests: readonly InvalidationRequest[],
  options: PlanOptions = {},
): InvalidationPlan {
  const limits = options.limits ?? CLOUDFRONT_INVALIDATION_LIMITS;
  const collapseAt = Math.max(2, options.collapseAt ?? DEFAULT_COLLAPSE_AT);
  const minDepth = options.minCollapseDepth ?? DEFAULT_MIN_COLLAPSE_DEPTH;

  const rejected: { id: string; problems: string[] }[] = [];
  let entries = new Map<string, Entry>();
  requests.forEach((request, index) => {
    const parsed = invalidationMessageSchema.safeParse({ paths: request.paths });
    if (!parsed.success) {
      rejected.push({
        id: request.id,
        problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`),
      });
      return;
    }
    for (const path of parsed.data.paths) {
      const entry = entries.get(path) ?? { path, requests: new Set<number>() };
      entry.requests.add(index);
      entries.set(path, entry);
    }
  });
  entries = collapse(removeCovered(entries), collapseAt, minDepth);

  // Oldest request first, then by path, so a batch always plans the same way.
  const ordered = [...entries.values()].sort(
    (a, b) => firstRequest(a) - firstRequest(b) || byText(a.path, b.path),
  );
  const calls: InvalidationCall[] = [];
  const sent = new Set<Entry>();
  for (const kind of ['files', 'wildcards'] as const) {
    const budget = kind === 'files' ? limits.filePaths : limits.wildcardPaths;
    const fitting = ordered.filter((e) => isWildcard(e.path) === (kind === 'wildcards')).slice(0, budget);
    if (fitting.length === 0) continue;
    for (const e of fitting) sent.add(e);
    calls.push({ kind, paths: fitting.map((e) => e.path), requestIds: idsOf(requests, fitting) });
  }
  // Requests with any path left out are retried whole; the paths that did go out are harmless twice.
  const short = new Set(ordered.filter((e) => !sent.has(e)).flatMap((e) => [...e.requests]));
  return {
    calls,
    deferred: [...short].sort((a, b) => a - b).map((i) => requests[i]?.id ?? ''),
    rejected,
  };
}

function idsOf(requests: readonly InvalidationRequest[], entries: readonly Entry[]): string[] {
  const indices = new Set(entries.flatMap((e) => [...e.requests]));
  return [...indices].sort((a, b) => a - b).map((i) => requests[i]?.id ?? '');
}

/** Plans a batch and sends it; which requests must be delivered again is in `failed`. */
export async function invalidateBatch(
  requests: readonly InvalidationRequest[],
  cdn: CdnInvalidator,
  options: PlanOptions = {},
): Promise<InvalidationOutcome> {
  const plan = planInvalidations(requests, options);
  const created: { id: string; call: InvalidationCall }[] = [];
  const throttled: PathKind[] = [];
  const errors: { call: InvalidationCall; error: unknown }[] = [];
  const unsent = new Set<string>(plan.deferred);
  for (const call of plan.calls) {
    if (throttled.includes(call.kind)) {
      for (const id of call.requestIds) unsent.add(id);
      continue;
    }
    try {
      const result = await cdn.invalidate(call.paths, call.requestIds);
      if (result.status === 'created') created.push({ id: result.id, call });
      else {
        throttled.push(call.kind);
        for (const id of call.requestIds) unsent.add(id);
      }
    } catch (error) {
      errors.push({ call, error });
      for (const id of call.requestIds) unsent.add(id);
    }
  }
  for (const { id } of plan.rejected) unsent.add(id);
  return {
    created,
    failed: requests.map((r) => r.id).filter((id) => unsent.has(id)),
    rejected: plan.rejected,
    throttled,
    errors,
  };
}
