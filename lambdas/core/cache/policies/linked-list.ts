/**
 * Intrusive doubly linked list: the links live on the nodes, so moving an entry costs no
 * allocation and every operation is O(1). Every policy here orders entries with it (recency
 * lists, frequency buckets, the W-TinyLFU segments).
 *
 * Convention shared by all callers: `head` is the oldest end (the next victim), `tail` the newest.
 * A node belongs to at most one list at a time; callers track which one.
 */
export interface ListNode<N> {
  prev: N | undefined;
  next: N | undefined;
}

export class LinkedList<N extends ListNode<N>> {
  head: N | undefined = undefined;
  tail: N | undefined = undefined;
  length = 0;

  pushTail(node: N): void {
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.length++;
  }

  pushHead(node: N): void {
    node.prev = undefined;
    node.next = this.head;
    if (this.head === undefined) this.tail = node;
    else this.head.prev = node;
    this.head = node;
    this.length++;
  }

  /** Links `node` right after `ref`, which must be in this list. */
  insertAfter(ref: N, node: N): void {
    const after = ref.next;
    node.prev = ref;
    node.next = after;
    ref.next = node;
    if (after === undefined) this.tail = node;
    else after.prev = node;
    this.length++;
  }

  /** Unlinks `node`, which must be in this list. */
  remove(node: N): void {
    const { prev, next } = node;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    node.prev = undefined;
    node.next = undefined;
    this.length--;
  }

  moveToTail(node: N): void {
    if (this.tail === node) return;
    this.remove(node);
    this.pushTail(node);
  }

  /** Forgets every node; the dropped nodes keep stale links but are unreachable from here. */
  clear(): void {
    this.head = undefined;
    this.tail = undefined;
    this.length = 0;
  }
}
