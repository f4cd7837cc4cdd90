import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { PUBLIC_TERM, SHARED_QUERY } from './terms.repository.js';
import { SERIES_WEEKS, type TermWindows } from './trends.js';

/** Terms considered per trends request (the most searched of the last two years). */
const CANDIDATES = 5000;

export const trendsRepository = {
  /** Marks a batch rolled; false when it was already. */
  async markRolled(trx: Db, batchId: string): Promise<boolean> {
    const { rows } = await sql`insert into search_rolled_batches (batch_id) values (${batchId})
      on conflict do nothing returning batch_id`.execute(trx);
    return rows.length > 0;
  },

  /** The SEARCH events of a batch: day, query and who searched. */
  async batchSearches(trx: Db, batchId: string, days: string[] | null) {
    const { rows } = await sql<{ day: string; query: string | null; user_id: string | null }>`
      select day::text as day, query, user_id::text as user_id from events
      where batch_id = ${batchId} and kind = 'SEARCH' ${days ? sql`and day = any(${days}::date[])` : sql``}`.execute(
      trx,
    );
    return rows;
  },

  /** Adds counts (rows given in key order, so concurrent rollups lock shared rows in the same order). */
  async addTermDays(trx: Db, rows: { term: string; day: string; n: number }[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into search_term_daily (term, day, searches)
      select * from unnest(${rows.map((r) => r.term)}::text[], ${rows.map((r) => r.day)}::date[], ${rows.map((r) => r.n)}::bigint[])
      on conflict (term, day) do update set searches = search_term_daily.searches + excluded.searches`.execute(
      trx,
    );
  },

  /**
   * Records who searched which term on which day (the latest day is kept). Rows in key order, so
   * concurrent rollups lock shared rows in the same order.
   */
  async addSearchers(trx: Db, rows: { term: string; userId: string; day: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      insert into search_term_searchers (term, user_id, last_day)
      select * from unnest(${rows.map((r) => r.term)}::text[], ${rows.map((r) => r.userId)}::bigint[], ${rows.map((r) => r.day)}::date[])
      on conflict (term, user_id) do update
      set last_day = greatest(search_term_searchers.last_day, excluded.last_day)`.execute(trx);
  },

  /** Window counts (see trends.ts) of the public terms searched in the last two years up to `today`. */
  async windows(db: Db, today: string): Promise<TermWindows[]> {
    const t = sql`${today}::date`;
    const { rows } = await sql<Record<keyof TermWindows, string>>`
      select * from (
        select d.term as term,
          coalesce(sum(searches) filter (where day > ${t} - 7), 0)::text as w0,
          coalesce(sum(searches) filter (where day > ${t} - 14 and day <= ${t} - 7), 0)::text as w1,
          coalesce(sum(searches) filter (where day > ${t} - 35 and day <= ${t} - 7), 0)::text as prev4w,
          coalesce(sum(searches) filter (where day > ${t} - 30), 0)::text as m0,
          coalesce(sum(searches) filter (where day > ${t} - 60 and day <= ${t} - 30), 0)::text as m1,
          coalesce(sum(searches) filter (where day > ${t} - 365), 0)::text as y0,
          coalesce(sum(searches) filter (where day > ${t} - 730 and day <= ${t} - 365), 0)::text as y1,
          coalesce(sum(searches) filter (where day > ${t} - 395 and day <= ${t} - 365), 0)::text as "lastYear30"
        from search_term_daily d
        where d.day > ${t} - 730 and d.day <= ${t}
        group by d.term
        having ${SHARED_QUERY(sql`d.term`)}
        order by sum(d.searches) desc, d.term
        limit ${CANDIDATES}
      ) c where ${PUBLIC_TERM(sql`c.term`)}`.execute(db);
    return rows.map((r) => ({
      term: r.term,
      w0: Number(r.w0),
      w1: Number(r.w1),
      prev4w: Number(r.prev4w),
      m0: Number(r.m0),
      m1: Number(r.m1),
      y0: Number(r.y0),
      y1: Number(r.y1),
      lastYear30: Number(r.lastYear30),
    }));
  },

  /**
   * Searches in the `days` up to `today` of terms holding each phrase (as whole words), by phrase.
   * Phrases are normalised terms; LIKE's wildcards in them are escaped.
   */
  async phraseVolumes(db: Db, phrases: string[], today: string, days: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (phrases.length === 0) return out;
    const patterns = phrases.map((p) => `% ${p.replace(/[\\%_]/g, (c) => `\\${c}`)} %`);
    const { rows } = await sql<{ phrase: string; n: string }>`
      select k.phrase, coalesce(sum(d.searches), 0)::text as n
      from unnest(${phrases}::text[], ${patterns}::text[]) as k(phrase, pattern)
      left join search_term_daily d
        on d.day > ${today}::date - ${days}::int and d.day <= ${today}::date
        and (' ' || d.term || ' ') like k.pattern
      group by k.phrase`.execute(db);
    for (const r of rows) out.set(r.phrase, Number(r.n));
    return out;
  },

  /** Daily counts of these terms over the time series' year up to `today`. */
  async daily(db: Db, terms: string[], today: string): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>(terms.map((t) => [t, new Map()]));
    if (terms.length === 0) return out;
    const { rows } = await sql<{ term: string; day: string; n: string }>`
      select term, day::text as day, searches::text as n from search_term_daily
      where term = any(${terms}::text[]) and day > ${today}::date - ${SERIES_WEEKS * 7}::int and day <= ${today}::date`.execute(
      db,
    );
    for (const r of rows) out.get(r.term)?.set(r.day, Number(r.n));
    return out;
  },
};
