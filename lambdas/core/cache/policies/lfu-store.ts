import { type CacheEntry, type CachePolicy, evictAllBut, type PolicyHost } from './cache-policy';
import { LinkedList } from './linked-list';

/**
 * `lfu`: evicts the least frequently used entry, the least recent among equals. The O(1) LFU of
 * Shah, Mitra & Matani (2010): a list of frequency buckets in ascending order, each holding its
 * entries in recency order, so the victim is always the head of the first bucket and a use moves
 * an entry to the bucket of the next frequency (created beside it when missing).
 *
 * Frequencies are those of resident entries only: an evicted key starts again at 1. There is no
 * aging, which is LFU's known weakness (a formerly hot key stays until it is deleted or expires);
 * `adaptive` is the policy that ages its counts.
 */
export class LfuEntry<V> implements CacheEntry<V> {
  prev: LfuEntry<V> | undefined = undefined;
  next: LfuEntry<V> | undefined = undefined;
  constructor(
    readonly key: string,
    public value: V,
    public size: number,
    public expiresAt: number,
    public bucket: FrequencyBucket<V>,
  ) {}
}

class FrequencyBucket<V> {
  prev: FrequencyBucket<V> | undefined = undefined;
  next: FrequencyBucket<V> | undefined = undefined;
  readonly entries = new LinkedList<LfuEntry<V>>();
  constructor(readonly frequency: number) {}
}

export class LfuStore<V> implements CachePolicy<V, LfuEntry<V>> {
  private readonly buckets = new LinkedList<FrequencyBucket<V>>();
  /** Where create() points a node until insert() files it; never linked into `buckets`. */
  private readonly unfiled = new FrequencyBucket<V>(0);
  private readonly victim = (keep: LfuEntry<V>): LfuEntry<V> | undefined => {
    const lowest = this.buckets.head;
    const first = lowest?.entries.head;
    // `keep` was just used, so it is the newest of its bucket: if it heads the lowest bucket it is
    // alone there and the victim is the next bucket's least recent entry.
    return first === keep ? (keep.next ?? lowest?.next?.entries.head) : first;
  };

  constructor(private readonly host: PolicyHost<LfuEntry<V>>) {}

  create(key: string, value: V, size: number, expiresAt: number): LfuEntry<V> {
    return new LfuEntry(key, value, size, expiresAt, this.unfiled);
  }

  insert(entry: LfuEntry<V>): void {
    let ones = this.buckets.head;
    if (ones === undefined || ones.frequency !== 1) {
      ones = new FrequencyBucket<V>(1);
      this.buckets.pushHead(ones);
    }
    entry.bucket = ones;
    ones.entries.pushTail(entry);
    evictAllBut(this.host, entry, this.victim);
  }

  /** A write counts as a use, as in Caffeine: the rewritten entry gains one frequency. */
  update(entry: LfuEntry<V>): void {
    this.promote(entry);
    evictAllBut(this.host, entry, this.victim);
  }

  hit(entry: LfuEntry<V>): void {
    this.promote(entry);
  }

  miss(): void {}

  unlink(entry: LfuEntry<V>): void {
    const bucket = entry.bucket;
    bucket.entries.remove(entry);
    if (bucket.entries.length === 0) this.buckets.remove(bucket);
  }

  clear(): void {
    this.buckets.clear();
  }

  private promote(entry: LfuEntry<V>): void {
    const from = entry.bucket;
    const frequency = from.frequency + 1;
    let to = from.next;
    if (to === undefined || to.frequency !== frequency) {
      to = new FrequencyBucket<V>(frequency);
      this.buckets.insertAfter(from, to);
    }
    from.entries.remove(entry);
    if (from.entries.length === 0) this.buckets.remove(from);
    entry.bucket = to;
    to.entries.pushTail(entry);
  }
}
