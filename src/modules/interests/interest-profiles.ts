import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard } from '../boards/index.js';
import { INTERESTS } from './taxonomy.js';

/** How many of a person's latest public pins their interests are read from. */
const PINS_READ = 200;

/** Per person (or pin), how strongly their content is about each interest (interest id -> score > 0). */
export type InterestProfiles = Map<string, Map<string, number>>;

/**
 * The interests of people (all, or those in `userIds`), read from their public content: the words of
 * their public boards' names and descriptions and of the titles of their latest public pins, stemmed as
 * full-text search stems them, each word counting once per board or pin that has it. An interest's score
 * is how many such words are among the interest's own. Only PUBLIC boards count (discovery's rule), so a
 * secret or protected board says nothing about anyone. One query for any number of people.
 */
export async function interestProfiles(db: Db, userIds?: readonly string[]): Promise<InterestProfiles> {
  if (userIds?.length === 0) return new Map();
  const boardOwner = userIds ? sql`and b.owner_id in (${sql.join([...userIds])})` : sql``;
  const pinOwner = userIds ? sql`and p.owner_id in (${sql.join([...userIds])})` : sql``;
  return interestScores(
    db,
    sql`select b.owner_id, b.name || ' ' || coalesce(b.description, '')
          from boards b where ${discoverableBoard('b')} ${boardOwner}
        union all
        select user_id, t from (
          select p.owner_id as user_id, coalesce(p.title, '') as t,
                 row_number() over (partition by p.owner_id order by p.id desc) as rank
            from pins p join boards b on b.id = p.board_id
           where ${discoverableBoard('b')} ${pinOwner}
        ) latest where rank <= ${PINS_READ}`,
  );
}

/**
 * The interests of pins, from the words of their title, description and board name (stemmed as above);
 * an interest's score is how many of its words the pin's text has. One query for any number of pins.
 */
export async function pinInterests(db: Db, pinIds: readonly string[]): Promise<InterestProfiles> {
  if (pinIds.length === 0) return new Map();
  return interestScores(
    db,
    sql`select p.id, coalesce(p.title, '') || ' ' || coalesce(p.description, '') || ' ' || b.name
          from pins p join boards b on b.id = p.board_id
         where p.id = any(${[...pinIds]}::bigint[])`,
  );
}

/**
 * Scores texts against the taxonomy: `texts` selects (key, text) rows, several per key if need be; each
 * text's words are stemmed as full-text search stems them, and a key's score for an interest is how many
 * of its texts' words are among the interest's own words.
 */
async function interestScores(db: Db, texts: RawBuilder<unknown>): Promise<InterestProfiles> {
  const taxonomy = sql.join(INTERESTS.map((i) => sql`(${i.id}, ${i.words.join(' ')})`));
  const { rows } = await sql<ScoreRow>`
    with taxonomy (interest_id, words) as (values ${taxonomy}),
    stems as (
      select interest_id, unnest(tsvector_to_array(to_tsvector('english', words))) as stem from taxonomy
    ),
    texts (key, t) as (${texts}),
    words as (select key, unnest(tsvector_to_array(to_tsvector('english', t))) as w from texts)
    select w.key::text as key, s.interest_id, count(*)::int as n
      from words w join stems s on s.stem = w.w
     group by w.key, s.interest_id`.execute(db);
  return toProfiles(rows);
}

interface ScoreRow {
  key: string;
  interest_id: string;
  n: number;
}

/** Rows of (key, interest, score) as one profile per key. */
function toProfiles(rows: readonly ScoreRow[]): InterestProfiles {
  const out: InterestProfiles = new Map();
  for (const r of rows) {
    const profile = out.get(r.key) ?? new Map<string, number>();
    profile.set(r.interest_id, r.n);
    out.set(r.key, profile);
  }
  return out;
}
