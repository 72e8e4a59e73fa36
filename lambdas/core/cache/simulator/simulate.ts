import { createMemoryCache } from '../policies/create-memory-cache';
import { EVICTION_POLICIES, type EvictionPolicy } from '../policies/memory-cache';

/**
 * Replays a key trace through the real L1 policies (demand fill: a miss stores the key), so a team
 * can pick a policy from its own access log. Time advances one millisecond per access, so TTL-free
 * entries never expire and the `ttl` policy degrades to insertion order, as it would with equal TTLs.
 */

export interface SimulationResult {
  readonly policy: EvictionPolicy;
  readonly hitRatio: number;
  readonly evictions: number;
  readonly hits: number;
  readonly misses: number;
}

/** One policy fed key by key (a trace streamed from a file needs no more memory than the cache). */
export function policySimulation(capacity: number, policy: EvictionPolicy) {
  let tick = 0;
  const cache = createMemoryCache<true>({ policy, maxEntries: capacity, now: () => tick });
  return {
    access(key: string): void {
      tick++;
      if (cache.get(key) === undefined) cache.set(key, true);
    },
    result(): SimulationResult {
      const { hits, misses, evictions } = cache.stats();
      const total = hits + misses;
      return {
        policy,
        hitRatio: total === 0 ? 0 : Math.round((hits / total) * 10_000) / 10_000,
        evictions,
        hits,
        misses,
      };
    },
  };
}

export function simulate(
  trace: Iterable<string>,
  capacity: number,
  policy: EvictionPolicy,
): SimulationResult {
  const run = policySimulation(capacity, policy);
  for (const key of trace) run.access(key);
  return run.result();
}

export function simulateAll(
  trace: readonly string[],
  capacity: number,
  policies: readonly EvictionPolicy[] = EVICTION_POLICIES,
): SimulationResult[] {
  return policies.map((p) => simulate(trace, capacity, p));
}
