// An indexed binary min-heap over vertex numbers for Dijkstra's candidate
// list (RFC 2328 16.1 (3)): keys live in a Float64Array owned by the heap,
// positions in an Int32Array, so decrease-key is O(log n) without objects.

export class IndexedHeap {
  private heap: Int32Array;
  /** Position of each vertex in heap, -1 when absent. */
  private pos: Int32Array;
  private key: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.key = new Float64Array(capacity);
  }

  /** Empties the heap and makes room for vertices [0, capacity). */
  reset(capacity: number): void {
    if (capacity > this.pos.length) {
      this.heap = new Int32Array(capacity);
      this.pos = new Int32Array(capacity).fill(-1);
      this.key = new Float64Array(capacity);
    } else {
      for (let i = 0; i < this.size; i++) this.pos[this.heap[i]] = -1;
    }
    this.size = 0;
  }

  /** Inserts v with key k, or lowers its key to k. */
  push(v: number, k: number): void {
    let i = this.pos[v];
    if (i < 0) {
      i = this.size++;
      this.heap[i] = v;
      this.pos[v] = i;
    } else if (k >= this.key[v]) {
      return;
    }
    this.key[v] = k;
    this.up(i);
  }

  /** Removes and returns the vertex with the least key; the heap must not be empty. */
  pop(): number {
    const heap = this.heap;
    const top = heap[0];
    this.pos[top] = -1;
    const last = heap[--this.size];
    if (this.size > 0) {
      heap[0] = last;
      this.pos[last] = 0;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const key = this.key;
    const v = heap[i];
    const k = key[v];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (key[p] < k || (key[p] === k && p < v)) break;
      heap[i] = p;
      pos[p] = i;
      i = parent;
    }
    heap[i] = v;
    pos[v] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const key = this.key;
    const size = this.size;
    const v = heap[i];
    const k = key[v];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let c = heap[child];
      if (child + 1 < size) {
        const r = heap[child + 1];
        if (key[r] < key[c] || (key[r] === key[c] && r < c)) {
          child++;
          c = r;
        }
      }
      if (k < key[c] || (k === key[c] && v < c)) break;
      heap[i] = c;
      pos[c] = i;
      i = child;
    }
    heap[i] = v;
    pos[v] = i;
  }
}
