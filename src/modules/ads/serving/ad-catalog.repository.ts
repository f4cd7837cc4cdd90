import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { discoverableBoard } from '../../boards/index.js';

/** One servable ad with what the auction and eligibility need of its ad group, campaign and account. */
export interface ServableAdRow {
  ad_id: string;
  ad_group_id: string;
  campaign_id: string;
  ad_account_id: string;
  advertiser_id: string;
  advertiser_name: string;
  currency: string;
  pin_id: string;
  destination_url: string | null;
  group_status: string;
  campaign_status: string;
  group_start: Date | null;
  group_end: Date | null;
  campaign_start: Date | null;
  campaign_end: Date | null;
  placement_group: string;
  targeting_spec: Record<string, unknown>;
  billable_event: string;
  bid: string | null;
  bid_strategy_type: string | null;
  budget_type: string;
  budget: string | null;
  pacing_delivery_type: string;
  lifetime_frequency_cap: number | null;
  daily_spend_cap: string | null;
  lifetime_spend_cap: string | null;
}

export interface KeywordRow {
  ad_account_id: string;
  parent_type: 'advertiser' | 'campaign' | 'ad_group';
  parent_id: string;
  value: string;
  match_type: string;
}

/** Reads what can be served: the live snapshot of ads, and a cheap version to know when it changed. */
export const adCatalogRepository = {
  /**
   * Ads that could serve: ACTIVE and APPROVED, in ACTIVE ad groups and campaigns not yet ended, promoting a
   * pin that exists on a public board (checked here again: a pin made secret after review never serves).
   */
  servable(db: Db, now: Date): Promise<ServableAdRow[]> {
    return db
      .selectFrom('ads as a')
      .innerJoin('ad_groups as g', 'g.id', 'a.ad_group_id')
      .innerJoin('ad_campaigns as c', 'c.id', 'a.campaign_id')
      .innerJoin('ad_accounts as acct', 'acct.id', 'a.ad_account_id')
      .innerJoin('pins as p', 'p.id', 'a.pin_id')
      .innerJoin('boards as b', 'b.id', 'p.board_id')
      .select([
        'a.id as ad_id',
        'a.ad_group_id',
        'a.campaign_id',
        'a.ad_account_id',
        'acct.owner_id as advertiser_id',
        'acct.name as advertiser_name',
        'acct.currency',
        'a.pin_id',
        'a.destination_url',
        'g.status as group_status',
        'c.status as campaign_status',
        'g.start_time as group_start',
        'g.end_time as group_end',
        'c.start_time as campaign_start',
        'c.end_time as campaign_end',
        'g.placement_group',
        sql<Record<string, unknown>>`g.targeting_spec`.as('targeting_spec'),
        'g.billable_event',
        'g.bid',
        'g.bid_strategy_type',
        'g.budget_type',
        'g.budget',
        'g.pacing_delivery_type',
        'g.lifetime_frequency_cap',
        'c.daily_spend_cap',
        'c.lifetime_spend_cap',
      ])
      .where('a.status', '=', 'ACTIVE')
      .where('a.review_status', '=', 'APPROVED')
      .where('a.creative_type', 'in', ['REGULAR', 'MAX_WIDTH_REGULAR_COLLECTION'])
      .where('g.status', '=', 'ACTIVE')
      .where('c.status', '=', 'ACTIVE')
      .where(discoverableBoard('b'))
      .where((eb) => eb.or([eb('g.end_time', 'is', null), eb('g.end_time', '>', now)]))
      .where((eb) => eb.or([eb('c.end_time', 'is', null), eb('c.end_time', '>', now)]))
      .orderBy('a.id')
      .execute() as Promise<ServableAdRow[]>;
  },

  /** The keywords of the accounts that have servable ads (unarchived). */
  keywords(db: Db, accountIds: readonly string[]): Promise<KeywordRow[]> {
    if (accountIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('ad_keywords')
      .select(['ad_account_id', 'parent_type', 'parent_id', 'value', 'match_type'])
      .where('ad_account_id', 'in', [...accountIds])
      .where('archived', '=', false)
      .execute();
  },

  /**
   * A fingerprint of everything the snapshot reads: when it is unchanged, so is the snapshot (but for
   * schedules and pins, which the snapshot handles: ends by time, pins by a full reload every minute).
   */
  async version(db: Db): Promise<string> {
    const { rows } = await sql<{ v: string }>`
      select concat_ws(':',
        (select count(*) || '/' || coalesce(max(updated_at)::text, '') from ads),
        (select count(*) || '/' || coalesce(max(updated_at)::text, '') from ad_groups),
        (select count(*) || '/' || coalesce(max(updated_at)::text, '') from ad_campaigns),
        (select count(*) || '/' || coalesce(max(updated_at)::text, '') from ad_keywords)
      ) as v`.execute(db);
    return rows[0]?.v ?? '';
  },
};
