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
  /** The promoted item's ad, null for organic events. */
  ad_id: (string | null)[];
  /** EXPOSURE events: the experiment, its run (salt) and the variant; null for every other kind. */
  experiment: (string | null)[];
  experiment_run: (string | null)[];
  variant: (string | null)[];
  /** FEED_TIMING events: requests and their summed server time (ms); null for every other kind. */
  timing_requests: (number | null)[];
  timing_ms: (number | null)[];
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
    ad_id: [],
    experiment: [],
    experiment_run: [],
    variant: [],
    timing_requests: [],
    timing_ms: [],
  };
}

/** One row of `events` for {@link appendRow}: what is not given is null (app_type: OTHER). */
export type EventRow = { day: string; id: string; kind: string; occurred_at: string } & Partial<{
  [K in Exclude<keyof EventColumns, 'day' | 'id' | 'kind' | 'occurred_at'>]: EventColumns[K][number];
}>;

/** Appends one row to the columns, every column it leaves out null (app_type OTHER). */
export function appendRow(cols: EventColumns, row: EventRow): void {
  for (const key of Object.keys(cols) as (keyof EventColumns)[])
    (cols[key] as unknown[]).push(row[key] ?? (key === 'app_type' ? 'OTHER' : null));
}

/**
 * One event of a client batch with its token use; `ord` is its index among the rows sent. A
 * SESSION_START has no item: no token, pin, surface, position or expiry (all null).
 */
export interface ClientBatchRow {
  ord: number;
  token_id: string | null;
  kind: string;
  id: string;
  day: string;
  /** Epoch ms. */
  occurred_ms: number;
  user_id: string | null;
  device_id: string | null;
  pin_id: string | null;
  surface: string | null;
  position: number | null;
  app_type: string;
  request_id: string | null;
  /** Epoch ms. */
  expires_ms: number | null;
  /** The promoted item's ad; null for organic items. */
  ad_id: string | null;
  /** When the event is the one its promoted item is billed for: the charge to record with it. */
  charge: { amount_micro: number; hold_micro: number; reservation_id: string; served_ms: number } | null;
}

/** What one client batch statement did. */
export interface ClientBatchOutcome {
  /** Rows written to `events`. */
  stored: number;
  /** Charges of promoted items recorded (ad_charges rows). */
  charges: number;
  /** `ord` of events whose pin does not exist (nothing written for them). */
  missing: number[];
  /** `ord` of events whose token was already used for their kind (a retry or a replay). */
  taken: number[];
  /** Distinct days of the rows written. */
  days: string[];
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
                          target_user_id, query, surface, position, app_type, request_id, ad_id,
                          experiment, experiment_run, variant, timing_requests, timing_ms, batch_id)
      select u.*, ${batchId}::bigint
        from unnest(${rows.day}::date[], ${rows.id}::text[], ${rows.kind}::text[],
                    ${rows.occurred_at}::timestamptz[], ${rows.user_id}::bigint[], ${rows.device_id}::text[],
                    ${rows.app_id}::bigint[], ${rows.pin_id}::bigint[], ${rows.board_id}::bigint[],
                    ${rows.target_user_id}::bigint[], ${rows.query}::text[], ${rows.surface}::text[],
                    ${rows.position}::int[], ${rows.app_type}::text[], ${rows.request_id}::text[],
                    ${rows.ad_id}::bigint[], ${rows.experiment}::text[], ${rows.experiment_run}::text[],
                    ${rows.variant}::text[], ${rows.timing_requests}::int[], ${rows.timing_ms}::bigint[]) as u
      on conflict do nothing
      returning id, day::text as day`.execute(db);
    return written;
  },

  /**
   * Stores a client batch in one statement, so in one implicit transaction and one round trip: events
   * whose pin exists record their token use (skipped if the token is taken for that kind), those with a
   * new token use are inserted (skipped if the id is stored already), and when any row is written the
   * events.batch outbox row is inserted with their batch id and days (the same row emit() writes).
   */
  async storeClientBatch(
    db: Db,
    batch: ClientBatchRow[],
    appId: string,
    batchId: string,
    topic: string,
  ): Promise<ClientBatchOutcome> {
    const { rows } = await sql<{
      stored: number;
      charges: number;
      missing: number[] | null;
      taken: number[] | null;
      days: string[] | null;
    }>`
      with input as (
        -- One JSON parameter: far cheaper for node-postgres to send than fourteen arrays.
        select * from json_to_recordset(${JSON.stringify(batch)}::json)
          as u(ord int, token_id text, kind text, id text, day date, occurred_ms float8, user_id bigint,
               device_id text, pin_id bigint, surface text, position int, app_type text, request_id text,
               expires_ms float8, ad_id bigint, charge json)
      ),
      -- Item events whose pin exists, and session starts (no item, no token).
      known as materialized (
        select i.* from input i
         where i.token_id is null or exists (select 1 from pins p where p.id = i.pin_id)
      ),
      used as (
        insert into impression_token_uses (token_id, kind, event_id, expires_at)
        select token_id, kind, id, to_timestamp(expires_ms / 1000) from known where token_id is not null
        on conflict do nothing
        returning token_id, kind
      ),
      ins as (
        insert into events (day, id, kind, occurred_at, user_id, device_id, app_id, pin_id, surface, position,
                            app_type, request_id, ad_id, batch_id)
        select k.day, k.id, k.kind, to_timestamp(k.occurred_ms / 1000), k.user_id, k.device_id, ${appId}::bigint, k.pin_id, k.surface,
               k.position, k.app_type, k.request_id, k.ad_id, ${batchId}::bigint
          from known k
         where k.token_id is null
            or exists (select 1 from used u where u.token_id = k.token_id and u.kind = k.kind)
        on conflict do nothing
        returning day, id
      ),
      -- A stored event its promoted item is billed for records the charge, once per token (a close-up
      -- and an outbound click of one item bill once); the events.batch row below starts billing.
      charged as (
        insert into ad_charges (token_id, batch_id, ad_id, event_id, kind, app_type, served_at, amount_micro,
                                hold_micro, reservation_id)
        select distinct on (k.token_id) k.token_id, ${batchId}::bigint, k.ad_id, k.id, k.kind, k.app_type,
               to_timestamp((k.charge->>'served_ms')::float8 / 1000), (k.charge->>'amount_micro')::bigint,
               (k.charge->>'hold_micro')::bigint, k.charge->>'reservation_id'
          from known k join ins on ins.id = k.id
         where k.charge is not null
         order by k.token_id, k.ord
        on conflict do nothing
        returning token_id
      ),
      days as (select array_agg(distinct day::text order by day::text) as days from ins),
      outbox_row as (
        insert into outbox (topic, payload)
        select ${topic}, jsonb_build_object('batchId', ${batchId}::text, 'days', to_jsonb(days.days))
          from days where days.days is not null
        returning id
      )
      select (select count(*) from ins)::int as stored,
             (select count(*) from charged)::int as charges,
             (select array_agg(i.ord) from input i
               where not exists (select 1 from known k where k.ord = i.ord)) as missing,
             (select array_agg(k.ord) from known k
               where k.token_id is not null
                 and not exists (select 1 from used u where u.token_id = k.token_id and u.kind = k.kind)) as taken,
             (select days from days) as days`.execute(db);
    const r = rows[0]!;
    return {
      stored: r.stored,
      charges: r.charges,
      missing: r.missing ?? [],
      taken: r.taken ?? [],
      days: r.days ?? [],
    };
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
