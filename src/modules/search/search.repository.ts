import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { listedBoard } from '../boards/index.js';

/** One search result: the row's id and the keys it is ordered by. */
export interface Hit {
  id: string;
  /** ts_rank_cd as float8, so it survives a round trip through JSON exactly. */
  rank: number;
  /** created_at in microseconds since the epoch (text: past 2^53 is not a concern, exactness is). */
  created_us: string;
}

/** Keyset position after a hit: (rank, created_us, id), all descending. */
export type HitCursor = readonly [rank: number, createdUs: string, id: string];

export interface HitQuery {
  ownerId: string;
  /** Passed to websearch_to_tsquery('english', ...). */
  text: string;
  /** Include rows on (or being) secret boards: the owner's own list may show them (boards' readsSecret). */
  secret: boolean;
  after: HitCursor | undefined;
  limit: number;
}

// The tsquery is written inline rather than in a CTE or lateral join: as a stable function of a
// parameter the planner evaluates it once and can use it as a GIN index condition.
const tsquery = (text: string) => sql`websearch_to_tsquery('english', ${text})`;

function afterClause(after: HitCursor | undefined) {
  if (!after) return sql``;
  const [rank, createdUs, id] = after;
  return sql`where (h.rank, h.created_us, h.id) < (${rank}::float8, ${createdUs}::bigint, ${id}::bigint)`;
}

/**
 * The owner's rows of `table` (alias `t`, with `search`, `owner_id`, `created_at`) matching the text, best
 * rank first, then newest; `privacy` is an extra condition on `t`.
 */
async function rankedHits(
  db: Db,
  table: 'pins' | 'boards',
  q: HitQuery,
  privacy: RawBuilder<unknown>,
): Promise<Hit[]> {
  const { rows } = await sql<Hit>`
    select h.id::text as id, h.rank, h.created_us::text as created_us
    from (
      select t.id,
             ts_rank_cd(t.search, ${tsquery(q.text)})::float8 as rank,
             (extract(epoch from t.created_at) * 1000000)::bigint as created_us
      from ${sql.table(table)} t
      where t.owner_id = ${q.ownerId} and t.search @@ ${tsquery(q.text)} ${privacy}
    ) h
    ${afterClause(q.after)}
    order by h.rank desc, h.created_us desc, h.id desc
    limit ${q.limit}`.execute(db);
  return rows;
}

/** Full-text search over one owner's pins and boards, ranked, keyset-paginated. */
export const searchRepository = {
  /** The owner's pins matching the text (those on secret boards only when `secret`). */
  pins(db: Db, q: HitQuery): Promise<Hit[]> {
    // Every pin of the owner's is on a board of theirs; with the secret scope no board needs reading.
    const privacy = q.secret
      ? sql``
      : sql`and exists (select 1 from boards b where b.id = t.board_id and ${listedBoard('b', q)})`;
    return rankedHits(db, 'pins', q, privacy);
  },

  /** The owner's boards matching the text (secret ones only when `secret`). */
  boards(db: Db, q: HitQuery): Promise<Hit[]> {
    return rankedHits(db, 'boards', q, sql`and ${listedBoard('t', q)}`);
  },
};
