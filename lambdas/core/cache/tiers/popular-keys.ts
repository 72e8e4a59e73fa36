/**
 * The most requested keys in bounded memory: Space-Saving (Metwally, Agrawal & El Abbadi, "Efficient
 * Computation of Frequent and Top-k Elements in Data Streams", ICDT 2005) on its "stream-summary":
 * counters hang off a list of count buckets in ascending order, so a record is one Map lookup and
 * a few pointer moves (it runs on every L1 read; a bucket-per-count Map cost ~5× more). With
 * `capacity` counters, every key requested more than N / capacity times out of N is tracked, its
 * count overestimated by at most the count of the key it replaced.
 *
 * Counts are halved every 10 × capacity records (the periodic reset of TinyLFU's sketch), so keys
 * that were popular once make room for those popular now: warming wants today's hot keys.
 */
interface Counter {
  key: string;
  bucket: Bucket;
  prev: Counter | undefined;
  next: Counter | undefined;
}

interface Bucket {
  readonly count: number;
  first: Counter | undefined;
  /** Neighbours with the next smaller and next larger count. */
  lower: Bucket | undefined;
  higher: Bucket | undefined;
}

export class PopularKeys {
  private readonly counters = new Map<string, Counter>();
  private lowest: Bucket | undefined;
  private highest: Bucket | undefined;
  private sinceAging = 0;

  constructor(private readonly capacity: number) {}

  record(key: string): void {
    const counter = this.counters.get(key);
    if (counter !== undefined) this.increment(counter);
    else if (this.counters.size < this.capacity) this.add(key, 1);
    else {
      // Replace a key with the minimum count; the newcomer inherits it (its possible error).
      const victim = (this.lowest as Bucket).first as Counter;
      this.counters.delete(victim.key);
      victim.key = key;
      this.counters.set(key, victim);
      this.increment(victim);
    }
    if (++this.sinceAging >= this.capacity * 10) this.age();
  }

  /** Up to n keys with their (over-)estimated counts, most requested first. */
  top(n: number): { readonly key: string; readonly count: number }[] {
    const out: { key: string; count: number }[] = [];
    for (let b = this.highest; b !== undefined && out.length < n; b = b.lower) {
      for (let c = b.first; c !== undefined && out.length < n; c = c.next)
        out.push({ key: c.key, count: b.count });
    }
    return out;
  }

  clear(): void {
    this.counters.clear();
    this.lowest = undefined;
    this.highest = undefined;
    this.sinceAging = 0;
  }

  private age(): void {
    const halved = this.top(this.capacity).map(({ key, count }) => ({ key, count: count >> 1 }));
    this.clear();
    // Ascending, so each add lands at or above the highest bucket.
    for (let i = halved.length - 1; i >= 0; i--) {
      const { key, count } = halved[i] as { key: string; count: number };
      if (count > 0) this.add(key, count);
    }
  }

  /** A new counter at `count`, which is ≤ the lowest count or ≥ the highest (the only cases used). */
  private add(key: string, count: number): void {
    let bucket: Bucket;
    if (this.lowest !== undefined && this.lowest.count === count) bucket = this.lowest;
    else if (this.highest !== undefined && this.highest.count === count) bucket = this.highest;
    else if (this.lowest === undefined || count < this.lowest.count)
      bucket = this.insertAbove(undefined, count);
    else bucket = this.insertAbove(this.highest, count);
    const counter: Counter = { key, bucket, prev: undefined, next: undefined };
    this.attach(counter, bucket);
    this.counters.set(key, counter);
  }

  private increment(counter: Counter): void {
    const from = counter.bucket;
    const count = from.count + 1;
    const to =
      from.higher !== undefined && from.higher.count === count ? from.higher : this.insertAbove(from, count);
    this.detach(counter);
    this.attach(counter, to);
  }

  /** A new, empty bucket right above `below` (undefined: at the bottom). */
  private insertAbove(below: Bucket | undefined, count: number): Bucket {
    const higher = below === undefined ? this.lowest : below.higher;
    const bucket: Bucket = { count, first: undefined, lower: below, higher };
    if (below === undefined) this.lowest = bucket;
    else below.higher = bucket;
    if (higher === undefined) this.highest = bucket;
    else higher.lower = bucket;
    return bucket;
  }

  private attach(counter: Counter, bucket: Bucket): void {
    counter.bucket = bucket;
    counter.prev = undefined;
    counter.next = bucket.first;
    if (bucket.first !== undefined) bucket.first.prev = counter;
    bucket.first = counter;
  }

  /** Unlinks a counter from its bucket, and an emptied bucket from the bucket list. */
  private detach(counter: Counter): void {
    const bucket = counter.bucket;
    if (counter.prev !== undefined) counter.prev.next = counter.next;
    else bucket.first = counter.next;
    if (counter.next !== undefined) counter.next.prev = counter.prev;
    if (bucket.first !== undefined) return;
    if (bucket.lower !== undefined) bucket.lower.higher = bucket.higher;
    else this.lowest = bucket.higher;
    if (bucket.higher !== undefined) bucket.higher.lower = bucket.lower;
    else this.highest = bucket.lower;
  }
}
