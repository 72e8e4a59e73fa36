import {
  CLOUDFRONT_INVALIDATION_LIMITS,
  type InvalidationLimits,
  invalidationMessageSchema,
} from './invalidation-message';

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
 *   5. a call refused with TooManyInvalidationsInProgress stops that kind for this batch
 *      (invalidate-batch.ts, which sends the plan).
 *
 * A message succeeds only when every path it asked for went out; the others are reported back as
 * batch item failures, and SQS delivers them again once their visibility timeout has passed.
 */

/** Directories holding this many paths of a batch are invalidated with one wildcard instead. */
export const DEFAULT_COLLAPSE_AT = 10;

/**
 * The shallowest wildcard a collapse may produce: `/a/b/*` (depth 2). A message may still ask for
 * `/*` itself; the worker never widens a batch that far on its own.
 */
export const DEFAULT_MIN_COLLAPSE_DEPTH = 2;

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
