import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { AdChargeState } from '../../../platform/db/schema.js';

/** A charge waiting to be settled. */
export interface PendingCharge {
  token_id: string;
  ad_id: string;
  app_type: string;
  reservation_id: string;
  amount_micro: number;
  /** What the item held of its budget block. */
  hold_micro: number;
  /** When the item was served, epoch ms: the day its budget is. */
  served_ms: number;
  /** The ad's budgets now (null when the ad no longer exists: its account was deleted; nothing is billed). */
  budget: ChargeBudget | null;
}

/** What an ad draws on, as budgetCaps reads it. */
export interface ChargeBudget {
  adGroupId: string;
  campaignId: string;
  budgetType: string;
  budgetMicro: number | null;
  campaignDailyCapMicro: number | null;
  campaignLifetimeCapMicro: number | null;
}

/** A budget's spend in the ledger: on one day, and of all time. */
export interface LedgerTotals {
  today: number;
  life: number;
}

/** How one charge was settled (with what the ledger and the hourly stats file it under). */
export interface SettledCharge {
  token_id: string;
  ad_id: string;
  app_type: string;
  served_ms: number;
  state: AdChargeState;
  charged_micro: number;
  overdelivered_micro: number;
}

/**
 * Reads ad_charges and records their settlement (ad_charge_settles), and keeps the spend ledger
 * (ad_spend_daily) and analytics spend.
 */
export const adBillingRepository = {
  /**
   * A batch's charges, in token order. A charge belongs to the one batch that recorded it and is settled
   * only by that batch's billing delivery, whose settles commit with its delivery record: so a batch's
   * charges are all pending, but for a batch announced twice or a delivery running twice at once (a
   * redelivery while the first still runs), whose charges settle alike in the spend store (idempotent per
   * part) and which `settle` records once. (Such a repeat also gives back again the hold of a charge whose
   * account is gone: the block is that account's, so no budget gains room from it.) Not locked, and no
   * look-up of settles per charge.
   */
  async pending(db: Db, batchId: string): Promise<PendingCharge[]> {
    const { rows } = await sql<{
      token_id: string;
      ad_id: string;
      app_type: string;
      reservation_id: string;
      amount_micro: string;
      hold_micro: string;
      served_ms: number;
      ad_group_id: string | null;
      campaign_id: string | null;
      budget_type: string | null;
      budget: string | null;
      daily_spend_cap: string | null;
      lifetime_spend_cap: string | null;
    }>`
      select c.token_id, c.ad_id::text as ad_id, c.app_type, c.reservation_id, c.amount_micro::text as amount_micro,
             c.hold_micro::text as hold_micro,
             (extract(epoch from c.served_at) * 1000)::float8 as served_ms,
             g.id::text as ad_group_id, g.campaign_id::text as campaign_id, g.budget_type, g.budget::text as budget,
             k.daily_spend_cap::text as daily_spend_cap, k.lifetime_spend_cap::text as lifetime_spend_cap
        from ad_charges c
        left join ads a on a.id = c.ad_id
        left join ad_groups g on g.id = a.ad_group_id
        left join ad_campaigns k on k.id = a.campaign_id
       where c.batch_id = ${batchId}
       order by c.token_id`.execute(db);
    const num = (v: string | null) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      token_id: r.token_id,
      ad_id: r.ad_id,
      app_type: r.app_type,
      reservation_id: r.reservation_id,
      amount_micro: Number(r.amount_micro),
      hold_micro: Number(r.hold_micro),
      served_ms: Number(r.served_ms),
      budget:
        r.ad_group_id === null || r.campaign_id === null
          ? null
          : {
              adGroupId: r.ad_group_id,
              campaignId: r.campaign_id,
              budgetType: r.budget_type ?? '',
              budgetMicro: num(r.budget),
              campaignDailyCapMicro: num(r.daily_spend_cap),
              campaignLifetimeCapMicro: num(r.lifetime_spend_cap),
            },
    }));
  },

  /**
   * Records how charges were settled, once each (a charge with a settle row already is skipped: a
   * redelivery, or a delivery running twice at once, whose insert waits for the first's and then finds
   * it), and adds what the ones recorded now charged and overdelivered to the ledger (per ad group and
   * UTC day of serving) and their spend to ad_hourly_stats (per ad, hour of serving and app type), in the
   * caller's transaction: the three move together.
   */
  async settle(db: Db, settled: readonly SettledCharge[]): Promise<void> {
    if (settled.length === 0) return;
    // One statement: the settles inserted now feed the ledger and the hourly stats straight from the
    // insert, so each charge is written once and read from the parameter.
    await sql`
      with s as (
        select * from json_to_recordset(${JSON.stringify(settled)}::json)
          as s(token_id text, ad_id bigint, app_type text, served_ms float8, state text, charged_micro bigint,
               overdelivered_micro bigint)
      ),
      u as (
        insert into ad_charge_settles (token_id, state, charged_micro, overdelivered_micro)
        select token_id, state, charged_micro, overdelivered_micro from s
        on conflict do nothing
        returning token_id
      ),
      billed as (
        select s.state, s.charged_micro, s.overdelivered_micro, s.app_type, s.ad_id,
               to_timestamp(s.served_ms / 1000) at time zone 'UTC' as served_utc,
               a.ad_account_id, a.campaign_id, a.ad_group_id, a.pin_id
          from s join u on u.token_id = s.token_id join ads a on a.id = s.ad_id
         where s.state in ('charged', 'overdelivered')
      ),
      ledger as (
        insert into ad_spend_daily (ad_group_id, day, ad_account_id, campaign_id, spend_micro, billed_events,
                                    overdelivered_micro, overdelivered_events)
        select ad_group_id, served_utc::date, ad_account_id, campaign_id,
               sum(charged_micro), count(*) filter (where state = 'charged'),
               sum(overdelivered_micro), count(*) filter (where state = 'overdelivered')
          from billed
         group by 1, 2, 3, 4
         order by 1, 2
        on conflict (ad_group_id, day) do update set
          spend_micro = ad_spend_daily.spend_micro + excluded.spend_micro,
          billed_events = ad_spend_daily.billed_events + excluded.billed_events,
          overdelivered_micro = ad_spend_daily.overdelivered_micro + excluded.overdelivered_micro,
          overdelivered_events = ad_spend_daily.overdelivered_events + excluded.overdelivered_events
      )
      insert into ad_hourly_stats (ad_id, hour, app_type, ad_account_id, campaign_id, ad_group_id, pin_id,
                                   spend_micro)
      select ad_id, date_trunc('hour', served_utc) at time zone 'UTC', app_type,
             ad_account_id, campaign_id, ad_group_id, pin_id, sum(charged_micro)
        from billed
       where state = 'charged'
       group by 1, 2, 3, 4, 5, 6, 7
       order by 1, 2, 3
      on conflict (ad_id, hour, app_type) do update set
        spend_micro = ad_hourly_stats.spend_micro + excluded.spend_micro`.execute(db);
  },

  /** Billed spend per ad group before a UTC day (what a lifetime budget has used), for the groups given. */
  async spentBefore(db: Db, day: string, adGroupIds: readonly string[]): Promise<Map<string, number>> {
    if (adGroupIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('ad_spend_daily')
      .select(['ad_group_id', (eb) => eb.fn.sum<string>('spend_micro').as('spent')])
      .where('day', '<', day)
      .where('ad_group_id', 'in', [...adGroupIds])
      .groupBy('ad_group_id')
      .execute();
    return new Map(rows.map((r) => [r.ad_group_id, Number(r.spent)]));
  },

  /**
   * What the ledger says each budget key has spent, for the groups and campaigns given: per ad group and
   * per campaign, the day's spend and the spend of all time (lifetime budgets).
   */
  async budgetTotals(
    db: Db,
    day: string,
    adGroupIds: readonly string[],
    campaignIds: readonly string[],
  ): Promise<{ groups: Map<string, LedgerTotals>; campaigns: Map<string, LedgerTotals> }> {
    const read = async (column: 'ad_group_id' | 'campaign_id', ids: readonly string[]) => {
      if (ids.length === 0) return new Map<string, LedgerTotals>();
      const { rows } = await sql<{ id: string; today: string; life: string }>`
        select ${sql.ref(column)}::text as id,
               coalesce(sum(spend_micro) filter (where day = ${day}::date), 0)::text as today,
               sum(spend_micro)::text as life
          from ad_spend_daily
         where ${sql.ref(column)} = any(${[...ids]}::bigint[])
         group by 1`.execute(db);
      return new Map(rows.map((r) => [r.id, { today: Number(r.today), life: Number(r.life) }]));
    };
    const [groups, campaigns] = await Promise.all([
      read('ad_group_id', adGroupIds),
      read('campaign_id', campaignIds),
    ]);
    return { groups, campaigns };
  },

  /** Billed spend and events per ad group on one UTC day (what pacing and bid strategies observe). */
  async ledgerOf(db: Db, day: string): Promise<Map<string, { spendMicro: number; events: number }>> {
    const rows = await db
      .selectFrom('ad_spend_daily')
      .select(['ad_group_id', 'spend_micro', 'billed_events'])
      .where('day', '=', day)
      .execute();
    return new Map(
      rows.map((r) => [
        r.ad_group_id,
        { spendMicro: Number(r.spend_micro), events: Number(r.billed_events) },
      ]),
    );
  },
};
