import { type CacheEntry, type CachePolicy, evictAllBut, type PolicyHost } from './cache-policy';

/**
 * `ttl`: evicts the entry closest to expiry first; entries without a TTL go last, oldest write
 * first among them. A binary min-heap keyed by (expiresAt, write sequence), each node knowing its
 * slot so removal and re-keying are O(log n). Expired entries sit at the top, so reclaiming them
 * (on every write, and before any live entry is evicted) costs O(log n) each.
 *
 * Reads do not reorder: under this policy an entry's value is its remaining lifetime, not its use.
 */
export class TtlEntry<V> implements CacheEntry<V> {
  /** Slot in the heap array; -1 when not in the heap. */
  slot = -1;
  constructor(
    readonly key: string,
    public value: V,
    public size: number,
    public expiresAt: number,
    /** Write order, so equal expiries (and "never") leave oldest-written first. */
    public sequence: number,
  ) {}
}

const before = <V>(a: TtlEntry<V>, b: TtlEntry<V>): boolean =>
  a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.sequence < b.sequence);

export class TtlStore<V> implements CachePolicy<V, TtlEntry<V>> {
  private readonly heap: TtlEntry<V>[] = [];
  private writes = 0;
  private readonly victim = (keep: TtlEntry<V>): TtlEntry<V> | undefined => {
    const top = this.heap[0];
    if (top !== keep) return top;
    // The runner-up of a binary heap is one of the root's children.
    const left = this.heap[1];
    const right = this.heap[2];
    return left === undefined || (right !== undefined && before(right, left)) ? right : left;
  };

  constructor(private readonly host: PolicyHost<TtlEntry<V>>) {}

  create(key: string, value: V, size: number, expiresAt: number): TtlEntry<V> {
    return new TtlEntry(key, value, size, expiresAt, 0);
  }

  insert(entry: TtlEntry<V>): void {
    entry.sequence = this.writes++;
    entry.slot = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.slot);
    evictAllBut(this.host, entry, this.victim);
  }

  /** A rewrite is a new write: new expiry, and it queues behind older writes of the same expiry. */
  update(entry: TtlEntry<V>): void {
    entry.sequence = this.writes++;
    this.reposition(entry.slot);
    evictAllBut(this.host, entry, this.victim);
  }

  hit(): void {}

  miss(): void {}

  unlink(entry: TtlEntry<V>): void {
    const slot = entry.slot;
    const last = this.heap.pop();
    entry.slot = -1;
    if (last === undefined || last === entry) return;
    this.heap[slot] = last;
    last.slot = slot;
    this.reposition(slot);
  }

  clear(): void {
    this.heap.length = 0;
  }

  nextExpired(): TtlEntry<V> | undefined {
    const top = this.heap[0];
    return top !== undefined && this.host.isExpired(top) ? top : undefined;
  }

  private reposition(slot: number): void {
    const entry = this.heap[slot]!;
    const parent = this.heap[(slot - 1) >> 1];
    if (slot > 0 && parent !== undefined && before(entry, parent)) this.siftUp(slot);
    else this.siftDown(slot);
  }

  private siftUp(slot: number): void {
    const heap = this.heap;
    const entry = heap[slot]!;
    while (slot > 0) {
      const up = (slot - 1) >> 1;
      const parent = heap[up]!;
      if (!before(entry, parent)) break;
      heap[slot] = parent;
      parent.slot = slot;
      slot = up;
    }
    heap[slot] = entry;
    entry.slot = slot;
  }

  private siftDown(slot: number): void {
    const heap = this.heap;
    const entry = heap[slot]!;
    const length = heap.length;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= length) break;
      const right = heap[child + 1];
      if (right !== undefined && before(right, heap[child]!)) child++;
      const smaller = heap[child]!;
      if (!before(smaller, entry)) break;
      heap[slot] = smaller;
      smaller.slot = slot;
      slot = child;
    }
    heap[slot] = entry;
    entry.slot = slot;
  }
}
