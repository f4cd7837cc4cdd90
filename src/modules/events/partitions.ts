import type { Db } from '../../platform/db/database.js';
import { eventsRepository as repo } from './events.repository.js';

const DAY_MS = 86_400_000;

const dayNames = new Map<number, string>();

/** The UTC day ('YYYY-MM-DD') of an instant in epoch ms (memoised: a batch's events share a few days). */
export function dayOf(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size > 10_000) dayNames.clear();
    dayNames.set(n, name);
  }
  return name;
}

/** Day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

export interface PartitionPolicy {
  /** Partitions made ahead of today. */
  aheadDays: number;
  /** Partitions kept back from today (the lateness window), made if missing. */
  backDays: number;
  /** Partitions of days before today - retentionDays are dropped. */
  retentionDays: number;
}

/**
 * The daily partitions of `events`. Made ahead by the periodic maintenance, and on demand when an event
 * needs a day that has none; days known to exist are remembered, so the ingestion path asks the catalog
 * only about a day it has not seen. Every change runs under an advisory lock, so processes may race.
 */
export class EventPartitions {
  private readonly known = new Set<string>();

  constructor(private readonly db: Db) {}

  /**
   * Makes sure every day has a partition. With `trx` (a caller's transaction) a missing partition is made
   * in that transaction and not remembered, since the transaction may still roll back.
   */
  async ensure(days: Iterable<string>, trx?: Db): Promise<void> {
    const unknown = [...new Set(days)].filter((d) => !this.known.has(d));
    if (unknown.length === 0) return;
    const existing = new Set(await repo.partitionDays(trx ?? this.db));
    for (const d of existing) this.known.add(d);
    const missing = unknown.filter((d) => !existing.has(d));
    if (missing.length === 0) return;
    if (trx) {
      await this.create(trx, missing);
      return;
    }
    await this.db.transaction().execute((t) => this.create(t, missing));
    for (const d of missing) this.known.add(d);
  }

  /** Forgets what it knows (after an insert found a partition missing: another process dropped it). */
  forget(): void {
    this.known.clear();
  }

  /** Creates the partitions around `today` and drops those past retention; returns what changed. */
  async maintain(now: number, policy: PartitionPolicy): Promise<{ created: string[]; dropped: string[] }> {
    const today = dayOf(now);
    const wanted: string[] = [];
    for (let i = -policy.backDays; i <= policy.aheadDays; i++) wanted.push(addDays(today, i));
    const oldestKept = addDays(today, -policy.retentionDays);
    const result = await this.db.transaction().execute(async (trx) => {
      await repo.lockPartitions(trx);
      const existing = await repo.partitionDays(trx);
      const have = new Set(existing);
      const created = wanted.filter((d) => !have.has(d));
      for (const d of created) await repo.createPartition(trx, d);
      const dropped = existing.filter((d) => d < oldestKept);
      for (const d of dropped) await repo.dropPartition(trx, d);
      return { created, dropped, kept: [...existing.filter((d) => d >= oldestKept), ...created] };
    });
    this.known.clear();
    for (const d of result.kept) this.known.add(d);
    return { created: result.created, dropped: result.dropped };
  }

  private async create(trx: Db, days: string[]): Promise<void> {
    await repo.lockPartitions(trx);
    for (const d of days) await repo.createPartition(trx, d);
  }
}

/** True for PostgreSQL's "no partition of relation ... found for row" (an insert outside every partition). */
export function isMissingPartition(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === '23514' && /no partition/i.test(e.message ?? '');
}
