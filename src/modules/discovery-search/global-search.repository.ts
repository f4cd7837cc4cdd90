import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard } from '../boards/index.js';
import { CHAMPIONS } from './ranking.js';

/** One ranked hit: its id and its score (float8, exact through JSON). */
export interface ScoredHit {
  id: string;
  score: number;
}

/** Keyset position after a hit: (score, id), both descending. */
export type ScoreCursor = readonly [score: number, id: string];

/** The lexemes of each word of a query, as the index makes them (english stemming, stop words dropped). */
export interface WordLexemes {
  word: string;
  lexemes: string[];
  /** Lexemes of the word that have postings (occur in some public pin). */
  known: string[];
  /** Document count of each known lexeme in the lexicon (0 for one too new to be counted yet: rare). */
  counts: number[];
}

/** A lexeme near a misspelt one, its document count, and a word of public text it comes from. */
export interface NearLexeme {
  lexeme: string;
  count: number;
  /** A word as written in one of the lexeme's best public pins (lexemes are stems: `crumbl`). */
  word: string | null;
}

const afterClause = (after: ScoreCursor | undefined) =>
  after ? sql`and (h.score, h.id) < (${after[0]}::float8, ${after[1]}::bigint)` : sql``;

/** Queries over the search index, the lexicon and the boards and people tables. */
export class GlobalSearchRepository {
  /** `"schema".` of pg_trgm's functions and operators (looked up once). */
  private trgm: Promise<string> | undefined;

  constructor(private readonly db: Db) {}

  private trgmSchema(): Promise<string> {
    this.trgm ??= sql<{ schema: string }>`
      select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = 'pg_trgm'`
      .execute(this.db)
      .then(({ rows }) => {
        const schema = rows[0]?.schema;
        if (!schema) throw new Error('pg_trgm is not installed');
        return `"${schema.replaceAll('"', '""')}"`;
      });
    return this.trgm;
  }

  /** Each word's lexemes, which of them occur in public pins, and how many pins have those (one round trip). */
  async lexemes(words: readonly string[]): Promise<WordLexemes[]> {
    const { rows } = await sql<{ i: number; lexemes: string[]; known: string[]; counts: number[] }>`
      select w.i::int as i, x.lexemes, k.known,
             array(select coalesce((select c.doc_count from search_lexicon c where c.lexeme = u.l), 0)
                   from unnest(k.known) with ordinality as u(l, n) order by u.n) as counts
      from unnest(${[...words]}::text[]) with ordinality as w(word, i)
      cross join lateral (select tsvector_to_array(to_tsvector('english', w.word)) as lexemes) x
      cross join lateral (
        select array(select l from unnest(x.lexemes) l
                     where exists (select 1 from search_postings p where p.lexeme = l)) as known
      ) k
      order by w.i`.execute(this.db);
    return rows.map((r) => ({
      word: words[r.i - 1] ?? '',
      lexemes: r.lexemes,
      known: r.known,
      counts: r.counts,
    }));
  }

  /**
   * The public lexeme nearest to `lexeme` by trigram similarity (at least `threshold`), preferring the
   * more common on a tie, with its document count; undefined when none is near enough.
   */
  async nearestLexeme(lexeme: string, threshold = 0.3): Promise<NearLexeme | undefined> {
    const t = sql.raw(await this.trgmSchema());
    // `%` uses pg_trgm.similarity_threshold (0.3 by default) and the trigram index; the explicit bound
    // makes the threshold ours whatever the server's setting.
    const { rows } = await sql<NearLexeme>`
      select n.lexeme, n.count, (
        -- A word of the lexeme's best few public pins whose own lexeme it is, to show the correction in.
        select w from (
          select p.pin_id from search_postings p where p.lexeme = n.lexeme
          order by p.rank_key desc, p.pin_id desc limit 5
        ) top
        join pins x on x.id = top.pin_id join boards b on b.id = x.board_id
        cross join lateral regexp_split_to_table(
          lower(concat_ws(' ', x.title, x.description, b.name, x.alt_text)), '[^[:alnum:]]+') w
        where w <> '' and tsvector_to_array(to_tsvector('english', w)) = array[n.lexeme]
        limit 1
      ) as word
      from (
        select lexeme, doc_count as count from search_lexicon
        where lexeme operator(${t}.%) ${lexeme} and ${t}.similarity(lexeme, ${lexeme}) >= ${threshold}
        order by ${t}.similarity(lexeme, ${lexeme}) desc, doc_count desc, lexeme
        limit 1
      ) n`.execute(this.db);
    return rows[0];
  }

  /**
   * Pins having every lexeme, best score first, with whether each is still visible: the top CHAMPIONS
   * postings of the `driver` lexeme (the rarest) by rank key, kept if they have postings for all the
   * others (an index-only probe of the primary key per candidate and other lexeme), scored by the summed
   * weights. A one-lexeme query reads its page straight from the rank index (its score is the rank key),
   * past the bookmark. `visible` is false for a pin whose board became secret since it was indexed (checked on the
   * page only; the caller drops those, the bookmark still moves on).
   */
  async pins(q: {
    driver: string;
    lexemes: string[];
    after?: ScoreCursor;
    limit: number;
  }): Promise<(ScoredHit & { visible: boolean })[]> {
    const others = q.lexemes.filter((l) => l !== q.driver);
    const ranked =
      others.length === 0
        ? sql`
          select p.pin_id as id, p.rank_key as score from search_postings p
          where p.lexeme = ${q.driver}
            ${q.after ? sql`and (p.rank_key, p.pin_id) < (${q.after[0]}::float8, ${q.after[1]}::bigint)` : sql``}
          order by p.rank_key desc, p.pin_id desc
          limit ${Math.min(q.limit, CHAMPIONS)}`
        : sql`
          with cand as (
            select p.pin_id, p.weight, p.rank_key - ln(p.weight) as static_key
            from search_postings p where p.lexeme = ${q.driver}
            order by p.rank_key desc, p.pin_id desc
            limit ${CHAMPIONS}
          ), h as (
            -- A lateral aggregate, so each candidate is one index-only probe of the primary key per other
            -- lexeme (a join would be planned as a scan of the other lexemes' whole posting lists).
            select c.pin_id as id, ln(c.weight + o.weight) + c.static_key as score
            from cand c cross join lateral (
              select sum(s.weight) as weight, count(*) as n from search_postings s
              where s.lexeme = any(${others}::text[]) and s.pin_id = c.pin_id
            ) o
            where o.n = ${others.length}
          )
          select h.id, h.score from h where true ${afterClause(q.after)}
          order by h.score desc, h.id desc
          limit ${q.limit}`;
    const { rows } = await sql<ScoredHit & { visible: boolean }>`
      select r.id::text as id, r.score, coalesce(${discoverableBoard('b')}, false) as visible
      from (${ranked}) r left join pins p on p.id = r.id left join boards b on b.id = p.board_id
      order by r.score desc, r.id desc`.execute(this.db);
    return rows;
  }

  /** Whether some public board has every lexeme. */
  async anyBoard(lexemes: readonly string[]): Promise<boolean> {
    const { rows } = await sql`select 1 from boards b
      where b.search @@ plainto_tsquery('simple', ${lexemes.join(' ')}) and ${discoverableBoard('b')} limit 1`.execute(
      this.db,
    );
    return rows.length > 0;
  }

  /**
   * Public boards whose name or description match every lexeme, by ts_rank_cd × (1 + 0.5
   * ln(1 + followers)), in log space like pins: ln(rank) + ln(1 + 0.5 ln(1 + followers)).
   */
  async boards(q: { lexemes: string[]; after?: ScoreCursor; limit: number }): Promise<ScoredHit[]> {
    // Lexemes re-parsed by the `simple` configuration: no stemming again, and no tsquery syntax to escape.
    const tsq = sql`plainto_tsquery('simple', ${q.lexemes.join(' ')})`;
    const { rows } = await sql<ScoredHit>`
      select h.id::text as id, h.score from (
        select b.id,
               ln(greatest(ts_rank_cd(b.search, ${tsq}), 1e-6)::float8)
               + ln(1 + 0.5 * ln(1 + (select count(*) from board_follows f where f.board_id = b.id)::float8)) as score
        from boards b
        where b.search @@ ${tsq} and ${discoverableBoard('b')}
      ) h where true ${afterClause(q.after)}
      order by h.score desc, h.id desc
      limit ${q.limit}`.execute(this.db);
    return rows;
  }

  /**
   * People whose username starts with or resembles the term: similarity (1 for a prefix match) ×
   * (1 + 0.5 ln(1 + followers)), in log space.
   */
  async users(q: { term: string; after?: ScoreCursor; limit: number }) {
    const t = sql.raw(await this.trgmSchema());
    const prefix = `${q.term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await sql<
      ScoredHit & {
        username: string;
        about: string;
        profile_image: string;
        website_url: string;
        account_type: string;
        follower_count: string;
      }
    >`
      select h.id::text as id, h.score, u.username, u.about, u.profile_image, u.website_url, u.account_type,
             h.followers::text as follower_count
      from (
        select u.id, f.n as followers,
               ln(case when lower(u.username) like ${prefix} then 1 else ${t}.similarity(lower(u.username), ${q.term})::float8 end)
               + ln(1 + 0.5 * ln(1 + f.n::float8)) as score
        from users u
        cross join lateral (select count(*) as n from follows x where x.followee_id = u.id) f
        where lower(u.username) operator(${t}.%) ${q.term} or lower(u.username) like ${prefix}
      ) h join users u on u.id = h.id
      where true ${afterClause(q.after)}
      order by h.score desc, h.id desc
      limit ${q.limit}`.execute(this.db);
    return rows;
  }
}
