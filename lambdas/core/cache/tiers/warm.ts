import type { Clock } from '../../../ports/clock';
import { mapLimit } from '../../map-limit';
import { CacheError } from './cache-error';
import type { Flights } from './coalesce';
import type { EntryOptions, ResolvedEntryOptions } from './entry-options';
import type { LoadCoordinator, Loader } from './load-coordinator';
import type { Tiers } from './tiers';

export interface WarmOptions extends EntryOptions {
  /** Loads at once; default the cache's warmConcurrency. */
  readonly concurrency?: number;
  /** Reload keys that are already fresh (scheduled warming ahead of expiry). Default false. */
  readonly force?: boolean;
}

export interface WarmResult {
  readonly loaded: number;
  /** Already fresh in some tier (not reloaded unless `force`). */
  readonly alreadyFresh: number;
  /** A loader failure fails its key only; warming goes on with the others. */
  readonly failed: readonly { readonly key: string; readonly error: string }[];
}

export interface WarmContext {
  readonly clock: Clock;
  readonly tiers: Tiers;
  readonly flights: Flights;
  readonly loads: LoadCoordinator;
  readonly defaultConcurrency: number;
  /** Validates a key with its options (throws before any load starts). */
  readonly check: (key: string, options: EntryOptions) => ResolvedEntryOptions;
}

/**
 * Loads keys ahead of demand (e.g. `cache.popularKeys(100)` on a schedule) through the same
 * coalescing and L3 lock as getOrSet, so warming never stampedes the origin either. Its lookups
 * are not traffic: they count no hits, misses or popularity.
 */
export async function warmKeys<T>(
  ctx: WarmContext,
  keys: readonly string[],
  loader: Loader<T>,
  options: WarmOptions,
): Promise<WarmResult> {
  const { concurrency = ctx.defaultConcurrency, force = false, ...entry } = options;
  const unique = [...new Set(keys)];
  const resolved = unique.map((key) => ctx.check(key, entry));
  if (!(Number.isSafeInteger(concurrency) && concurrency > 0)) {
    throw new CacheError('E_CACHE_INVALID_ARGUMENT', 'warm: concurrency must be an integer > 0', {
      details: [{ path: 'concurrency', message: `must be an integer > 0, got ${String(concurrency)}` }],
    });
  }
  let loaded = 0;
  let alreadyFresh = 0;
  const failed: { key: string; error: string }[] = [];
  await mapLimit(unique, concurrency, async (key, i) => {
    try {
      if (!force && (await isFresh(ctx, key))) {
        alreadyFresh++;
        return;
      }
      const flight =
        ctx.flights.get<T>(key) ??
        ctx.flights.run<T>(key, ctx.tiers.epoch, (f) =>
          ctx.loads.load({
            key,
            loader,
            options: resolved[i] as ResolvedEntryOptions,
            current: undefined,
            // Forced: a value already in L3 is the one being replaced, not another process's load.
            newerThan: force ? ctx.clock.now() : Number.NEGATIVE_INFINITY,
            background: false,
            flight: f,
          }),
        );
      await flight.promise;
      loaded++;
    } catch (error) {
      failed.push({ key, error: error instanceof Error ? error.message : String(error) });
    }
  });
  return { loaded, alreadyFresh, failed };
}

async function isFresh(ctx: WarmContext, key: string): Promise<boolean> {
  const local = ctx.tiers.local(key, ctx.clock.now(), false);
  if (local !== undefined && local.expiresAt > ctx.clock.now()) return true;
  return (await ctx.tiers.lookupRemote(key, undefined, false))?.fresh === true;
}
