import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { discoverable, discoverableBoard, listedBoard, openBoard } from '../boards/index.js';
import type { Counts } from './analytics.metrics.js';
import type { PinHourCount } from './popularity/popularity.js';

/** The event kinds rolled up, each into its counter. */
export const ROLLED_KINDS = ['IMPRESSION', 'PIN_CLICK', 'SAVE', 'OUTBOUND_CLICK'] as const;
export const APP_TYPES = ['MOBILE', 'TABLET', 'WEB', 'OTHER'] as const;

/** One batch's events about one pin, grouped by day, app type and hour. */
export interface ActivityRow extends Counts {
  pin_id: string;
  owner_id: string;
  /** Whether the pin's board is secret now (at rollup time): platform-wide counts leave it out. */
  secret: boolean;
  /** Whether discovery shows the pin's board now (at rollup time): popularity signals keep only those. */
  discoverable: boolean;
  day: string;
  app_type: string;
  /** Epoch hour of the events. */
  hour: number;
}

export interface DayRow extends Counts {
  day: string;
  app_type: string;
}

export interface PinDayRow extends DayRow {
  pin_id: string;
}

export interface PinTotalRow extends Counts {
  pin_id: string;
  app_type: string;
}

const sums = sql`
  coalesce(sum(impressions), 0)::float8 as impressions,
  coalesce(sum(pin_clicks), 0)::float8 as pin_clicks,
  coalesce(sum(saves), 0)::float8 as saves,
  coalesce(sum(outbound_clicks), 0)::float8 as outbound_clicks`;

function appTypeFilter(column: string, appTypes: readonly string[] | null): RawBuilder<unknown> {
  return appTypes ? sql`and ${sql.ref(column)} = any(${[...appTypes]}::text[])` : sql``;
}

type Table = 'pin_daily_rollups' | 'creator_daily_rollups' | 'app_type_daily_rollups';

/** Adds increments to a rollup table: existing rows grow, missing rows are made. */
async function addCounts<R extends Counts>(
  db: Db,
  table: Table,
  keys: readonly string[],
  rows: readonly R[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db
      .insertInto(table)
      .values(chunk as never)
      .onConflict((oc) =>
        oc.columns(keys as never).doUpdateSet({
          impressions: sql`${sql.ref(`${table}.impressions`)} + excluded.impressions`,
          pin_clicks: sql`${sql.ref(`${table}.pin_clicks`)} + excluded.pin_clicks`,
          saves: sql`${sql.ref(`${table}.saves`)} + excluded.saves`,
          outbound_clicks: sql`${sql.ref(`${table}.outbound_clicks`)} + excluded.outbound_clicks`,
        } as never),
      )
      .execute();
  }
}

/** Reads and writes the analytics rollup tables. */
export const analyticsRepository = {
  /**
   * A batch's pin events, counted per pin, day, app type and hour, with the pin's owner and whether its
   * board is secret, and discoverable. Events about pins that no longer exist have no row (the join
   * drops them).
   */
  async batchActivity(db: Db, batchId: string, days: readonly string[] | null): Promise<ActivityRow[]> {
    const dayFilter = days ? sql`and e.day = any(${[...days]}::date[])` : sql``;
    const { rows } = await sql<ActivityRow>`
      select e.pin_id::text as pin_id, p.owner_id::text as owner_id, not ${openBoard('b')} as secret,
             ${discoverableBoard('b')} as discoverable, e.day::text as day, e.app_type,
             floor(extract(epoch from e.occurred_at) / 3600)::float8 as hour,
             count(*) filter (where e.kind = 'IMPRESSION')::float8 as impressions,
             count(*) filter (where e.kind = 'PIN_CLICK')::float8 as pin_clicks,
             count(*) filter (where e.kind = 'SAVE')::float8 as saves,
             count(*) filter (where e.kind = 'OUTBOUND_CLICK')::float8 as outbound_clicks
        from events e
        join pins p on p.id = e.pin_id
        join boards b on b.id = p.board_id
       where e.batch_id = ${batchId} ${dayFilter}
         and e.kind = any(${[...ROLLED_KINDS]}::text[])
       group by 1, 2, 3, 4, 5, 6, 7
       order by 1, 5, 6, 7`.execute(db);
    return rows;
  },

  addPinDays: (
    db: Db,
    rows: readonly (Counts & { pin_id: string; day: string; app_type: string; owner_id: string })[],
  ) => addCounts(db, 'pin_daily_rollups', ['pin_id', 'day', 'app_type'], rows),
  addCreatorDays: (db: Db, rows: readonly (Counts & { user_id: string; day: string; app_type: string })[]) =>
    addCounts(db, 'creator_daily_rollups', ['user_id', 'day', 'app_type'], rows),
  addAppTypeDays: (db: Db, rows: readonly (Counts & { day: string; app_type: string })[]) =>
    addCounts(db, 'app_type_daily_rollups', ['day', 'app_type'], rows),

  async addHourlySignals(db: Db, rows: readonly PinHourCount[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto('pin_hourly_signals')
        .values(
          rows.slice(i, i + 500).map((r) => ({
            pin_id: r.pinId,
            hour: new Date(r.hour * 3_600_000),
            saves: r.saves,
            engagements: r.engagements,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['pin_id', 'hour']).doUpdateSet({
            saves: sql`pin_hourly_signals.saves + excluded.saves`,
            engagements: sql`pin_hourly_signals.engagements + excluded.engagements`,
          }),
        )
        .execute();
    }
  },

  /** Records a batch as rolled up; false if it already was. */
  async markRolled(db: Db, batchId: string): Promise<boolean> {
    const row = await db
      .insertInto('analytics_rolled_batches')
      .values({ batch_id: batchId })
      .onConflict((oc) => oc.column('batch_id').doNothing())
      .returning('batch_id')
      .executeTakeFirst();
    return row !== undefined;
  },

  async pruneRolled(db: Db, before: Date): Promise<void> {
    await db.deleteFrom('analytics_rolled_batches').where('rolled_at', '<', before).execute();
  },

  /** Hourly signal rows since an epoch hour, for pins whose board discovery shows now. */
  async hourlySignalsSince(db: Db, sinceHour: number): Promise<PinHourCount[]> {
    const { rows } = await sql<PinHourCount>`
      select s.pin_id::text as "pinId", floor(extract(epoch from s.hour) / 3600)::float8 as hour,
             s.saves::float8 as saves, s.engagements::float8 as engagements
        from pin_hourly_signals s
        join pins p on p.id = s.pin_id
        join boards b on b.id = p.board_id
       where s.hour >= ${new Date(sinceHour * 3_600_000)} and ${discoverableBoard('b')}`.execute(db);
    return rows;
  },

  async pruneHourlySignals(db: Db, beforeHour: number): Promise<void> {
    await db
      .deleteFrom('pin_hourly_signals')
      .where('hour', '<', new Date(beforeHour * 3_600_000))
      .execute();
  },

  /** Deletes the hourly signal rows of these pins. */
  async deleteHourlySignals(db: Db, pinIds: readonly string[]): Promise<void> {
    if (pinIds.length)
      await db
        .deleteFrom('pin_hourly_signals')
        .where('pin_id', 'in', [...pinIds])
        .execute();
  },

  async pinIdsOfBoard(db: Db, boardId: string): Promise<string[]> {
    const rows = await db.selectFrom('pins').select('id').where('board_id', '=', boardId).execute();
    return rows.map((r) => r.id);
  },

  /** Whether the pin exists on a board that discovery shows. */
  async pinIsDiscoverable(db: Db, pinId: string): Promise<boolean> {
    const row = await db
      .selectFrom('pins')
      .innerJoin('boards', 'boards.id', 'pins.board_id')
      .select('pins.id')
      .where('pins.id', '=', pinId)
      .$call(discoverable('boards'))
      .executeTakeFirst();
    return row !== undefined;
  },

  /** A creator's daily counts per app type in a date range. */
  async creatorDays(
    db: Db,
    userId: string,
    start: string,
    end: string,
    appTypes: readonly string[] | null,
  ): Promise<DayRow[]> {
    const { rows } = await sql<DayRow>`
      select day::text as day, app_type, ${sums}
        from creator_daily_rollups
       where user_id = ${userId} and day between ${start} and ${end} ${appTypeFilter('app_type', appTypes)}
       group by day, app_type`.execute(db);
    return rows;
  },

  /** Pins' daily counts per app type in a date range. */
  async pinDays(
    db: Db,
    pinIds: readonly string[],
    start: string,
    end: string,
    appTypes: readonly string[] | null,
  ): Promise<PinDayRow[]> {
    const { rows } = await sql<PinDayRow>`
      select pin_id::text as pin_id, day::text as day, app_type, ${sums}
        from pin_daily_rollups
       where pin_id = any(${[...pinIds]}::bigint[]) and day between ${start} and ${end}
             ${appTypeFilter('app_type', appTypes)}
       group by pin_id, day, app_type`.execute(db);
    return rows;
  },

  /** Pins' lifetime counts per app type. */
  async pinTotals(
    db: Db,
    pinIds: readonly string[],
    appTypes: readonly string[] | null,
  ): Promise<PinTotalRow[]> {
    const { rows } = await sql<PinTotalRow>`
      select pin_id::text as pin_id, app_type, ${sums}
        from pin_daily_rollups
       where pin_id = any(${[...pinIds]}::bigint[]) ${appTypeFilter('app_type', appTypes)}
       group by pin_id, app_type`.execute(db);
    return rows;
  },

  /** Pins' counts since a day and over their lifetime, all app types. */
  async pinRecentAndLifetime(
    db: Db,
    pinIds: readonly string[],
    since: string,
  ): Promise<{ pin_id: string; recent: Counts; lifetime: Counts }[]> {
    const { rows } = await sql<{ pin_id: string } & Record<string, number>>`
      select pin_id::text as pin_id,
             coalesce(sum(impressions) filter (where day >= ${since}), 0)::float8 as r_impressions,
             coalesce(sum(pin_clicks) filter (where day >= ${since}), 0)::float8 as r_pin_clicks,
             coalesce(sum(saves) filter (where day >= ${since}), 0)::float8 as r_saves,
             coalesce(sum(outbound_clicks) filter (where day >= ${since}), 0)::float8 as r_outbound_clicks,
             ${sums}
        from pin_daily_rollups
       where pin_id = any(${[...pinIds]}::bigint[])
       group by pin_id`.execute(db);
    return rows.map((r) => ({
      pin_id: r.pin_id,
      recent: {
        impressions: r.r_impressions!,
        pin_clicks: r.r_pin_clicks!,
        saves: r.r_saves!,
        outbound_clicks: r.r_outbound_clicks!,
      },
      lifetime: {
        impressions: r.impressions!,
        pin_clicks: r.pin_clicks!,
        saves: r.saves!,
        outbound_clicks: r.outbound_clicks!,
      },
    }));
  },

  /**
   * A creator's pins with the most of one metric in a date range, with their counts and creation time.
   * Pins deleted since are left out; so are pins on secret boards unless `includeSecret`.
   */
  async topPins(
    db: Db,
    q: {
      ownerId: string;
      start: string;
      end: string;
      appTypes: readonly string[] | null;
      order: 'impressions' | 'pin_clicks' | 'saves' | 'outbound_clicks' | 'engagement';
      limit: number;
      includeSecret: boolean;
      createdSince: Date | null;
    },
  ): Promise<(Counts & { pin_id: string; created_at: Date })[]> {
    const order =
      q.order === 'engagement'
        ? sql`t.saves + t.pin_clicks + t.outbound_clicks`
        : sql`${sql.ref(`t.${q.order}`)}`;
    // Summed per pin first (one pass over the creator's rows in range), then joined to the pins.
    const { rows } = await sql<Counts & { pin_id: string; created_at: Date }>`
      select t.pin_id::text as pin_id, p.created_at,
             t.impressions, t.pin_clicks, t.saves, t.outbound_clicks
        from (select r.pin_id,
                     sum(r.impressions)::float8 as impressions, sum(r.pin_clicks)::float8 as pin_clicks,
                     sum(r.saves)::float8 as saves, sum(r.outbound_clicks)::float8 as outbound_clicks
                from pin_daily_rollups r
               where r.owner_id = ${q.ownerId} and r.day between ${q.start} and ${q.end}
                     ${appTypeFilter('r.app_type', q.appTypes)}
               group by r.pin_id) t
        join pins p on p.id = t.pin_id
        join boards b on b.id = p.board_id
       where true
             and ${listedBoard('b', { secret: q.includeSecret })}
             ${q.createdSince ? sql`and p.created_at >= ${q.createdSince}` : sql``}
       order by ${order} desc, t.pin_id desc
       limit ${q.limit}`.execute(db);
    return rows;
  },

  /** Creation times of pins (for data_status BEFORE_PIN_CREATED). */
  async pinCreatedAt(db: Db, pinIds: readonly string[]): Promise<Map<string, Date>> {
    if (pinIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('pins')
      .select(['id', 'created_at'])
      .where('id', 'in', [...pinIds])
      .execute();
    return new Map(rows.map((r) => [r.id, new Date(r.created_at)]));
  },
};
