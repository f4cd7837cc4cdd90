import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard, isDiscoverable } from '../boards/index.js';

/** One pin row as the graph build reads it. */
export interface GraphRow {
  id: string;
  parent_pin_id: string | null;
  board_id: string;
  secret: boolean;
}

/** One entry of the graph's change log. */
export interface LogEntry {
  seq: string;
  kind: 'edge' | 'block' | 'unblock';
  board_id: string;
  pin_id: string | null;
  canonical_id: string | null;
}

/** A candidate pin with what filtering needs: who may see it, where it is, its image's dHash. */
export interface CandidateRow {
  id: string;
  board_id: string;
  owner_id: string;
  privacy: string;
  canonical_id: string;
  /** images.dhash of the pin's first image (signed 64-bit, as text), null while the image is processed. */
  dhash: string | null;
  /** images.dominant_color of that image (#RRGGBB), null while it is processed. */
  dominant_color: string | null;
}

/** Longest save chain followed to its root (chains are short; this only bounds a corrupt cycle). */
const MAX_CHAIN = 64;

/**
 * The canonical pin id of each pin whose id the subquery `starts` yields (column `id`): the root of its
 * save chain, or the id of the first missing ancestor when a row of the chain was deleted.
 */
const canonicalOf = (starts: ReturnType<typeof sql>) => sql`
  with recursive chain (start, id, parent, depth) as (
    select s.id, p.id, p.parent_pin_id, 0 from (${starts}) s join pins p on p.id = s.id
    union all
    select c.start, p.id, p.parent_pin_id, c.depth + 1
    from chain c join pins p on p.id = c.parent
    where c.depth < ${MAX_CHAIN}
  )
  select distinct on (start) start::text as pin_id, coalesce(parent, id)::text as canonical_id
  from chain order by start, depth desc`;

export const relatedRepository = {
  /** A page of pin rows in id order, with whether each is on a secret board. */
  async graphRows(db: Db, afterId: string, limit: number): Promise<GraphRow[]> {
    const { rows } = await sql<GraphRow>`
      select p.id::text as id, p.parent_pin_id::text as parent_pin_id, p.board_id::text as board_id,
             not ${discoverableBoard('b')} as secret
      from pins p join boards b on b.id = p.board_id
      where p.id > ${afterId}::bigint
      order by p.id
      limit ${limit}`.execute(db);
    return rows;
  },

  /** The newest log position (0 when the log is empty). */
  async logHead(db: Db): Promise<number> {
    const { rows } = await sql<{ seq: string }>`
      select coalesce(max(seq), 0)::text as seq from related_graph_log`.execute(db);
    return Number(rows[0]?.seq ?? 0);
  },

  /** Log entries after `afterSeq`, in order. */
  async logAfter(db: Db, afterSeq: number, limit: number): Promise<LogEntry[]> {
    const { rows } = await sql<LogEntry>`
      select seq::text as seq, kind, board_id::text as board_id, pin_id::text as pin_id,
             canonical_id::text as canonical_id
      from related_graph_log where seq > ${afterSeq} order by seq limit ${limit}`.execute(db);
    return rows;
  },

  /** Logs an edge for each of these pins that is on a public board. */
  async logEdgesOfPins(trx: Db, pinIds: readonly string[]): Promise<void> {
    if (pinIds.length === 0) return;
    await sql`
      insert into related_graph_log (kind, board_id, pin_id, canonical_id)
      select 'edge', p.board_id, p.id, c.canonical_id::bigint
      from (${canonicalOf(sql`select unnest(${[...pinIds]}::bigint[]) as id`)}) c
      join pins p on p.id = c.pin_id::bigint
      join boards b on b.id = p.board_id
      where ${discoverableBoard('b')}
      order by p.id`.execute(trx);
  },

  /** Logs a board's current privacy: `block` when not discoverable, else `unblock` and its pins' edges. */
  async logBoardPrivacy(trx: Db, boardId: string): Promise<void> {
    const { rows } = await sql<{ privacy: string }>`
      select privacy from boards where id = ${boardId}::bigint`.execute(trx);
    const privacy = rows[0]?.privacy;
    if (privacy === undefined) return;
    const secret = !isDiscoverable(privacy);
    await sql`
      insert into related_graph_log (kind, board_id) values (${secret ? 'block' : 'unblock'}, ${boardId}::bigint)`.execute(
      trx,
    );
    if (secret) return;
    await sql`
      insert into related_graph_log (kind, board_id, pin_id, canonical_id)
      select 'edge', ${boardId}::bigint, c.pin_id::bigint, c.canonical_id::bigint
      from (${canonicalOf(sql`select id from pins where board_id = ${boardId}::bigint`)}) c
      order by c.pin_id::bigint`.execute(trx);
  },

  /**
   * Pins newer than `afterId`, on public boards, created more than `graceMs` ago: rows the
   * change log should have announced by now (the pins primary key bounds the scan to the newest rows).
   */
  async unseenPins(db: Db, afterId: string, graceMs: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n
      from pins p join boards b on b.id = p.board_id
      where p.id > ${afterId}::bigint and ${discoverableBoard('b')}
        and p.created_at < now() - make_interval(secs => ${graceMs / 1000})`.execute(db);
    return rows[0]?.n ?? 0;
  },

  /** Drops log entries older than `before` (every node has rebuilt since). */
  async pruneLog(db: Db, before: Date): Promise<void> {
    await sql`delete from related_graph_log where created_at < ${before.toISOString()}::timestamptz`.execute(
      db,
    );
  },

  /** The canonical id of a pin (undefined when the pin does not exist). */
  async canonical(db: Db, pinId: string): Promise<string | undefined> {
    const { rows } = await sql<{ canonical_id: string }>`
      ${canonicalOf(sql`select ${pinId}::bigint as id`)}`.execute(db);
    return rows[0]?.canonical_id;
  },

  /** The canonical ids of several pins. */
  async canonicals(db: Db, pinIds: readonly string[]): Promise<Map<string, string>> {
    if (pinIds.length === 0) return new Map();
    const { rows } = await sql<{ pin_id: string; canonical_id: string }>`
      ${canonicalOf(sql`select unnest(${[...pinIds]}::bigint[]) as id`)}`.execute(db);
    return new Map(rows.map((r) => [r.pin_id, r.canonical_id]));
  },

  /** The candidates that exist, with their board, privacy, canonical id and first image's dHash and colour. */
  async candidates(db: Db, pinIds: readonly string[]): Promise<Map<string, CandidateRow>> {
    if (pinIds.length === 0) return new Map();
    const { rows } = await sql<CandidateRow>`
      select p.id::text as id, p.board_id::text as board_id, p.owner_id::text as owner_id, b.privacy,
             c.canonical_id, i.dhash::text as dhash, i.dominant_color
      from (${canonicalOf(sql`select unnest(${[...pinIds]}::bigint[]) as id`)}) c
      join pins p on p.id = c.pin_id::bigint
      join boards b on b.id = p.board_id
      left join pin_images pi on pi.pin_id = p.id and pi.position = 0
      left join images i on i.id = pi.image_id`.execute(db);
    return new Map(rows.map((r) => [r.id, r]));
  },

  /**
   * Content neighbours of a pin for cold pins: pins on public boards whose text (title,
   * description, alt text) or whose board's name and description share words with the pin's title (its
   * description when it has no title) and board name, best first (ts_rank_cd of the pin's text plus half
   * its board's). Descriptions are left out of the words asked for because they are long and generic
   * ("an idea for..."): one common word would match every pin. Both matches go through the GIN indexes
   * on `pins.search` and `boards.search`, each capped at 2,000 matches before ranking.
   */
  async similarText(db: Db, pinId: string, limit: number): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      with src as (
        select coalesce(nullif(p.title, ''), p.description, '') || ' ' || b.name as text
        from pins p join boards b on b.id = p.board_id where p.id = ${pinId}::bigint
      ),
      q as (
        select string_agg(quote_literal(lexeme), ' | ')::tsquery as tsq
        from (select lexeme from src, unnest(to_tsvector('english', src.text)) limit 32) words
      ),
      by_pin as (
        select p.id, ts_rank_cd(p.search, q.tsq) as rank
        from q join pins p on p.search @@ q.tsq
        limit 2000
      ),
      by_board as (
        select p.id, 0.5 * ts_rank_cd(b.search, q.tsq) as rank
        from q join boards b on b.search @@ q.tsq
        cross join lateral (select id from pins where board_id = b.id order by id desc limit 20) p
        where ${discoverableBoard('b')}
        limit 2000
      ),
      hits as (
        select id, sum(rank) as rank from (select * from by_pin union all select * from by_board) h
        group by id
      )
      select h.id::text as id
      from hits h join pins p on p.id = h.id join boards b on b.id = p.board_id
      where ${discoverableBoard('b')} and p.id <> ${pinId}::bigint
      order by h.rank desc, h.id desc
      limit ${limit}`.execute(db);
    return rows.map((r) => r.id);
  },
};
