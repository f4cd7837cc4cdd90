import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdCounts } from './ad-metrics.js';
import type { DateRange, Granularity } from './ads-analytics.params.js';

/** The event kinds the ads rollup counts, each into its counter. */
export const AD_ROLLED_KINDS = ['IMPRESSION', 'PIN_CLICK', 'OUTBOUND_CLICK', 'SAVE'] as const;

/** One batch's events about one ad in one hour and app type, with the ad's place in the account. */
export interface AdHourRow {
  ad_id: string;
  hour: string;
  app_type: string;
  ad_account_id: string;
  campaign_id: string;
  ad_group_id: string;
  pin_id: string;
  impressions: number;
  pin_clicks: number;
  outbound_clicks: number;
  saves: number;
}

/** The column of ad_hourly_stats that names each reporting level's entity. */
export const LEVEL_KEY = {
  ADVERTISER: 'ad_account_id',
  CAMPAIGN: 'campaign_id',
  AD_GROUP: 'ad_group_id',
  PIN_PROMOTION: 'ad_id',
  PIN: 'pin_id',
} as const;
export type Level = keyof typeof LEVEL_KEY;

/** Which rows a read covers: the account, optionally narrowed by entity ids. */
export interface StatsFilter {
  accountId: string;
  campaignIds?: readonly string[];
  adGroupIds?: readonly string[];
  adIds?: readonly string[];
  pinIds?: readonly string[];
}

/** Summed counts of one entity (or of all, when aggregated) in one period and, if asked, app type. */
export interface StatsRow extends Omit<AdCounts, 'conversions'> {
  key: string | null;
  /** Start of the period (UTC): YYYY-MM-DD, or YYYY-MM-DDTHH for HOUR; null for TOTAL. */
  period: string | null;
  appType: string | null;
}

/** Attributed conversions of one entity, period and app type, of one touch, event name and action source. */
export interface ConversionStatsRow {
  key: string | null;
  period: string | null;
  appType: string | null;
  touch: 'CLICK' | 'VIEW';
  eventName: string;
  actionSource: string;
  count: number;
  /** Summed integer micro-currency, as decimal text. */
  valueMicro: string;
}

function periodOf(granularity: Granularity): RawBuilder<string | null> {
  const utc = sql`(hour at time zone 'UTC')`;
  switch (granularity) {
    case 'TOTAL':
      return sql`null::text`;
    case 'DAY':
      return sql`to_char(${utc}, 'YYYY-MM-DD')`;
    case 'HOUR':
      return sql`to_char(${utc}, 'YYYY-MM-DD"T"HH24')`;
    case 'WEEK':
      return sql`to_char(date_trunc('week', ${utc}), 'YYYY-MM-DD')`;
    case 'MONTH':
      return sql`to_char(date_trunc('month', ${utc}), 'YYYY-MM-DD')`;
  }
}

const anyOf = (column: string, ids: readonly string[] | undefined) =>
  ids ? sql`and ${sql.ref(column)} = any(${[...ids]}::bigint[])` : sql``;

/** What a read covers and how it groups: the level, the rows' filter, the dates and the periods. */
export interface StatsQuery {
  level: Level;
  filter: StatsFilter;
  range: DateRange;
  granularity: Granularity;
  /** All entities together (key null). */
  aggregate?: boolean;
  /** Per app type as well. */
  byAppType?: boolean;
}

const keyOf = (q: StatsQuery) => (q.aggregate ? sql`null::text` : sql`${sql.ref(LEVEL_KEY[q.level])}::text`);
const appTypeOf = (q: StatsQuery) => (q.byAppType ? sql`app_type` : sql`null::text`);

/**
 * The rows of a query's account, hours in its date range and entities (the columns ad_hourly_stats and
 * ad_attributions share).
 */
function scopeOf({ filter, range }: StatsQuery): RawBuilder<unknown> {
  const from = `${range.start}T00:00:00Z`;
  const until = new Date(Date.parse(`${range.end}T00:00:00Z`) + 86_400_000).toISOString();
  return sql`ad_account_id = ${filter.accountId}
         and hour >= ${from}::timestamptz and hour < ${until}::timestamptz
         ${anyOf('campaign_id', filter.campaignIds)} ${anyOf('ad_group_id', filter.adGroupIds)}
         ${anyOf('ad_id', filter.adIds)} ${anyOf('pin_id', filter.pinIds)}`;
}

/** Reads and writes ad_hourly_stats and its rolled-batch marks. */
export const adStatsRepository = {
  /** Records a batch as rolled up; false if it already was. */
  async markRolled(db: Db, batchId: string): Promise<boolean> {
    const row = await db
      .insertInto('ads_rolled_batches')
      .values({ batch_id: batchId })
      .onConflict((oc) => oc.column('batch_id').doNothing())
      .returning('batch_id')
      .executeTakeFirst();
    return row !== undefined;
  },

  /**
   * A batch's events about ads, counted per ad, hour and app type, with the ad's account, campaign, ad
   * group and pin. Events naming an ad that does not exist have no row (the join drops them).
   */
  async batchActivity(db: Db, batchId: string, days: readonly string[] | null): Promise<AdHourRow[]> {
    const dayFilter = days ? sql`and e.day = any(${[...days]}::date[])` : sql``;
    const { rows } = await sql<AdHourRow>`
      select e.ad_id::text as ad_id,
             to_char(date_trunc('hour', e.occurred_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as hour,
             e.app_type, a.ad_account_id::text as ad_account_id, a.campaign_id::text as campaign_id,
             a.ad_group_id::text as ad_group_id, a.pin_id::text as pin_id,
             count(*) filter (where e.kind = 'IMPRESSION')::int as impressions,
             count(*) filter (where e.kind = 'PIN_CLICK')::int as pin_clicks,
             count(*) filter (where e.kind = 'OUTBOUND_CLICK')::int as outbound_clicks,
             count(*) filter (where e.kind = 'SAVE')::int as saves
        from events e
        join ads a on a.id = e.ad_id
       where e.batch_id = ${batchId} ${dayFilter}
         and e.ad_id is not null
         and e.kind = any(${[...AD_ROLLED_KINDS]}::text[])
       group by 1, 2, 3, 4, 5, 6, 7
       order by 1, 2, 3`.execute(db);
    return rows;
  },

  /**
   * Adds a batch's impressions and clicks (close-ups and outbound) of ads served on a placement (home
   * feed and related pins: BROWSE; search: SEARCH) to ad_placement_stats, in key order.
   */
  async addPlacements(db: Db, batchId: string, days: readonly string[] | null): Promise<number> {
    const dayFilter = days ? sql`and e.day = any(${[...days]}::date[])` : sql``;
    const result = await sql`
      insert into ad_placement_stats (ad_id, placement, ad_group_id, campaign_id, impressions, clicks)
      select e.ad_id, case when e.surface = 'SEARCH' then 'SEARCH' else 'BROWSE' end,
             a.ad_group_id, a.campaign_id,
             count(*) filter (where e.kind = 'IMPRESSION'),
             count(*) filter (where e.kind in ('PIN_CLICK', 'OUTBOUND_CLICK'))
        from events e
        join ads a on a.id = e.ad_id
       where e.batch_id = ${batchId} ${dayFilter}
         and e.ad_id is not null
         and e.surface in ('HOME_FEED', 'RELATED', 'SEARCH')
         and e.kind in ('IMPRESSION', 'PIN_CLICK', 'OUTBOUND_CLICK')
       group by 1, 2, 3, 4
       order by 1, 2
      on conflict (ad_id, placement) do update set
        impressions = ad_placement_stats.impressions + excluded.impressions,
        clicks = ad_placement_stats.clicks + excluded.clicks`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },

  /**
   * Adds a batch's impressions of frequency-capped ad groups to each signed-in viewer's lifetime count
   * (ad_viewer_impressions, what the cap is checked against), in key order.
   */
  async addFrequencies(db: Db, batchId: string, days: readonly string[] | null): Promise<void> {
    const dayFilter = days ? sql`and e.day = any(${[...days]}::date[])` : sql``;
    await sql`
      insert into ad_viewer_impressions (user_id, ad_group_id, impressions)
      select e.user_id, a.ad_group_id, count(*)
        from events e
        join ads a on a.id = e.ad_id
        join ad_groups g on g.id = a.ad_group_id and g.lifetime_frequency_cap is not null
       where e.batch_id = ${batchId} ${dayFilter}
         and e.ad_id is not null and e.user_id is not null and e.kind = 'IMPRESSION'
       group by 1, 2
       order by 1, 2
      on conflict (user_id, ad_group_id) do update set
        impressions = ad_viewer_impressions.impressions + excluded.impressions`.execute(db);
  },

  /** Adds a batch's increments; rows in key order, so concurrent rollups lock shared rows alike. */
  async addHours(db: Db, rows: readonly AdHourRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto('ad_hourly_stats')
        .values(rows.slice(i, i + 500).map((r) => ({ ...r, spend_micro: 0 })))
        .onConflict((oc) =>
          oc.columns(['ad_id', 'hour', 'app_type']).doUpdateSet({
            impressions: sql`ad_hourly_stats.impressions + excluded.impressions`,
            pin_clicks: sql`ad_hourly_stats.pin_clicks + excluded.pin_clicks`,
            outbound_clicks: sql`ad_hourly_stats.outbound_clicks + excluded.outbound_clicks`,
            saves: sql`ad_hourly_stats.saves + excluded.saves`,
          }),
        )
        .execute();
    }
  },

  /**
   * Summed counts over a date range, per entity of `level` (or all together when `aggregate`), per
   * period of `granularity`, and per app type when `byAppType`. Only periods with rows come back.
   */
  async read(db: Db, q: StatsQuery): Promise<StatsRow[]> {
    const { rows } = await sql<StatsRow>`
      select ${keyOf(q)} as key, ${periodOf(q.granularity)} as period, ${appTypeOf(q)} as "appType",
             sum(impressions)::float8 as impressions, sum(pin_clicks)::float8 as "pinClicks",
             sum(outbound_clicks)::float8 as "outboundClicks", sum(saves)::float8 as saves,
             sum(spend_micro)::float8 as "spendMicro"
        from ad_hourly_stats
       where ${scopeOf(q)}
       group by 1, 2, 3
       order by 1, 2, 3`.execute(db);
    return rows;
  },

  /**
   * Attributed conversions (ad_attributions) over the same scope and periods as `read`, counted and their
   * values summed per touch, event name and action source. Values are summed as numeric and come back
   * as decimal text, so no sum goes through a float.
   */
  async readConversions(db: Db, q: StatsQuery): Promise<ConversionStatsRow[]> {
    const { rows } = await sql<ConversionStatsRow>`
      select ${keyOf(q)} as key, ${periodOf(q.granularity)} as period, ${appTypeOf(q)} as "appType",
             touch, event_name as "eventName", action_source as "actionSource",
             count(*)::int as count, sum(value_micro)::text as "valueMicro"
        from ad_attributions
       where ${scopeOf(q)}
       group by 1, 2, 3, 4, 5, 6
       order by 1, 2, 3, 4, 5, 6`.execute(db);
    return rows;
  },
};
