import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/** Rows of `events` as parallel arrays (one multi-row INSERT ... SELECT FROM unnest). */
export interface EventColumns {
  day: string[];
  id: string[];
  kind: string[];
  occurred_at: string[];
  user_id: (string | null)[];
  device_id: (string | null)[];
  app_id: (string | null)[];
  pin_id: (string | null)[];
  board_id: (string | null)[];
  target_user_id: (string | null)[];
  query: (string | null)[];
  surface: (string | null)[];
  position: (number | null)[];
  app_type: string[];
  request_id: (string | null)[];
}

export function emptyColumns(): EventColumns {
  return {
    day: [],
    id: [],
    kind: [],
    occurred_at: [],
    user_id: [],
    device_id: [],
    app_id: [],
    pin_id: [],
    board_id: [],
    target_user_id: [],
    query: [],
    surface: [],
    position: [],
    app_type: [],
    request_id: [],
  };
}

/** Token uses as parallel arrays. */
export interface TokenUseColumns {
  token_id: string[];
  kind: string[];
  event_id: string[];
  expires_at: string[];
}

const PARTITION = /^events_d(\d{4})(\d{2})(\d{2})$/;

/** The partition of `events` holding one day ('YYYY-MM-DD'). */
export function partitionName(day: string): string {
  return `events_d${day.replaceAll('-', '')}`;
}

/** Reads and writes `events`, its daily partitions and `impression_token_uses`. */
export const eventsRepository = {
  /** Inserts the rows that are new; returns the id and day of each row written (conflicts are skipped). */
  async insertEvents(db: Db, rows: EventColumns, batchId: string): Promise<{ id: string; day: string }[]> {
    const { rows: written } = await sql<{ id: string; day: string }>`
      insert into events (day, id, kind, occurred_at, user_id, device_id, app_id, pin_id, board_id,
                          target_user_id, query, surface, position, app_type, request_id, batch_id)
      select u.*, ${batchId}::bigint
        from unnest(${rows.day}::date[], ${rows.id}::text[], ${rows.kind}::text[],
                    ${rows.occurred_at}::timestamptz[], ${rows.user_id}::bigint[], ${rows.device_id}::text[],
                    ${rows.app_id}::bigint[], ${rows.pin_id}::bigint[], ${rows.board_id}::bigint[],
                    ${rows.target_user_id}::bigint[], ${rows.query}::text[], ${rows.surface}::text[],
                    ${rows.position}::int[], ${rows.app_type}::text[], ${rows.request_id}::text[]) as u
      on conflict do nothing
      returning id, day::text as day`.execute(db);
    return written;
  },

  /** Records token uses that are new; returns `token_id|kind` of each one written. */
  async insertTokenUses(db: Db, uses: TokenUseColumns): Promise<Set<string>> {
    const { rows } = await sql<{ k: string }>`
      insert into impression_token_uses (token_id, kind, event_id, expires_at)
      select * from unnest(${uses.token_id}::text[], ${uses.kind}::text[], ${uses.event_id}::text[],
                           ${uses.expires_at}::timestamptz[])
      on conflict do nothing
      returning token_id || '|' || kind as k`.execute(db);
    return new Set(rows.map((r) => r.k));
  },

  /** The event id that used each `token_id|kind` given (keys not found are absent). */
  async tokenUseHolders(db: Db, tokenIds: string[], kinds: string[]): Promise<Map<string, string>> {
    const { rows } = await sql<{ k: string; event_id: string }>`
      select u.token_id || '|' || u.kind as k, u.event_id
        from impression_token_uses u
        join unnest(${tokenIds}::text[], ${kinds}::text[]) as q(token_id, kind)
          on u.token_id = q.token_id and u.kind = q.kind`.execute(db);
    return new Map(rows.map((r) => [r.k, r.event_id]));
  },

  /**
   * Which of these pins exist. Reads the pins table directly: a bare existence check of up to a thousand
   * ids in one query, which the pins module's API (views for a viewer, through the cache) does not offer.
   */
  async existingPins(db: Db, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`
      select id from pins where id = any(${ids}::bigint[])`.execute(db);
    return new Set(rows.map((r) => r.id));
  },

  /** Days ('YYYY-MM-DD') that have a partition of `events`. */
  async partitionDays(db: Db): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`
      select c.relname as name
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'events'::regclass`.execute(db);
    const days: string[] = [];
    for (const r of rows) {
      const m = PARTITION.exec(r.name);
      if (m) days.push(`${m[1]}-${m[2]}-${m[3]}`);
    }
    return days.sort();
  },

  /**
   * Serialises partition changes among every process on this schema (CREATE TABLE IF NOT EXISTS alone can
   * still collide in the catalog). Call inside a transaction; released at its end.
   */
  async lockPartitions(db: Db): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':events-partitions'))`.execute(db);
  },

  /** Creates the partition of `day` unless it exists. */
  async createPartition(db: Db, day: string): Promise<void> {
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await sql`create table if not exists ${sql.id(partitionName(day))} partition of events
              for values from (${sql.lit(day)}) to (${sql.lit(next)})`.execute(db);
  },

  async dropPartition(db: Db, day: string): Promise<void> {
    await sql`drop table if exists ${sql.id(partitionName(day))}`.execute(db);
  },

  /** Deletes up to `limit` token uses that expired before `before`; returns how many. */
  async pruneTokenUses(db: Db, before: Date, limit: number): Promise<number> {
    const r = await sql`
      delete from impression_token_uses
       where ctid = any(array(select ctid from impression_token_uses where expires_at < ${before.toISOString()}::timestamptz
                              limit ${limit}))`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  },
};
