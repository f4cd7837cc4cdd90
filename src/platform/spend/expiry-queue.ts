/** A binary min-heap of items by expiry time: what expires first comes out first. */
export class ExpiryQueue<T> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Adds an item expiring at `expiresAt` (epoch ms). */
  push(expiresAt: number, item: T): void {
    this.at.push(expiresAt);
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= this.at[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and answers the item expiring first if it expires at or before `now`; else undefined. */
  popExpired(now: number): T | undefined {
    if (this.items.length === 0 || this.at[0]! > now) return undefined;
    const top = this.items[0]!;
    const lastAt = this.at.pop()!;
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.at[0] = lastAt;
      this.items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < n && this.at[l]! < this.at[least]!) least = l;
      if (r < n && this.at[r]! < this.at[least]!) least = r;
      if (least === i) return;
      this.swap(i, least);
      i = least;
    }
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j]!, this.at[i]!];
    [this.items[i], this.items[j]] = [this.items[j]!, this.items[i]!];
  }
}
