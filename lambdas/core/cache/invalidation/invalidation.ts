import { mapLimit } from '../../map-limit';
import type { InvalidationCounters, TierLabel } from '../tiers/cache-stats';
import type { Flights } from '../tiers/coalesce';
import type { LoadCoordinator } from '../tiers/load-coordinator';
import type { LocalTier } from '../tiers/local-tier';
import { dependentsSet, type RemoteTier, tagSet } from '../tiers/remote-tier';
import type { Tiers } from '../tiers/tiers';
import { MAX_GLOB_LENGTH } from './glob';

/** What to invalidate (the body of `POST /cache/invalidations`); every entry found goes with its dependents. */
export interface InvalidationRequest {
  readonly keys?: readonly string[];
  /** Redis globs: `*`, `?`, `[a-z]`, `\` escapes. */
  readonly patterns?: readonly string[];
  readonly tags?: readonly string[];
}

export interface InvalidationResult {
  /** Keys invalidated by name, L1 pattern match, tag or cascade (remote pattern matches are counted in `removed`). */
  readonly keys: number;
  /** Of `keys`, those reached only as dependents. */
  readonly cascaded: number;
  /** Entries each tier reported removing. */
  readonly removed: Partial<Record<TierLabel, number>>;
  /** Tiers that failed or were skipped (breaker open) meanwhile: entries there may live until their TTL. */
  readonly incomplete: readonly TierLabel[];
}

interface Normalized {
  readonly keys: readonly string[];
  readonly patterns: readonly string[];
  readonly tags: readonly string[];
}

/** Cross-instance message: what the publisher invalidated, for the others' L1 (and per-instance L2). */
interface BusMessage extends Normalized {
  readonly v: 1;
  readonly from: string;
  readonly clear: boolean;
}

interface Scope {
  readonly l1: LocalTier;
  readonly remotes: readonly RemoteTier[];
}

const LOOKUPS_AT_ONCE = 32;
/** Keys per bus message, so one invalidation of a large tag stays well under pub/sub limits. */
const KEYS_PER_MESSAGE = 1_000;

/**
 * Invalidation in every tier, then on the bus. The epoch is bumped before and after, and loads of
 * the keys are superseded, so neither a read nor a load that overlapped the invalidation writes the
 * old value back. Remote tiers go before L1: a read in between then finds nothing below to promote.
 */
export class Invalidator {
  constructor(
    private readonly tiers: Tiers,
    private readonly flights: Flights,
    private readonly loads: LoadCoordinator,
    private readonly counters: InvalidationCounters,
    private readonly instanceId: string,
    private readonly publish: (message: string) => Promise<void>,
  ) {}

  /**
   * `replaced`: keys a set() just overwrote. Their dependents go, they stay, and other instances
   * are told to drop their (now old) copies.
   */
  async invalidate(
    request: InvalidationRequest,
    replaced: readonly string[] = [],
  ): Promise<InvalidationResult> {
    const n = normalize(request);
    const c = this.counters;
    if (replaced.length === 0) c.requests++;
    c.patterns += n.patterns.length;
    c.tags += n.tags.length;
    const { remotes } = this.tiers;
    const failuresBefore = remotes.map(failures);
    const outcome = await this.apply({ l1: this.tiers.l1, remotes }, n, replaced);
    c.keys += outcome.keys.length;
    c.cascaded += outcome.cascaded;
    const incomplete = remotes
      .filter((t, i) => failures(t) > (failuresBefore[i] as number))
      .map((t) => t.label);
    const announced = [...new Set([...outcome.keys, ...replaced])];
    const messages: string[] = [];
    for (let i = 0; i === 0 || i < announced.length; i += KEYS_PER_MESSAGE) {
      const first = i === 0;
      messages.push(
        JSON.stringify({
          v: 1,
          from: this.instanceId,
          keys: announced.slice(i, i + KEYS_PER_MESSAGE),
          patterns: first ? n.patterns : [],
          tags: first ? n.tags : [],
          clear: false,
        } satisfies BusMessage),
      );
    }
    await Promise.all(messages.map(this.publish));
    return { keys: outcome.keys.length, cascaded: outcome.cascaded, removed: outcome.removed, incomplete };
  }

  async clear(): Promise<void> {
    this.clearLocal();
    await Promise.all(this.tiers.remotes.map((tier) => tier.clear()));
    this.tiers.epoch++;
    const message: BusMessage = {
      v: 1,
      from: this.instanceId,
      keys: [],
      patterns: [],
      tags: [],
      clear: true,
    };
    await this.publish(JSON.stringify(message));
  }

  /** A message from the bus: applied to L1 and the tiers that are not shared (the publisher did those). */
  async receive(raw: string): Promise<void> {
    const message = parse(raw);
    if (message === undefined || message.from === this.instanceId) return;
    this.counters.received++;
    const local = this.tiers.remotes.filter((tier) => !tier.shared);
    if (message.clear) {
      this.clearLocal();
      await Promise.all(local.map((tier) => tier.clear()));
      this.tiers.epoch++;
      return;
    }
    await this.apply({ l1: this.tiers.l1, remotes: local }, message, []);
  }

  private clearLocal(): void {
    this.tiers.epoch++;
    this.flights.supersedeAll();
    this.loads.forget();
    this.tiers.l1.clear();
  }

  private async apply(scope: Scope, n: Normalized, dependentsOf: readonly string[]) {
    this.tiers.epoch++;
    this.flights.supersede(n.keys, n.patterns);
    const outcome = await invalidateIn(scope, n, dependentsOf);
    this.flights.supersede(outcome.keys);
    this.loads.forget(outcome.keys);
    this.tiers.epoch++;
    return outcome;
  }
}

/** Resolves the request to keys in `scope`, adds their dependents transitively, removes them all. */
async function invalidateIn(scope: Scope, n: Normalized, dependentsOf: readonly string[]) {
  const roots = new Set(n.keys);
  for (const pattern of n.patterns) for (const key of scope.l1.keysMatching(pattern)) roots.add(key);
  const tagged = await mapLimit(n.tags, LOOKUPS_AT_ONCE, async (tag) => [
    ...scope.l1.keysTagged(tag),
    ...(await Promise.all(scope.remotes.map((tier) => tier.members(tagSet(tag))))).flat(),
  ]);
  for (const keys of tagged) for (const key of keys) roots.add(key);

  const spared = new Set(dependentsOf.filter((key) => !roots.has(key)));
  const { reached, parents } = await cascade([...roots, ...spared], async (key) => [
    ...scope.l1.dependentsOf(key),
    ...(await Promise.all(scope.remotes.map((tier) => tier.members(dependentsSet(key))))).flat(),
  ]);
  const keys = reached.filter((key) => !spared.has(key));

  const removed: Partial<Record<TierLabel, number>> = {};
  await Promise.all(
    scope.remotes.map(async (tier) => {
      const counts = await Promise.all([tier.remove(keys), ...n.patterns.map((p) => tier.removePattern(p))]);
      await tier.removeSets([...n.tags.map(tagSet), ...parents.map(dependentsSet)]);
      removed[tier.label] = counts.reduce((a, b) => a + b, 0);
    }),
  );
  let l1 = 0;
  for (const key of keys) if (scope.l1.delete(key)) l1++;
  removed.L1 = l1;
  return { keys, cascaded: keys.length - roots.size, removed };
}

/**
 * Breadth-first over "depends on" edges from `roots`; each key is visited once, so cycles end.
 * `parents`: keys that had dependents (their dependency sets can go).
 */
export async function cascade(
  roots: readonly string[],
  dependentsOf: (key: string) => Promise<readonly string[]>,
): Promise<{ readonly reached: string[]; readonly parents: string[] }> {
  const seen = new Set(roots);
  const parents: string[] = [];
  let level = [...seen];
  while (level.length > 0) {
    const found = await mapLimit(level, LOOKUPS_AT_ONCE, dependentsOf);
    const next: string[] = [];
    level.forEach((key, i) => {
      const dependents = found[i] as readonly string[];
      if (dependents.length > 0) parents.push(key);
      for (const d of dependents) {
        if (!seen.has(d)) {
          seen.add(d);
          next.push(d);
        }
      }
    });
    level = next;
  }
  return { reached: [...seen], parents };
}

function normalize(r: InvalidationRequest): Normalized {
  const list = (v: readonly string[] | undefined) => [...new Set(v ?? [])].filter((s) => s.length > 0);
  return { keys: list(r.keys), patterns: list(r.patterns), tags: list(r.tags) };
}

const failures = (tier: RemoteTier): number =>
  tier.counters.errors + tier.counters.timeouts + tier.counters.skipped;

/** Bus input is outside data: anything malformed is ignored, never thrown into the subscriber. */
function parse(raw: string): BusMessage | undefined {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (
    o.v !== 1 ||
    typeof o.from !== 'string' ||
    !strings(o.keys) ||
    !strings(o.patterns) ||
    !strings(o.tags) ||
    // A peer built on the API's limits never sends these; refusing them keeps glob work bounded.
    o.patterns.some((p) => p.length > MAX_GLOB_LENGTH)
  ) {
    return undefined;
  }
  return { v: 1, from: o.from, keys: o.keys, patterns: o.patterns, tags: o.tags, clear: o.clear === true };
}
