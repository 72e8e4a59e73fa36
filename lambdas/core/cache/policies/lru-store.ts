import { type CacheEntry, type CachePolicy, evictAllBut, type PolicyHost } from './cache-policy';
import { LinkedList } from './linked-list';

/**
 * `lru`: evicts the least recently used entry. One recency list (head = least recent) beside the
 * core's Map; get, set and eviction are O(1).
 */
export class LruEntry<V> implements CacheEntry<V> {
  prev: LruEntry<V> | undefined = undefined;
  next: LruEntry<V> | undefined = undefined;
  constructor(
    readonly key: string,
    public value: V,
    public size: number,
    public expiresAt: number,
  ) {}
}

export class LruStore<V> implements CachePolicy<V, LruEntry<V>> {
  private readonly recency = new LinkedList<LruEntry<V>>();
  private readonly victim = (keep: LruEntry<V>): LruEntry<V> | undefined => {
    const head = this.recency.head;
    return head === keep ? head.next : head;
  };

  constructor(private readonly host: PolicyHost<LruEntry<V>>) {}

  create(key: string, value: V, size: number, expiresAt: number): LruEntry<V> {
    return new LruEntry(key, value, size, expiresAt);
  }

  insert(entry: LruEntry<V>): void {
    this.recency.pushTail(entry);
    evictAllBut(this.host, entry, this.victim);
  }

  /** A write is a use: the rewritten entry becomes the most recent. */
  update(entry: LruEntry<V>): void {
    this.recency.moveToTail(entry);
    evictAllBut(this.host, entry, this.victim);
  }

  hit(entry: LruEntry<V>): void {
    this.recency.moveToTail(entry);
  }

  miss(): void {}

  unlink(entry: LruEntry<V>): void {
    this.recency.remove(entry);
  }

  clear(): void {
    this.recency.clear();
  }
}
