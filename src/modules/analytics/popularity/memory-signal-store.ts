import {
  type HourCount,
  hourOf,
  LONGEST_WINDOW_HOURS,
  type PinHourCount,
  type SignalStore,
} from './popularity.js';

/** Signal counts in process memory (embedded mode: one process rolls up and reads). */
export class MemorySignalStore implements SignalStore {
  private readonly pins = new Map<string, Map<number, HourCount>>();
  /** Applied batch ids with when they were applied, kept as long as a redelivery is possible. */
  private readonly applied = new Map<string, number>();
  private built = false;

  constructor(
    private readonly markerTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async apply(batchId: string, counts: readonly PinHourCount[]): Promise<boolean> {
    const now = this.now();
    for (const [id, at] of this.applied) if (now - at > this.markerTtlMs) this.applied.delete(id);
    if (this.applied.has(batchId)) return false;
    this.applied.set(batchId, now);
    const oldest = hourOf(now) - LONGEST_WINDOW_HOURS;
    for (const c of counts) {
      const hours = this.pins.get(c.pinId) ?? new Map<number, HourCount>();
      const cur = hours.get(c.hour) ?? { hour: c.hour, saves: 0, engagements: 0 };
      cur.saves += c.saves;
      cur.engagements += c.engagements;
      hours.set(c.hour, cur);
      for (const h of hours.keys()) if (h < oldest) hours.delete(h);
      this.pins.set(c.pinId, hours);
    }
    return true;
  }

  async read(pinIds: readonly string[]): Promise<Map<string, HourCount[]>> {
    const oldest = hourOf(this.now()) - LONGEST_WINDOW_HOURS;
    const out = new Map<string, HourCount[]>();
    for (const id of pinIds) {
      const hours = [...(this.pins.get(id)?.values() ?? [])].filter((h) => h.hour >= oldest);
      if (hours.length)
        out.set(
          id,
          hours.map((h) => ({ ...h })),
        );
    }
    return out;
  }

  async forget(pinIds: readonly string[]): Promise<void> {
    for (const id of pinIds) this.pins.delete(id);
  }

  async replace(counts: readonly PinHourCount[]): Promise<void> {
    this.pins.clear();
    this.applied.clear();
    this.built = false;
    await this.apply('rebuild', counts);
    this.applied.clear();
    this.built = true;
  }

  async isBuilt(): Promise<boolean> {
    return this.built;
  }
}
