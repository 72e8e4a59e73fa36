import type { TierLabel } from './cache-stats';

/**
 * CloudWatch Embedded Metric Format: one document per tier, since a document carries one value per
 * dimension and the deployed `cache-hit-rate` alarm reads `CacheHitRate` by `Tier` in namespace
 * `Throughline` (a Metrics Insights AVG over every series). Each document covers the interval
 * since the previous emf() call, so a long-lived Lambda environment reports rates, not lifetime
 * totals. A tier without lookups in the interval has no CacheHitRate at all: "no data" is not an
 * alarm, whereas 0 % would be a false one. Remote tiers report no CacheEvictions: only their own
 * server knows (ElastiCache publishes `Evictions` itself).
 */
export interface TierInterval {
  readonly tier: TierLabel;
  readonly hits: number;
  readonly misses: number;
  /** Undefined: this tier cannot know. */
  readonly evictions: number | undefined;
  readonly bytesSaved: number;
  /** Undefined: no reads timed in the interval. */
  readonly p99Ms: number | undefined;
}

type Unit = 'Percent' | 'Count' | 'Bytes' | 'Milliseconds';

export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly [
      {
        readonly Namespace: string;
        readonly Dimensions: readonly [readonly ['Tier']];
        readonly Metrics: readonly { readonly Name: string; readonly Unit: Unit }[];
      },
    ];
  };
  readonly Tier: TierLabel;
  readonly [metric: string]: unknown;
}

export function emfDocuments(
  namespace: string,
  timestamp: number,
  intervals: readonly TierInterval[],
): EmfDocument[] {
  return intervals.map((t) => {
    const values: [name: string, unit: Unit, value: number | undefined][] = [
      ['CacheHitRate', 'Percent', t.hits + t.misses === 0 ? undefined : (100 * t.hits) / (t.hits + t.misses)],
      ['CacheHits', 'Count', t.hits],
      ['CacheMisses', 'Count', t.misses],
      ['CacheEvictions', 'Count', t.evictions],
      ['CacheBytesSaved', 'Bytes', t.bytesSaved],
      ['CacheLatencyP99', 'Milliseconds', t.p99Ms],
    ];
    const present = values.filter((v): v is [string, Unit, number] => v[2] !== undefined);
    return {
      _aws: {
        Timestamp: Math.round(timestamp),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [['Tier']],
            Metrics: present.map(([Name, Unit]) => ({ Name, Unit })),
          },
        ],
      },
      Tier: t.tier,
      ...Object.fromEntries(present.map(([name, , value]) => [name, value])),
    };
  });
}
