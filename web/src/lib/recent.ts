/** A map that keeps the `max` entries set most lately; setting one more forgets the oldest. */
export class Recent<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }
}
