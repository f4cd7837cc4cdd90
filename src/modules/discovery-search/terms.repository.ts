import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard } from '../boards/index.js';
import { TERM_OF } from './search-index.repository.js';

/** Terms read into the typeahead index, at most this many of each source. */
const MAX_TERMS = 50_000;
/** Days of searches that make a query popular. */
export const POPULAR_DAYS = 30;

/**
 * A term passes when it has a lexeme and every lexeme of it occurs in public content (has postings):
 * a query whose words only secret pins contain is never suggested, related or trending.
 */
export const PUBLIC_TERM = (term: ReturnType<typeof sql>) => sql`(
  to_tsvector('english', ${term}) <> ''::tsvector
  and not exists (
    select 1 from unnest(tsvector_to_array(to_tsvector('english', ${term}))) l(x)
    where not exists (select 1 from search_postings p where p.lexeme = l.x)))`;

/** People who must have searched a query (within POPULAR_DAYS) before it is shown to anyone. */
export const MIN_SEARCHERS = 3;

/**
 * A searched term passes when at least MIN_SEARCHERS people searched it in the last POPULAR_DAYS, the
 * window its popularity is counted over: what one or two people typed is never suggested, related or
 * trending. Reads at most MIN_SEARCHERS index entries of the term.
 */
export const SHARED_QUERY = (term: ReturnType<typeof sql>) => sql`(
  (select count(*) from (
     select 1 from search_term_searchers s
     where s.term = ${term} and s.last_day > current_date - ${POPULAR_DAYS}::int
     limit ${MIN_SEARCHERS}) x) >= ${MIN_SEARCHERS})`;

export const termsRepository = {
  /**
   * Searched terms of the last POPULAR_DAYS days with their search counts: public ones (PUBLIC_TERM)
   * that enough people searched (SHARED_QUERY).
   */
  async popularQueries(db: Db): Promise<{ term: string; n: number }[]> {
    const { rows } = await sql<{ term: string; n: string }>`
      select t.term, t.n::text as n from (
        select d.term, sum(d.searches) as n from search_term_daily d
        where d.day > current_date - ${POPULAR_DAYS}::int group by d.term
        having ${SHARED_QUERY(sql`d.term`)}
        order by n desc, d.term limit ${MAX_TERMS}
      ) t where ${PUBLIC_TERM(sql`t.term`)}`.execute(db);
    return rows.map((r) => ({ term: r.term, n: Number(r.n) }));
  },

  /** Forgets searchers whose last search of a term is older than POPULAR_DAYS (no window reads them). */
  async pruneSearchers(db: Db): Promise<number> {
    const { numAffectedRows } = await sql`delete from search_term_searchers
      where last_day <= current_date - ${POPULAR_DAYS}::int`.execute(db);
    return Number(numAffectedRows ?? 0);
  },

  /** The public vocabulary (pin titles, board names) with document counts. */
  async vocabulary(db: Db): Promise<{ term: string; n: number }[]> {
    const { rows } = await sql<{ term: string; n: number }>`
      select term, doc_count as n from search_vocabulary order by doc_count desc, term limit ${MAX_TERMS}`.execute(
      db,
    );
    return rows;
  },

  /**
   * Of these terms (candidates of one typeahead or related-terms answer), those public content carries
   * now, read from the pins and boards themselves rather than the vocabulary (which lags a board made
   * secret, a pin deleted or moved, until the index consumer runs): a title of a pin that still has it
   * on a board discovery shows, or the name of such a board; and, for terms in `searched` (popular
   * queries), also every lexeme having a posting on a pin on such a board. A few index probes per term.
   */
  async visibleNow(db: Db, terms: readonly string[], searched: readonly string[]): Promise<Set<string>> {
    if (terms.length === 0) return new Set();
    // A lateral subquery with LIMIT 1 per term: a few index probes each, never a plan that hashes
    // every title (which `exists ... or exists` invites).
    const { rows } = await sql<{ term: string }>`
      select t.term from unnest(${[...terms]}::text[]) t(term)
      cross join lateral (
        (select 1 from search_pin_docs d join pins p on p.id = d.pin_id join boards b on b.id = p.board_id
          where d.title_term = t.term and ${TERM_OF(sql`p.title`)} = t.term and ${discoverableBoard('b')} limit 1)
        union all
        (select 1 from boards b where ${TERM_OF(sql`b.name`)} = t.term and ${discoverableBoard('b')} limit 1)
        union all
        (select 1 where t.term = any(${[...searched]}::text[])
          and to_tsvector('english', t.term) <> ''::tsvector
          and not exists (
            select 1 from unnest(tsvector_to_array(to_tsvector('english', t.term))) l(x)
            where not exists (
              select 1 from search_postings sp join pins p on p.id = sp.pin_id join boards b on b.id = p.board_id
              where sp.lexeme = l.x and ${discoverableBoard('b')})))
        limit 1
      ) ok`.execute(db);
    return new Set(rows.map((r) => r.term));
  },

  /**
   * Terms co-occurring with `lexemes` on boards: the titles of public pins on the boards of the best
   * (up to 200) pins having every lexeme, by how many such boards carry them.
   */
  async boardNeighbours(db: Db, lexemes: readonly string[], limit: number): Promise<string[]> {
    if (lexemes.length === 0) return [];
    const [first, ...rest] = lexemes;
    const { rows } = await sql<{ term: string }>`
      with hits as (
        select p.pin_id from search_postings p
        where p.lexeme = ${first}
          and (select count(*) from search_postings s where s.pin_id = p.pin_id and s.lexeme = any(${rest}::text[])) = ${rest.length}
        order by p.rank_key desc limit 200
      ), bs as (
        -- The board's privacy now: the index lags a board made secret by one consumer delivery.
        select distinct d.board_id from hits h join search_pin_docs d on d.pin_id = h.pin_id
        join boards b on b.id = d.board_id and ${discoverableBoard('b')}
      )
      select d.title_term as term from bs join search_pin_docs d on d.board_id = bs.board_id
      join pins p on p.id = d.pin_id and p.board_id = d.board_id
      where d.title_term is not null and length(d.title_term) <= 100
      group by d.title_term order by count(distinct d.board_id) desc, count(*) desc, d.title_term
      limit ${limit}`.execute(db);
    return rows.map((r) => r.term);
  },
};
