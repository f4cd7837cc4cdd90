import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard } from '../boards/index.js';
import { ENGAGEMENT_LIFT, FIELD_WEIGHTS, FRESHNESS_DAYS } from './ranking.js';

// SQL twins of ranking.ts: the stored key and the field weights.
const STATIC_KEY = (engagement: ReturnType<typeof sql>, createdAt: ReturnType<typeof sql>) =>
  sql`(ln(1 + ${ENGAGEMENT_LIFT}::float8 * ln(1 + (${engagement})::float8))
       + extract(epoch from ${createdAt})::float8 / 86400 / ${FRESHNESS_DAYS}::float8)`;
const WEIGHT_OF_LABEL = sql`(case x when 'A' then ${FIELD_WEIGHTS.A}::float8 when 'B' then ${FIELD_WEIGHTS.B}::float8
  when 'C' then ${FIELD_WEIGHTS.C}::float8 else ${FIELD_WEIGHTS.D}::float8 end)`;
/** A phrase as typeahead compares it (normaliseTerm in SQL); null past 100 characters. */
export const TERM_OF = (text: ReturnType<typeof sql>) =>
  sql`nullif(left(lower(btrim(regexp_replace(${text}, '[[:space:][:cntrl:]]+', ' ', 'g'))), 101), '')`;
/** Engagement of pin `p`: pins saved from it + close-ups + outbound clicks over every rolled day. */
const ENGAGEMENT = sql`((select count(*) from pins c where c.parent_pin_id = p.id)
  + coalesce((select sum(r.pin_clicks + r.outbound_clicks) from pin_daily_rollups r where r.pin_id = p.id), 0))`;

/** One pin as the reconciliation sees it. */
interface PinState {
  id: string;
  public: boolean;
  indexed: boolean;
  current: boolean;
}

/** The search index: documents and postings of public pins, the lexicon and the vocabulary. */
export const searchIndexRepository = {
  /**
   * Makes the index entries of these pins match the pins now: removed, then written again for those that
   * exist on public boards. The pins are share-locked, so two reindexes of one pin write the
   * same rows (and `on conflict do nothing` lets the second pass).
   */
  async reindex(trx: Db, pinIds: readonly string[]): Promise<void> {
    if (pinIds.length === 0) return;
    const ids = [...pinIds];
    await sql`delete from search_postings sp using search_pin_docs d
      where d.pin_id = any(${ids}::bigint[]) and sp.pin_id = d.pin_id and sp.lexeme = any(d.lexemes)`.execute(
      trx,
    );
    const removed = await sql<{ term: string | null }>`
      delete from search_pin_docs where pin_id = any(${ids}::bigint[]) returning title_term as term`.execute(
      trx,
    );
    const added = await sql<{ term: string | null }>`
      with src as (
        select p.id, p.board_id, p.created_at, b.name as board_name, p.title,
               setweight(to_tsvector('english', coalesce(p.title, '')), 'A')
               || setweight(to_tsvector('english', coalesce(p.description, '')), 'B')
               || setweight(to_tsvector('english', b.name), 'C')
               || setweight(to_tsvector('english', coalesce(p.alt_text, '')), 'D') as tsv,
               ${ENGAGEMENT} as engagement
        from pins p join boards b on b.id = p.board_id
        where p.id = any(${ids}::bigint[]) and ${discoverableBoard('b')}
        for share of p
      ), docs as (
        insert into search_pin_docs (pin_id, board_id, created_at, board_name, title_term, engagement, static_key, lexemes)
        select id, board_id, created_at, board_name, ${TERM_OF(sql`title`)}, engagement,
               ${STATIC_KEY(sql`engagement`, sql`created_at`)}, tsvector_to_array(tsv)
        from src
        on conflict (pin_id) do nothing
        returning pin_id, static_key, title_term
      ), postings as (
        insert into search_postings (lexeme, pin_id, weight, rank_key)
        select u.lexeme, s.id, w.weight, ln(w.weight) + d.static_key
        from src s join docs d on d.pin_id = s.id
        cross join lateral unnest(s.tsv) u
        cross join lateral (select max(${WEIGHT_OF_LABEL})::real as weight from unnest(u.weights) x) w
        on conflict (lexeme, pin_id) do nothing
      )
      select title_term as term from docs`.execute(trx);
    const delta = new Map<string, number>();
    for (const [rows, sign] of [
      [removed.rows, -1],
      [added.rows, 1],
    ] as const) {
      for (const { term } of rows)
        if (term && term.length <= 100) delta.set(term, (delta.get(term) ?? 0) + sign);
    }
    await searchIndexRepository.addVocabulary(trx, delta);
  },

  /**
   * Moves vocabulary counts by `delta` (a term counted by no public pin or board any more is removed), so
   * a title of a pin deleted, moved or on a board made secret stops being suggested at this commit, not
   * at the next full refresh. Terms in sorted order, so concurrent writers lock rows in the same order.
   */
  async addVocabulary(trx: Db, delta: ReadonlyMap<string, number>): Promise<void> {
    const moved = [...delta].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (moved.length === 0) return;
    const terms = moved.map(([t]) => t);
    await sql`
      insert into search_vocabulary (term, doc_count)
      select * from unnest(${terms}::text[], ${moved.map(([, n]) => n)}::int[])
      on conflict (term) do update set doc_count = search_vocabulary.doc_count + excluded.doc_count`.execute(
      trx,
    );
    await sql`delete from search_vocabulary where term = any(${terms}::text[]) and doc_count <= 0`.execute(
      trx,
    );
  },

  /**
   * The vocabulary term of a board's name (as refreshVocabulary counts it): from the board, or for a
   * deleted board from its indexed pins' documents; undefined when neither has it.
   */
  async boardNameTerm(db: Db, boardId: string): Promise<string | undefined> {
    const { rows } = await sql<{ term: string | null }>`
      select ${TERM_OF(sql`n.name`)} as term from (
        select name from boards where id = ${boardId}
        union all (select board_name from search_pin_docs where board_id = ${boardId} limit 1)
      ) n(name) limit 1`.execute(db);
    const term = rows[0]?.term;
    return term && term.length <= 100 ? term : undefined;
  },

  /** Pins of a board that are indexed (for board events: privacy changed, board deleted). */
  async indexedPinsOfBoard(db: Db, boardId: string): Promise<string[]> {
    const { rows } = await sql<{ pin_id: string }>`
      select pin_id from search_pin_docs where board_id = ${boardId}`.execute(db);
    return rows.map((r) => r.pin_id);
  },

  /** Pins of a board (all of them, whatever the board's privacy). */
  async pinsOfBoard(db: Db, boardId: string): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`select id from pins where board_id = ${boardId}`.execute(db);
    return rows.map((r) => r.id);
  },

  /**
   * The pins after `after` in id order (at most `limit`) whose index entries are missing or out of date
   * (board renamed or changed, board secret), and where to go on from (undefined at the end).
   */
  async stalePins(db: Db, after: string, limit: number): Promise<{ stale: string[]; next?: string }> {
    const { rows } = await sql<PinState>`
      select p.id::text as id, ${discoverableBoard('b')} as public, d.pin_id is not null as indexed,
             coalesce(d.board_id = p.board_id and d.board_name = b.name, false) as current
      from pins p join boards b on b.id = p.board_id left join search_pin_docs d on d.pin_id = p.id
      where p.id > ${after}::bigint order by p.id limit ${limit}`.execute(db);
    const stale = rows.filter((r) => (r.public ? !r.indexed || !r.current : r.indexed)).map((r) => r.id);
    return { stale, next: rows.length === limit ? rows[rows.length - 1]?.id : undefined };
  },

  /** Indexed pins after `after` whose pin no longer exists, and where to go on from. */
  async orphanDocs(db: Db, after: string, limit: number): Promise<{ orphans: string[]; next?: string }> {
    const { rows } = await sql<{ pin_id: string; gone: boolean }>`
      select d.pin_id::text as pin_id, p.id is null as gone
      from search_pin_docs d left join pins p on p.id = d.pin_id
      where d.pin_id > ${after}::bigint order by d.pin_id limit ${limit}`.execute(db);
    return {
      orphans: rows.filter((r) => r.gone).map((r) => r.pin_id),
      next: rows.length === limit ? rows[rows.length - 1]?.pin_id : undefined,
    };
  },

  /**
   * Recomputes the engagement of these indexed pins, or of those with activity since `sinceDay`; where
   * it moved, the stored keys and the postings' rank keys move with it. Returns the pins changed.
   */
  async refreshEngagement(
    db: Db,
    which: { pinIds: readonly string[] } | { sinceDay: string },
  ): Promise<number> {
    const target =
      'pinIds' in which
        ? sql`select unnest(${[...which.pinIds]}::bigint[]) as pin_id`
        : // pin_hourly_signals (indexed by hour) names the pins with activity in the last days.
          sql`select distinct pin_id from pin_hourly_signals where hour >= ${which.sinceDay}::date`;
    const { rows } = await sql<{ n: string }>`
      with e as (
        select d.pin_id, ${ENGAGEMENT} as engagement
        from search_pin_docs d join pins p on p.id = d.pin_id
        where d.pin_id in (${target})
      ), changed as (
        update search_pin_docs d
        set engagement = e.engagement, static_key = ${STATIC_KEY(sql`e.engagement`, sql`d.created_at`)}
        from e where d.pin_id = e.pin_id and d.engagement <> e.engagement
        returning d.pin_id, d.static_key, d.lexemes
      ), moved as (
        update search_postings sp set rank_key = ln(sp.weight) + c.static_key
        from changed c where sp.pin_id = c.pin_id and sp.lexeme = any(c.lexemes)
        returning 1
      )
      select count(*)::text as n from changed`.execute(db);
    return Number(rows[0]?.n ?? 0);
  },

  /** Rebuilds the lexicon (public lexemes and their document counts) from the postings. */
  async refreshLexicon(db: Db): Promise<void> {
    await db.transaction().execute(async (trx) => {
      if (!(await searchIndexRepository.tryLock(trx, 'search_lexicon'))) return;
      await sql`
        with counts as (select lexeme, count(*)::int as n from search_postings group by lexeme)
        insert into search_lexicon (lexeme, doc_count) select lexeme, n from counts
        on conflict (lexeme) do update set doc_count = excluded.doc_count
        where search_lexicon.doc_count <> excluded.doc_count`.execute(trx);
      await sql`delete from search_lexicon l
        where not exists (select 1 from search_postings p where p.lexeme = l.lexeme)`.execute(trx);
    });
  },

  /** Rebuilds the vocabulary: public pin titles and names of public boards, with counts. */
  async refreshVocabulary(db: Db): Promise<void> {
    await db.transaction().execute(async (trx) => {
      if (!(await searchIndexRepository.tryLock(trx, 'search_vocabulary'))) return;
      await sql`create temporary table vocab_new on commit drop as
        select term, sum(n)::int as doc_count from (
          select title_term as term, count(*) as n from search_pin_docs where title_term is not null group by 1
          union all
          select ${TERM_OF(sql`name`)} as term, count(*) as n from boards b where ${discoverableBoard('b')} group by 1
        ) v where term is not null and length(term) <= 100 group by term`.execute(trx);
      await sql`delete from search_vocabulary s where not exists (select 1 from vocab_new v where v.term = s.term)`.execute(
        trx,
      );
      // In term order, as the index consumer's count moves lock rows (no deadlock between the two).
      await sql`insert into search_vocabulary (term, doc_count) select term, doc_count from vocab_new order by term
        on conflict (term) do update set doc_count = excluded.doc_count
        where search_vocabulary.doc_count <> excluded.doc_count`.execute(trx);
    });
  },

  async getState(db: Db, name: string): Promise<string | undefined> {
    const { rows } = await sql<{
      value: string;
    }>`select value from search_index_state where name = ${name}`.execute(db);
    return rows[0]?.value;
  },

  async setState(db: Db, name: string, value: string): Promise<void> {
    await sql`insert into search_index_state (name, value) values (${name}, ${value})
      on conflict (name) do update set value = excluded.value`.execute(db);
  },

  /** Takes a transaction-scoped advisory lock if free (one reconciliation at a time per schema). */
  async tryLock(trx: Db, key: string): Promise<boolean> {
    const { rows } = await sql<{ ok: boolean }>`
      select pg_try_advisory_xact_lock(hashtext(current_schema() || ${key})) as ok`.execute(trx);
    return rows[0]?.ok === true;
  },
};
