// One timer queue for the whole router: a binary min-heap of deadlines keyed
// by a string ("hello|eth0", "inactivity|eth0|167772161", …). Setting a key
// again replaces its deadline; replaced and cancelled entries are skipped
// lazily when they reach the top. Equal deadlines fire in the order they were
// set, so runs are deterministic.

export type TimerKind =
  | 'hello' // RFC 2328 9.5
  | 'wait' // RFC 2328 9.4 WaitTimer
  | 'inactivity' // RFC 2328 10.3 InactivityTimer
  | 'dd-retransmit' // RFC 2328 10.8
  | 'lsr-retransmit' // RFC 2328 10.9
  | 'lsu-retransmit' // RFC 2328 13.6
  | 'delayed-ack' // RFC 2328 13.5
  | 'aging' // RFC 2328 14: MaxAge and LSRefreshTime pass over the LSDB
  | 'origination' // RFC 2328 12.4: originations deferred by MinLSInterval
  | 'stub-router' // RFC 6987: the end of the on-startup stub router period
  | 'grace-period' // RFC 3623 3.2: a helped neighbor's grace period ends
  | 'restart-grace' // RFC 3623 2.3 (3): our own grace period ends, restarting mode with it
  | 'grace-lsa-retransmit'; // RFC 3623 2.1, RFC 2328 13.6: a prepared grace-LSA not yet acknowledged

export interface TimerRef {
  kind: TimerKind;
  ifName: string;
  /** Neighbor key on ifName (address on broadcast, Router ID on point-to-point); 0 when not per neighbor. */
  neighbor: number;
}

interface HeapItem {
  at: number;
  order: number;
  key: string;
  ref: TimerRef;
}

export function timerKey(ref: TimerRef): string {
  return `${ref.kind}|${ref.ifName}|${ref.neighbor}`;
}

export class TimerQueue {
  private heap: HeapItem[] = [];
  /** The live `order` of each key; heap items with another order are stale. */
  private live = new Map<string, number>();
  private counter = 0;

  set(ref: TimerRef, at: number): void {
    const key = timerKey(ref);
    const order = ++this.counter;
    this.live.set(key, order);
    this.push({ at, order, key, ref });
    if (this.heap.length > 64 + 4 * this.live.size) this.compact();
  }

  cancel(ref: TimerRef): void {
    this.live.delete(timerKey(ref));
  }

  /** The earliest live deadline. */
  next(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** How many timers are set, and the latest deadline among them (for the core's self-audit). */
  pending(): { count: number; latest: number | undefined } {
    let latest: number | undefined;
    for (const item of this.heap) {
      if (this.live.get(item.key) === item.order && (latest === undefined || item.at > latest)) latest = item.at;
    }
    return { count: this.live.size, latest };
  }

  /** Removes and returns the earliest live timer due at `now`, if any. */
  popDue(now: number): TimerRef | undefined {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined || top.at > now) return undefined;
    this.pop();
    this.live.delete(top.key);
    return top.ref;
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const top = this.heap[0] as HeapItem;
      if (this.live.get(top.key) === top.order) return;
      this.pop();
    }
  }

  private compact(): void {
    const kept = this.heap.filter((item) => this.live.get(item.key) === item.order);
    this.heap = [];
    for (const item of kept) this.push(item);
  }

  private less(a: HeapItem, b: HeapItem): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(item: HeapItem): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i] as HeapItem, heap[parent] as HeapItem)) break;
      [heap[i], heap[parent]] = [heap[parent] as HeapItem, heap[i] as HeapItem];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as HeapItem;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && this.less(heap[l] as HeapItem, heap[smallest] as HeapItem)) smallest = l;
      if (r < heap.length && this.less(heap[r] as HeapItem, heap[smallest] as HeapItem)) smallest = r;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as HeapItem, heap[i] as HeapItem];
      i = smallest;
    }
  }
}
