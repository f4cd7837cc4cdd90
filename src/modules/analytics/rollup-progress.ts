import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

import { EVENTS_BATCH_TOPIC } from '../events/index.js';
export const ROLLUP_CONSUMER = 'analytics.rollup';

/** Outbox rows this young may still be joined by rows with smaller ids whose transactions commit later. */
const SETTLE = '5 minutes';

export interface Progress {
  /** Days some accepted batch that is not yet rolled up has events on. */
  pendingDays: ReadonlySet<string>;
  /** When the oldest batch not yet rolled up was accepted; null if none. */
  oldestPendingAt: Date | null;
}

/**
 * Which accepted event batches (`events.batch` outbox rows) the rollup has not finished: their days are
 * still PROCESSING, and the oldest one's age is the rollup lag. Reads the outbox from a watermark below
 * which every batch is known finished (rolled or dead-lettered), so each look reads only recent rows;
 * answers are reused for `maxAgeMs`.
 */
export class RollupProgress {
  private watermark = '0';
  private last: { at: number; progress: Progress } | undefined;
  private inFlight: Promise<Progress> | undefined;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs = 1000,
  ) {}

  async current(): Promise<Progress> {
    if (this.last && Date.now() - this.last.at < this.maxAgeMs) return this.last.progress;
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the reused answer (tests, and after a rollup in this process). */
  invalidate(): void {
    this.last = undefined;
  }

  private async load(): Promise<Progress> {
    const { rows } = await sql<{ id: string; created_at: Date; payload: unknown }>`
      select o.id::text as id, o.created_at, o.payload
        from outbox o
       where o.id >= ${this.watermark} and o.topic = ${EVENTS_BATCH_TOPIC}
         and not exists (select 1 from job_done d where d.event_id = o.id and d.consumer = ${ROLLUP_CONSUMER})
         and not exists (select 1 from dead_letters l where l.event_id = o.id and l.consumer = ${ROLLUP_CONSUMER})
       order by o.id`.execute(this.db);
    const { rows: bounds } = await sql<{ young: string | null; max: string | null }>`
      select (min(id) filter (where created_at > now() - ${SETTLE}::interval))::text as young, max(id)::text as max
        from outbox where id >= ${this.watermark}`.execute(this.db);
    const pendingDays = new Set<string>();
    let oldest: Date | null = null;
    for (const r of rows) {
      const days = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { days?: unknown };
      if (Array.isArray(days?.days)) for (const d of days.days) if (typeof d === 'string') pendingDays.add(d);
      const at = new Date(r.created_at);
      if (!oldest || at < oldest) oldest = at;
    }
    const candidates = [rows[0]?.id, bounds[0]?.young ?? undefined].filter(
      (x): x is string => x !== undefined,
    );
    if (candidates.length) this.watermark = candidates.reduce((a, b) => (BigInt(a) < BigInt(b) ? a : b));
    else if (bounds[0]?.max) this.watermark = (BigInt(bounds[0].max) + 1n).toString();
    const progress = { pendingDays, oldestPendingAt: oldest };
    this.last = { at: Date.now(), progress };
    return progress;
  }
}
