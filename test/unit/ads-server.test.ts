import { describe, expect, it } from 'vitest';
import { CatalogSnapshot, type ServableAd } from '../../src/modules/ads/serving/ad-catalog.js';
import { type AdRequest, AdServer } from '../../src/modules/ads/serving/ad-server.js';
import { CtrBook } from '../../src/modules/ads/serving/ctr-book.js';
import type { ViewerProfile } from '../../src/modules/ads/serving/eligibility.js';
import { MemorySpendStore } from '../../src/platform/spend/memory-spend-store.js';
import { makeServableAd } from '../helpers/ad-factories.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');

const viewer: ViewerProfile = {
  userId: 'u1',
  interests: new Set(['decor']),
  locale: 'en-US',
  country: 'US',
  gender: 'female',
  ageBucket: '25-34',
  appType: 'web',
  audiences: new Set(),
};

/**
 * An ad server over `ads`. Its budget blocks hold one part each (a block per served ad), so the spend
 * store's totals show each winner's hold exactly; blocks as such are tested in ads-budget-blocks.test.ts.
 */
function server(ads: ServableAd[], spend = new MemorySpendStore(), rate?: (ad: ServableAd) => number | null) {
  const snapshot = new CatalogSnapshot(ads);
  return {
    spend,
    server: new AdServer({
      catalog: { snapshot: () => snapshot },
      ctr: () => CtrBook.empty(),
      spend,
      settings: {
        reserveEcpmMicro: { BROWSE: 1_000_000, SEARCH: 2_000_000 },
        minRelevance: 0.2,
        reservationTtlMs: 60_000,
        logRate: 1,
      },
      relevance: () => 1,
      effectiveBid: (ad) => ad.bidMicro,
      floor: () => 100_000,
      blocks: { windowMs: 60_000, firstParts: 1, maxParts: 1 },
      ...(rate ? { rate } : {}),
    }),
  };
}

const request = (over: Partial<AdRequest> = {}): AdRequest => ({
  viewer,
  placement: 'BROWSE',
  nowMs: NOW,
  slots: 1,
  organicPinIds: new Set(),
  requestId: 'r1',
  ...over,
});

describe('the ad server', () => {
  it('serves the auction winner with its price reserved in the spend store', async () => {
    const { server: s, spend } = server([makeServableAd('a', { bidMicro: 2_000_000 }), makeServableAd('b')]);
    const { served, record } = await s.select(request());
    expect(served.map((x) => x.ad.adId)).toEqual(['a']);
    // b's eCPM (1,000,000 × 1% × 1000) converted back to a's clicks, plus the tie rule: about b's bid.
    expect([1_000_000, 1_000_001]).toContain(served[0]!.priceMicro);
    expect(record.scored).toHaveLength(2);
    expect(await spend.spent('ag:g-a:d:2026-12-03')).toMatchObject({
      reserved: served[0]!.priceMicro,
      settled: 0,
    });
  });

  it('never shows an ad for a pin the page shows, nor one its targeting excludes', async () => {
    const ads = [
      makeServableAd('a', { bidMicro: 3_000_000 }),
      makeServableAd('b', { group: { targeting: { GENDER: ['male'] } } }),
      makeServableAd('c'),
    ];
    const { server: s } = server(ads);
    const { served } = await s.select(request({ slots: 3, organicPinIds: new Set(['pin-a']) }));
    expect(served.map((x) => x.ad.adId)).toEqual(['c']);
  });

  it('drops a winner whose budget has no room, and never reserves past a budget', async () => {
    const tight = makeServableAd('a', { budgetMicro: 1_500_000, bidMicro: 700_000 });
    const { server: s, spend } = server([tight]);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await s.select(request({ requestId: `r${i}` })));
    // A lone bidder pays the reserve converted to clicks: 1,000,000 eCPM / (1% × 1000) = 100,000.
    expect(results.map((r) => r.served.length)).toEqual([1, 1, 1, 1]);
    const many = [];
    for (let i = 0; i < 20; i++) many.push(await s.select(request({ requestId: `m${i}` })));
    const totals = await spend.spent('ag:g-a:d:2026-12-03');
    expect(totals.reserved).toBeLessThanOrEqual(1_500_000);
    expect(totals.reserved).toBe(1_500_000);
    expect(many.some((r) => r.record.outOfBudget.includes('a'))).toBe(true);
  });

  it('ranks ads of other currencies by their worth, and leaves out a currency without a rate', async () => {
    const rates: Record<string, number> = { USD: 1, JPY: 0.0067 };
    const ads = [
      makeServableAd('yen', { currency: 'JPY', bidMicro: 200_000_000, budgetMicro: 10_000_000_000 }), // 1.34 USD
      makeServableAd('usd', { bidMicro: 1_500_000 }),
      makeServableAd('won', { currency: 'KRW', bidMicro: 9_000_000_000 }), // no rate: never in
    ];
    const { server: s, spend } = server(ads, new MemorySpendStore(), (ad) => rates[ad.currency] ?? null);
    const { served, record } = await s.select(request({ slots: 3 }));
    expect(served.map((x) => x.ad.adId)).toEqual(['usd', 'yen']);
    expect(record.scored.map((x) => x.candidate.adId)).toEqual(['usd', 'yen']);
    // usd keeps its rank over the yen bid's worth, priced in USD; yen pays the reserve in yen.
    expect([1_340_000, 1_340_001]).toContain(served[0]!.priceMicro);
    expect(served[1]!.priceMicro).toBe(Math.ceil(1_000_000 / (0.0067 * 0.01 * 1000)));
    expect(await spend.spent('ag:g-yen:d:2026-12-03')).toMatchObject({ reserved: served[1]!.priceMicro });
  });

  it('holds a campaign cap across its ad groups', async () => {
    const shared = { campaignId: 'c-shared', campaignDailyCapMicro: 250_000, bidMicro: 500_000 };
    const { server: s, spend } = server([
      makeServableAd('a', shared),
      makeServableAd('b', { ...shared, advertiserId: 'adv-a' }),
    ]);
    for (let i = 0; i < 6; i++) await s.select(request({ requestId: `x${i}` }));
    expect((await spend.spent('c:c-shared:d:2026-12-03')).reserved).toBe(200_000);
  });

  it('serves requests in flight together each its own winners', async () => {
    const ads = [
      makeServableAd('a', { bidMicro: 3_000_000 }),
      makeServableAd('b', { bidMicro: 2_000_000 }),
      makeServableAd('c'),
    ];
    const requests = [
      request({ requestId: 'p1', slots: 2 }),
      request({ requestId: 'p2', organicPinIds: new Set(['pin-a']) }),
      request({ requestId: 'p3', slots: 2, organicPinIds: new Set(['pin-a', 'pin-b']) }),
    ];
    const alone = [];
    for (const r of requests) alone.push((await server(ads).server.select(r)).served.map((x) => x.ad.adId));
    const { server: s } = server(ads);
    const together = await Promise.all(requests.map((r) => s.select(r)));
    expect(together.map((t) => t.served.map((x) => x.ad.adId))).toEqual(alone);
    expect(alone).toEqual([['a', 'b'], ['b'], ['c']]);
  });
});
