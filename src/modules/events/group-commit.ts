/** Most items written by one group commit. */
export const GROUP_MAX = 500;

interface Waiting<T> {
  items: readonly T[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: each caller waits until its items are written, and items that arrive while a write is in
 * flight go out together in the next one. One caller alone is written at once (no timer, no added wait);
 * under load, writes carry many callers' items, so the cost per item falls as the rate rises. A failed
 * write fails every caller in it (nothing is reported written that was not).
 */
export class GroupCommit<T> {
  private queue: Waiting<T>[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly max = GROUP_MAX,
  ) {}

  /** Resolves once `items` are written (with whatever else was queued alongside). */
  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group: Waiting<T>[] = [];
      let size = 0;
      // At least one caller a write, however many items it brings.
      while (
        this.queue.length > 0 &&
        (group.length === 0 || size + this.queue[0]!.items.length <= this.max)
      ) {
        const next = this.queue.shift()!;
        group.push(next);
        size += next.items.length;
      }
      try {
        await this.write(group.flatMap((w) => w.items));
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.writing = undefined;
  }
}
