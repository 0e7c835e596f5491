// The simulator's event queue: a binary min-heap ordered by time, then by an
// optional rank among events due at the same instant, then by insertion order,
// so every run with the same inputs pops the same sequence.

interface Entry<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  /** `rank`: orders events due at the same time (negative: a first); without it, first-in first-out. */
  constructor(private readonly rank?: (a: T, b: T) => number) {}

  get size(): number {
    return this.heap.length;
  }

  push(time: number, item: T): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  /** The time of the earliest event, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  pop(): { time: number; item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Entry<T>;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return { time: top.time, item: top.item };
  }

  private before(a: Entry<T>, b: Entry<T>): boolean {
    if (a.time !== b.time) return a.time < b.time;
    const ranked = this.rank?.(a.item, b.item) ?? 0;
    return ranked !== 0 ? ranked < 0 : a.seq < b.seq;
  }
}
