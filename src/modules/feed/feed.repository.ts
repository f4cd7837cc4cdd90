import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverableBoard, openBoard } from '../boards/index.js';
import type { FeedEntry } from './feed-store.js';

/** A candidate pin as the ranker needs it: where it is, who made it, and which pin it is a save of. */
export interface PinFacts {
  id: string;
  boardId: string;
  ownerId: string;
  /** The pin it was saved from, or itself: saves of one pin are the same pin to a viewer. */
  canonical: string;
  /** Who made the canonical pin (null if it was deleted). */
  canonicalOwner: string | null;
  at: number;
}

/** A pin of the popular pool, with the words of its title and board name. */
export interface PoolRow extends Omit<PinFacts, 'at' | 'canonicalOwner'> {
  saves: number;
  terms: string[];
}

/** What the feed knows of a viewer, read once per ranking. */
export interface ViewerGraph {
  followees: string[];
  boards: string[];
  /** Followed authors ('user') and boards ('board') above the fan-out threshold. */
  heavyUsers: string[];
  heavyBoards: string[];
}

/** Recent saves (of the pin saved) and close-ups, newest first. */
export interface SeedRow {
  pinId: string;
  at: number;
  kind: 'SAVE' | 'PIN_CLICK';
}

/** How many recent pins of each followed source a rebuild or a read-time merge takes. */
const PER_SOURCE = 100;

export const feedRepository = {
  /** Marks people active now, unless marked within the last hour (so hot readers write rarely). */
  async markActive(db: Db, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    await sql`
      insert into feed_activity (user_id, active_at)
      select u, now() from unnest(${userIds}::bigint[]) as u
       where exists (select 1 from users where id = u)
      on conflict (user_id) do update set active_at = excluded.active_at
       where feed_activity.active_at < excluded.active_at - interval '1 hour'`.execute(db);
  },

  /** A pin about to be fanned out: its time, and its board's privacy and id now (undefined if gone). */
  async pinForFanout(db: Db, pinId: string) {
    const { rows } = await sql<{ at: number; board_id: string; owner_id: string; privacy: string }>`
      select (extract(epoch from p.created_at) * 1000)::float8 as at, p.board_id::text as board_id,
             p.owner_id::text as owner_id, b.privacy
        from pins p join boards b on b.id = p.board_id
       where p.id = ${pinId}`.execute(db);
    return rows[0];
  },

  /** Whether more than `threshold` people follow the person (counts at most threshold + 1 rows). */
  async userIsHeavy(db: Db, userId: string, threshold: number): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from (
        select 1 from follows where followee_id = ${userId} limit ${threshold + 1}) t`.execute(db);
    return (rows[0]?.n ?? 0) > threshold;
  },

  async boardIsHeavy(db: Db, boardId: string, threshold: number): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from (
        select 1 from board_follows where board_id = ${boardId} limit ${threshold + 1}) t`.execute(db);
    return (rows[0]?.n ?? 0) > threshold;
  },

  /** Records whether a source is above the threshold now. */
  async setHeavy(db: Db, kind: 'user' | 'board', id: string, heavy: boolean): Promise<void> {
    if (heavy)
      await db
        .insertInto('feed_heavy_sources')
        .values({ kind, source_id: id })
        .onConflict((oc) => oc.columns(['kind', 'source_id']).doNothing())
        .execute();
    else
      await db
        .deleteFrom('feed_heavy_sources')
        .where('kind', '=', kind)
        .where('source_id', '=', id)
        .execute();
  },

  /**
   * Active people (feed_activity within `since`) following the author (unless skipped) or the board
   * (unless skipped), the author left out.
   */
  async activeFollowers(
    db: Db,
    q: { authorId: string; boardId: string; since: Date; viaAuthor: boolean; viaBoard: boolean },
  ): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select f.follower_id::text as id
        from follows f join feed_activity a on a.user_id = f.follower_id and a.active_at > ${q.since}
       where ${q.viaAuthor} and f.followee_id = ${q.authorId}
      union
      select f.user_id::text
        from board_follows f join feed_activity a on a.user_id = f.user_id and a.active_at > ${q.since}
       where ${q.viaBoard} and f.board_id = ${q.boardId} and f.user_id <> ${q.authorId}`.execute(db);
    return rows.map((r) => r.id);
  },

  /** The newest public pins of one author or one board (a follow's backfill). */
  async recentOf(db: Db, source: { userId: string } | { boardId: string }, limit: number) {
    const where =
      'userId' in source ? sql`p.owner_id = ${source.userId}` : sql`p.board_id = ${source.boardId}`;
    const { rows } = await sql<FeedEntry>`
      select p.id::text as "pinId", (extract(epoch from p.created_at) * 1000)::float8 as at
        from pins p join boards b on b.id = p.board_id
       where ${where} and ${discoverableBoard('b')}
       order by p.id desc limit ${limit}`.execute(db);
    return rows;
  },

  /**
   * A following list rebuilt from the database: the newest public pins of each followed person and
   * board (PER_SOURCE each, through the owner and board indexes), newest `limit` overall.
   */
  async rebuild(db: Db, viewerId: string, limit: number): Promise<FeedEntry[]> {
    const { rows } = await sql<FeedEntry>`
      select p.id::text as "pinId", (extract(epoch from p.created_at) * 1000)::float8 as at
        from (
          select x.id from follows f cross join lateral (
            select id from pins where owner_id = f.followee_id order by id desc limit ${PER_SOURCE}) x
           where f.follower_id = ${viewerId}
          union
          select x.id from board_follows f cross join lateral (
            select id from pins where board_id = f.board_id order by id desc limit ${PER_SOURCE}) x
           where f.user_id = ${viewerId}
        ) c
        join pins p on p.id = c.id join boards b on b.id = p.board_id
       where ${discoverableBoard('b')} and p.owner_id <> ${viewerId}
       order by p.created_at desc, p.id desc limit ${limit}`.execute(db);
    return rows;
  },

  /** Whom and which boards the viewer follows, and which of them are read-time (heavy) sources. */
  async graph(db: Db, viewerId: string): Promise<ViewerGraph> {
    const { rows } = await sql<ViewerGraph>`
      select
        array(select followee_id::text from follows where follower_id = ${viewerId} limit 5000) as followees,
        array(select board_id::text from board_follows where user_id = ${viewerId} limit 5000) as boards,
        array(select h.source_id::text from feed_heavy_sources h join follows f
                on f.followee_id = h.source_id and f.follower_id = ${viewerId}
               where h.kind = 'user' limit 200) as "heavyUsers",
        array(select h.source_id::text from feed_heavy_sources h join board_follows f
                on f.board_id = h.source_id and f.user_id = ${viewerId}
               where h.kind = 'board' limit 200) as "heavyBoards"`.execute(db);
    return rows[0]!;
  },

  /** The newest pins of heavy sources, merged at read time (PER_SOURCE each). */
  async heavyRecent(db: Db, users: readonly string[], boards: readonly string[]): Promise<string[]> {
    if (users.length === 0 && boards.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      select x.id::text as id from unnest(${users}::bigint[]) u(id) cross join lateral (
        select id from pins where owner_id = u.id order by id desc limit ${PER_SOURCE}) x
      union
      select x.id::text from unnest(${boards}::bigint[]) b(id) cross join lateral (
        select id from pins where board_id = b.id order by id desc limit ${PER_SOURCE}) x`.execute(db);
    return rows.map((r) => r.id);
  },

  /**
   * The pins the viewer saved (the pins saved from): the feed never offers them again. Their own pins
   * are left out by owner (PinFacts.canonicalOwner), so a prolific creator costs nothing here.
   */
  async savedFrom(db: Db, viewerId: string): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select p.parent_pin_id::text as id from pins p
       where p.owner_id = ${viewerId} and p.parent_pin_id is not null
       order by p.owner_id, p.id desc limit 10000`.execute(db);
    return rows.map((r) => r.id);
  },

  /** Facts of the pins with these ids that are on public boards now (others are left out). */
  async facts(db: Db, ids: readonly string[]): Promise<Map<string, PinFacts>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<PinFacts>`
      select p.id::text as id, p.board_id::text as "boardId", p.owner_id::text as "ownerId",
             coalesce(p.parent_pin_id, p.id)::text as canonical,
             (select c.owner_id from pins c where c.id = coalesce(p.parent_pin_id, p.id))::text
               as "canonicalOwner",
             (extract(epoch from p.created_at) * 1000)::float8 as at
        from pins p
       where p.id = any(${[...new Set(ids)]}::bigint[])
         -- A lookup per pin: as a join the planner hashes every board for a few hundred pins.
         and (select ${discoverableBoard('b')} from boards b where b.id = p.board_id)`.execute(db);
    return new Map(rows.map((r) => [r.id, r]));
  },

  /**
   * The words of these pins' titles and board names (as the popular pool's), to tell which of them are in
   * the viewer's topics.
   */
  async terms(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<{ id: string; terms: string[] }>`
      select p.id::text as id,
             tsvector_to_array(to_tsvector('english', coalesce(p.title, '') || ' ' ||
               coalesce((select b.name from boards b where b.id = p.board_id), ''))) as terms
        from pins p where p.id = any(${[...new Set(ids)]}::bigint[])`.execute(db);
    return new Map(rows.map((r) => [r.id, r.terms]));
  },

  /** Recommendation seeds: the viewer's recent saves (the pins saved) and close-ups, newest first. */
  async seeds(db: Db, viewerId: string, limit: number, days: number): Promise<SeedRow[]> {
    const { rows } = await sql<SeedRow>`
      (select p.parent_pin_id::text as "pinId", (extract(epoch from p.created_at) * 1000)::float8 as at,
              'SAVE' as kind
         from pins p where p.owner_id = ${viewerId} and p.parent_pin_id is not null
        order by p.owner_id, p.id desc limit ${limit})
      union all
      (select pin_id::text, (extract(epoch from occurred_at) * 1000)::float8, 'PIN_CLICK'
         from events
        where user_id = ${viewerId} and kind = 'PIN_CLICK' and pin_id is not null
          and day >= current_date - ${days}::int
        order by occurred_at desc limit ${limit})`.execute(db);
    return rows.sort((a, b) => b.at - a.at);
  },

  /**
   * The viewer's interest words with weights: the words of their boards' names (3), of the boards they
   * follow and may read (2) and of their recent pins' titles (1), stemmed as full-text search stems them.
   */
  async interests(db: Db, viewerId: string, limit: number): Promise<Map<string, number>> {
    const { rows } = await sql<{ term: string; weight: number }>`
      select w as term, sum(n)::float8 as weight from (
        select unnest(tsvector_to_array(to_tsvector('english', b.name))) as w, 3 as n
          from boards b where b.owner_id = ${viewerId}
        union all
        select unnest(tsvector_to_array(to_tsvector('english', b.name))), 2
          from board_follows f join boards b on b.id = f.board_id
         where f.user_id = ${viewerId} and ${openBoard('b')}
        union all
        select unnest(tsvector_to_array(to_tsvector('english', coalesce(p.title, '')))), 1
          from (select title from pins where owner_id = ${viewerId} order by id desc limit 100) p
      ) t group by w order by 2 desc, 1 limit ${limit}`.execute(db);
    return new Map(rows.map((r) => [r.term, r.weight]));
  },

  /**
   * The most saved pins on public boards over the last `days` days, each save weighted by
   * exp(-age / halfLifeDays), with the words of their titles and boards.
   */
  async popular(db: Db, q: { days: number; halfLifeDays: number; limit: number }): Promise<PoolRow[]> {
    const { rows } = await sql<PoolRow>`
      select p.id::text as id, p.board_id::text as "boardId", p.owner_id::text as "ownerId",
             coalesce(p.parent_pin_id, p.id)::text as canonical, s.saves,
             tsvector_to_array(to_tsvector('english', coalesce(p.title, '') || ' ' || b.name)) as terms
        from (select parent_pin_id as id,
                     sum(exp(-extract(epoch from now() - created_at) / ${q.halfLifeDays * 86_400}))::float8
                       as saves
                from pins
               where parent_pin_id is not null and created_at > now() - make_interval(days => ${q.days})
               group by parent_pin_id order by 2 desc limit ${q.limit}) s
        join pins p on p.id = s.id join boards b on b.id = p.board_id
       where ${discoverableBoard('b')}
       order by s.saves desc, p.id desc`.execute(db);
    return rows;
  },

  /** The newest pins on public boards (the popular pool's filler when few pins were saved lately). */
  async newest(db: Db, limit: number): Promise<PoolRow[]> {
    const { rows } = await sql<PoolRow>`
      select p.id::text as id, p.board_id::text as "boardId", p.owner_id::text as "ownerId",
             coalesce(p.parent_pin_id, p.id)::text as canonical, 0::float8 as saves,
             tsvector_to_array(to_tsvector('english', coalesce(p.title, '') || ' ' || b.name)) as terms
        from (select id from pins order by id desc limit ${limit * 4}) r
        join pins p on p.id = r.id join boards b on b.id = p.board_id
       where ${discoverableBoard('b')}
       order by p.id desc limit ${limit}`.execute(db);
    return rows;
  },
};
