import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';

/** How far back a conversion looks for the ad action it is credited to, in days. */
export interface AttributionWindows {
  /** Clicks (close-ups and outbound clicks): at least 1. */
  clickDays: number;
  /** Views (impressions): 0 credits no view. */
  viewDays: number;
}

/** The event kinds that count as a click on an ad, and as a view of one. */
export const CLICK_KINDS = ['PIN_CLICK', 'OUTBOUND_CLICK'] as const;
export const VIEW_KINDS = ['IMPRESSION'] as const;

/**
 * The person's last event of `kinds` on an ad of the conversion's account within `days` before the
 * conversion (the instant itself included), as (ad, group, campaign, pin, app type, time, touch, rank).
 * The day bounds let the planner skip the event partitions outside the window.
 */
function lastTouch(
  touch: 'CLICK' | 'VIEW',
  kinds: readonly string[],
  days: number,
  rank: number,
): RawBuilder<unknown> {
  return sql`(select e.ad_id, a.ad_group_id, a.campaign_id, a.pin_id, e.app_type, e.occurred_at,
                     ${touch}::text as touch, ${rank}::int as rank
                from events e
                join ads a on a.id = e.ad_id
               where e.user_id = c.user_id
                 and e.ad_id is not null
                 and e.kind = any(${[...kinds]}::text[])
                 and a.ad_account_id = c.ad_account_id
                 and e.day >= ((c.event_time - ${days} * interval '1 day') at time zone 'UTC')::date
                 and e.day <= (c.event_time at time zone 'UTC')::date
                 and e.occurred_at > c.event_time - ${days} * interval '1 day'
                 and e.occurred_at <= c.event_time
               order by e.occurred_at desc, e.id desc
               limit 1)`;
}

/** Reads conversions and the ad actions before them; writes ad_attributions. */
export const attributionRepository = {
  /**
   * Credits each of the account's conversions `eventIds` (stored, not test, matched to a person) to the
   * ad of the person's last click within the click window, else of their last view within the view window,
   * both on ads of the same account; a conversion with neither gets no row. A conversion already credited
   * keeps its row (the primary key), so running this again changes nothing. Answers the rows written.
   */
  async attribute(
    db: Db,
    accountId: string,
    eventIds: readonly string[],
    windows: AttributionWindows,
  ): Promise<number> {
    if (eventIds.length === 0) return 0;
    const touches =
      windows.viewDays > 0
        ? sql`${lastTouch('CLICK', CLICK_KINDS, windows.clickDays, 1)} union all
              ${lastTouch('VIEW', VIEW_KINDS, windows.viewDays, 2)}`
        : lastTouch('CLICK', CLICK_KINDS, windows.clickDays, 1);
    const result = await sql`
      insert into ad_attributions (ad_account_id, event_id, ad_id, ad_group_id, campaign_id, pin_id, hour,
                                   app_type, touch, touched_at, event_name, action_source, value_micro)
      select c.ad_account_id, c.event_id, t.ad_id, t.ad_group_id, t.campaign_id, t.pin_id,
             date_trunc('hour', c.event_time at time zone 'UTC') at time zone 'UTC',
             t.app_type, t.touch, t.occurred_at, c.event_name, c.action_source, coalesce(c.value_micro, 0)
        from ad_conversions c
        cross join lateral (select * from (${touches}) touches order by rank limit 1) t
       where c.ad_account_id = ${accountId}
         and c.event_id = any(${[...eventIds]}::text[])
         and c.user_id is not null
         and not c.is_test
       order by c.event_id
      on conflict (ad_account_id, event_id) do nothing`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },
};
