import type { ServableAd } from '../../src/modules/ads/serving/ad-catalog.js';
import { compileTargeting, type LiveAdGroup } from '../../src/modules/ads/serving/eligibility.js';

/** An active ad group on every placement, with no dates, targeting, keywords or frequency cap. */
export function makeLiveAdGroup(over: Partial<Omit<LiveAdGroup, 'rules'>> = {}): LiveAdGroup {
  const group = {
    id: 'g1',
    status: 'ACTIVE',
    campaignStatus: 'ACTIVE',
    start: null,
    end: null,
    campaignStart: null,
    campaignEnd: null,
    placementGroup: 'ALL',
    targeting: {},
    keywords: [],
    inheritedNegatives: [],
    frequencyCap: null,
    ...over,
  };
  return { ...group, rules: compileTargeting(group.targeting) };
}

/**
 * A servable ad `id`, its ad group `g-<id>` and its campaign, account, advertiser and pin named after it:
 * USD, a 1-unit max bid per click, a 10-unit standard daily budget, no campaign caps, no pin interests, in
 * an ad group of makeLiveAdGroup's. `over` replaces any field of the ad, `over.group` any of its group's.
 */
export function makeServableAd(
  id: string,
  over: Partial<Omit<ServableAd, 'group'>> & { group?: Partial<LiveAdGroup> } = {},
): ServableAd {
  const { group, ...fields } = over;
  const ad = {
    adId: id,
    adGroupId: `g-${id}`,
    campaignId: `c-${id}`,
    accountId: `acct-${id}`,
    advertiserId: `adv-${id}`,
    advertiserName: `Advertiser ${id}`,
    currency: 'USD',
    pinId: `pin-${id}`,
    destinationUrl: null,
    billableEvent: 'CLICKTHROUGH' as const,
    bidMicro: 1_000_000,
    bidStrategy: 'MAX_BID',
    budgetType: 'DAILY',
    budgetMicro: 10_000_000,
    pacing: 'STANDARD',
    campaignDailyCapMicro: null,
    campaignLifetimeCapMicro: null,
    pinInterests: new Set<string>(),
    ...fields,
  };
  return { ...ad, group: makeLiveAdGroup({ id: ad.adGroupId, ...group }) };
}
