import { Invalid } from '../../../platform/errors.js';
import type { CampaignRow } from '../campaigns/campaigns.repository.js';
import { num } from '../entity-rules.js';
import { bidFloorMicro, MAX_MICRO, minDailyBudgetMicro } from '../money.js';
import type { AdGroupRow } from './ad-groups.repository.js';

/** The billable event each objective pays by (what "bids on the wrong billable event" means). */
export const BILLABLE_BY_OBJECTIVE: Record<string, readonly string[]> = {
  AWARENESS: ['IMPRESSION'],
  CONSIDERATION: ['CLICKTHROUGH'],
  WEB_CONVERSION: ['IMPRESSION'],
};

/** The money and delivery settings of an ad group as they will stand after a create or an update. */
export interface Delivery {
  budget_type: string;
  budget: number | null;
  bid: number | null;
  bid_strategy_type: string | null;
  billable_event: string;
  lifetime_frequency_cap: number | null;
  end_time: Date | null;
  start_time: Date | null;
  placement_group: string;
}

/**
 * Checks an ad group's delivery settings against its campaign and account currency: the billable event
 * the objective pays by, a budget of the right kind (none under campaign budget optimization), a bid
 * where the strategy needs one and none where it sets its own, at the floor or above and, per click,
 * not above a daily budget; a frequency cap only on impression billing with an end; a schedule inside
 * the campaign's.
 */
export function checkDelivery(d: Delivery, campaign: CampaignRow, currency: string): void {
  const allowed = BILLABLE_BY_OBJECTIVE[campaign.objective_type] ?? [];
  if (!allowed.includes(d.billable_event))
    throw new Invalid(
      `billable_event ${d.billable_event} does not fit a ${campaign.objective_type} campaign (it pays by ${allowed.join(' or ') || 'nothing Corkboard serves'}).`,
    );
  if (campaign.is_campaign_budget_optimization) {
    if (d.budget_type !== 'CBO_ADGROUP')
      throw new Invalid('In a campaign with budget optimization, an ad group has budget_type CBO_ADGROUP.');
    if (d.budget !== null)
      throw new Invalid('In a campaign with budget optimization, the campaign holds the budget.');
  } else {
    if (d.budget_type === 'CBO_ADGROUP')
      throw new Invalid('budget_type CBO_ADGROUP needs a campaign with budget optimization.');
    if (d.budget === null) throw new Invalid('budget_in_micro_currency: an ad group needs a budget.');
    const least = minDailyBudgetMicro(currency);
    if (!Number.isSafeInteger(d.budget) || d.budget < least || d.budget > MAX_MICRO)
      throw new Invalid(
        `budget_in_micro_currency must be a whole number from ${least} to ${MAX_MICRO} micro-units.`,
      );
    if (d.budget_type === 'LIFETIME' && !(d.end_time ?? campaign.end_time))
      throw new Invalid("A LIFETIME budget needs an end_time (the ad group's or its campaign's).");
  }
  const strategy = d.bid_strategy_type ?? (d.bid === null ? 'AUTOMATIC_BID' : 'MAX_BID');
  if (strategy === 'AUTOMATIC_BID' && d.bid !== null)
    throw new Invalid('bid_strategy_type AUTOMATIC_BID sets its own bid: leave bid_in_micro_currency out.');
  if (strategy !== 'AUTOMATIC_BID' && d.bid === null)
    throw new Invalid(`bid_strategy_type ${strategy} needs bid_in_micro_currency.`);
  if (d.bid !== null) {
    const floor = bidFloorMicro(currency, d.billable_event);
    if (!Number.isSafeInteger(d.bid) || d.bid < floor || d.bid > MAX_MICRO)
      throw new Invalid(
        `bid_in_micro_currency must be at least the bid floor, ${floor} micro-units per ${d.billable_event === 'IMPRESSION' ? 'thousand impressions' : 'click'}.`,
      );
    if (
      d.billable_event === 'CLICKTHROUGH' &&
      d.budget_type === 'DAILY' &&
      d.budget !== null &&
      d.bid > d.budget
    )
      throw new Invalid('bid_in_micro_currency is above the daily budget.');
  }
  if (d.lifetime_frequency_cap) {
    if (d.billable_event !== 'IMPRESSION')
      throw new Invalid('lifetime_frequency_cap applies to IMPRESSION billing only.');
    if (!(d.end_time ?? campaign.end_time)) throw new Invalid('lifetime_frequency_cap needs an end_time.');
  }
  if (d.placement_group === 'OTHER')
    throw new Invalid(
      'placement_group OTHER: Corkboard places ads in BROWSE (feed, related) and SEARCH only.',
    );
  const cStart = campaign.start_time ? new Date(campaign.start_time).getTime() : null;
  const cEnd = campaign.end_time ? new Date(campaign.end_time).getTime() : null;
  if (cStart !== null && d.start_time && d.start_time.getTime() < cStart)
    throw new Invalid('start_time is before its campaign starts.');
  if (cEnd !== null && d.end_time && d.end_time.getTime() > cEnd)
    throw new Invalid('end_time is after its campaign ends.');
}

/** The delivery settings stored on a row. */
export function deliveryOf(row: AdGroupRow): Delivery {
  return {
    budget_type: row.budget_type,
    budget: num(row.budget),
    bid: num(row.bid),
    bid_strategy_type: row.bid_strategy_type,
    billable_event: row.billable_event,
    lifetime_frequency_cap: row.lifetime_frequency_cap,
    end_time: row.end_time ? new Date(row.end_time) : null,
    start_time: row.start_time ? new Date(row.start_time) : null,
    placement_group: row.placement_group,
  };
}
