import { seededRandom } from '../../load/iteration';

/**
 * Synthetic key traces to judge eviction policies on, reproducible from a seed: the three shapes
 * the benchmark and the tests use. Real traces (an access log, one key per line) go through
 * `throughline cache simulate --trace`.
 */

/** Zipf(s) sampler over `n` keys by inverse CDF on a precomputed table (O(log n) per draw). */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Skewed popularity: most requests go to a few keys (web caches, API read paths). */
export function zipfTrace(length: number, keys: number, s = 0.9, seed = 1): string[] {
  const next = zipfSampler(keys, s, seededRandom(seed));
  return Array.from({ length }, () => `k${next()}`);
}

/**
 * A Zipf hot set polluted by scans: every `every` requests, a run of `scanLength` keys seen once
 * (a batch job, a crawler). Frequency-aware policies keep the hot set; LRU flushes it.
 */
export function scanPollutedTrace(
  length: number,
  keys: number,
  options: {
    readonly every?: number;
    readonly scanLength?: number;
    readonly s?: number;
    readonly seed?: number;
  } = {},
): string[] {
  const every = options.every ?? 2_000;
  const scanLength = options.scanLength ?? 1_500;
  const next = zipfSampler(keys, options.s ?? 0.9, seededRandom(options.seed ?? 2));
  const out: string[] = [];
  let scan = 0;
  while (out.length < length) {
    for (let i = 0; i < every && out.length < length; i++) out.push(`k${next()}`);
    for (let i = 0; i < scanLength && out.length < length; i++) out.push(`scan${scan++}`);
  }
  return out;
}

/**
 * Workload that changes character (the test caches fear): recency-biased, then a loop over more
 * keys than fit (where LRU scores nothing and frequency wins), then recency again on new keys.
 */
export function shiftingTrace(length: number, capacity: number, seed = 3): string[] {
  const random = seededRandom(seed);
  const third = Math.floor(length / 3);
  const out: string[] = [];
  // Recency: each request is one of the last few hundred keys introduced, new keys keep arriving.
  const recency = (offset: string, count: number) => {
    let newest = 0;
    for (let i = 0; i < count; i++) {
      if (random() < 0.1) newest++;
      const back = Math.floor(-Math.log(1 - random()) * capacity * 0.3);
      out.push(`${offset}${Math.max(0, newest - back)}`);
    }
  };
  recency('r', third);
  const loop = Math.floor(capacity * 1.5);
  for (let i = 0; i < third; i++) out.push(`loop${i % loop}`);
  recency('q', length - 2 * third);
  return out;
}
