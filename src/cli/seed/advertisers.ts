import type { Db } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';

/** The demo world's advertisers: a shop name per topic they promote. */
const SHOPS: Record<string, string> = {
  recipes: 'Copper Pot Kitchen',
  travel: 'Wayfarer Trips',
  home: 'Fernwood Home',
  fashion: 'Loom & Thread',
  garden: 'Greenhouse Supply',
  fitness: 'Trailhead Outfitters',
  art: 'Studio North',
  diy: 'Workbench Co',
};

/** One promoted pin to set up: who promotes it, the pin, and its topic. */
export interface DemoPromotion {
  readonly ownerId: string;
  readonly pinId: string;
  readonly topic: string;
}

/**
 * A few advertisers for the demo world, written straight into the tables as the Ads API would make them:
 * per promoted pin an ad account (USD, US), an ACTIVE campaign with a daily cap, an ad group billed per
 * click on every placement (50 units a day, a 1.50 maximum bid, ACCELERATED so ads show from the first
 * page of a fresh demo), the topic's name as a BROAD search keyword, and an approved ad. Their pins are
 * chosen from the demo person's topics, so the organic quality guard lets them into the demo feed.
 */
export async function seedAdvertisers(
  db: Db,
  ids: IdGenerator,
  promotions: readonly DemoPromotion[],
): Promise<number> {
  if (promotions.length === 0) return 0;
  const n = promotions.length;
  const [accounts, campaigns, groups, ads, keywords] = await Promise.all([
    ids.many('adAccount', n),
    ids.many('campaign', n),
    ids.many('adGroup', n),
    ids.many('ad', n),
    ids.many('keyword', n),
  ]);
  const name = (p: DemoPromotion) => SHOPS[p.topic] ?? `${p.topic} shop`;
  await db
    .insertInto('ad_accounts')
    .values(
      promotions.map((p, i) => ({
        id: accounts[i]!,
        owner_id: p.ownerId,
        name: name(p),
        country: 'US',
        currency: 'USD',
      })),
    )
    .execute();
  await db
    .insertInto('ad_campaigns')
    .values(
      promotions.map((p, i) => ({
        id: campaigns[i]!,
        ad_account_id: accounts[i]!,
        name: `${name(p)}: ${p.topic}`,
        status: 'ACTIVE',
        objective_type: 'CONSIDERATION',
        daily_spend_cap: 100_000_000,
      })),
    )
    .execute();
  await db
    .insertInto('ad_groups')
    .values(
      promotions.map((p, i) => ({
        id: groups[i]!,
        ad_account_id: accounts[i]!,
        campaign_id: campaigns[i]!,
        name: `${p.topic} lovers`,
        status: 'ACTIVE',
        budget_type: 'DAILY',
        budget: 50_000_000,
        bid: 1_500_000,
        bid_strategy_type: 'MAX_BID',
        billable_event: 'CLICKTHROUGH',
        pacing_delivery_type: 'ACCELERATED',
        placement_group: 'ALL',
        targeting_spec: JSON.stringify({}),
      })),
    )
    .execute();
  await db
    .insertInto('ad_keywords')
    .values(
      promotions.map((p, i) => ({
        id: keywords[i]!,
        ad_account_id: accounts[i]!,
        parent_type: 'ad_group' as const,
        parent_id: groups[i]!,
        value: p.topic,
        match_type: 'BROAD',
      })),
    )
    .execute();
  await db
    .insertInto('ads')
    .values(
      promotions.map((p, i) => ({
        id: ads[i]!,
        ad_account_id: accounts[i]!,
        campaign_id: campaigns[i]!,
        ad_group_id: groups[i]!,
        pin_id: p.pinId,
        name: `${name(p)} pin`,
        status: 'ACTIVE',
        creative_type: 'REGULAR',
        review_status: 'APPROVED',
      })),
    )
    .execute();
  return n;
}
