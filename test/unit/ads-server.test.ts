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

// The spend store is read on the requests' clock (NOW), not the machine's: holds last a minute.
describe('the ad server', () => {
  it('serves the auction winner with its expected cost held in the spend store', async () => {
    const { server: s, spend } = server([makeServableAd('a', { bidMicro: 2_000_000 }), makeServableAd('b')]);
    const { served, record } = await s.select(request());
    expect(served.map((x) => x.ad.adId)).toEqual(['a']);
    // b's eCPM (1,000,000 × 1% × 1000) converted back to a's clicks, plus the tie rule: about b's bid.
    expect([1_000_000, 1_000_001]).toContain(served[0]!.priceMicro);
    expect(record.scored).toHaveLength(2);
    // A per-click ad holds twice its expected cost: price × pCTR (1%) × 2.
    expect(served[0]!.holdMicro).toBe(Math.ceil(served[0]!.priceMicro * 0.01 * 2));
    expect(await spend.spent('ag:g-a:d:2026-12-03', NOW)).toMatchObject({
      reserved: served[0]!.holdMicro,
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

  it('serves a per-click ad only while its budget could pay the click, and never holds past a budget', async () => {
    const tight = makeServableAd('a', { budgetMicro: 1_500_000, bidMicro: 700_000 });
    const { server: s, spend } = server([tight]);
    const key = 'ag:g-a:d:2026-12-03';
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await s.select(request({ requestId: `r${i}` })));
    // A lone bidder pays the reserve converted to clicks: 1,000,000 eCPM / (1% × 1000) = 100,000; each
    // impression holds 2,000 of it (1% × 2) and is served only while 98,000 more would fit.
    expect(results.map((r) => r.served.length)).toEqual([1, 1, 1, 1]);
    expect(results[0]!.served[0]).toMatchObject({ priceMicro: 100_000, holdMicro: 2_000 });
    expect(await spend.spent(key, NOW)).toMatchObject({ reserved: 8_000 });
    // Billed up to 1,392,000: exactly room for one more impression and its click.
    await spend.restore(key, 1_392_000, undefined, NOW);
    const last = await s.select(request({ requestId: 'last' }));
    expect(last.served).toHaveLength(1);
    const refused = await s.select(request({ requestId: 'refused' }));
    expect(refused.served).toHaveLength(0);
    expect(refused.record.outOfBudget).toEqual(['a']);
    const totals = await spend.spent(key, NOW);
    expect(totals.settled + totals.reserved).toBe(1_402_000);
    // Its click pays the full price: the 2,000 held and 98,000 of the room kept for it.
    const [click] = await spend.settleMany(
      [{ reservationId: last.served[0]!.reservationId, actual: 100_000, part: 'click' }],
      NOW,
    );
    expect(click).toMatchObject({ state: 'charged', charged: 100_000 });
    expect(await spend.spent(key, NOW)).toMatchObject({ settled: 1_492_000, reserved: 8_000 });
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
    expect(await spend.spent('ag:g-yen:d:2026-12-03', NOW)).toMatchObject({ reserved: served[1]!.holdMicro });
  });

  it('holds a campaign cap across its ad groups', async () => {
    const shared = { campaignId: 'c-shared', campaignDailyCapMicro: 250_000, bidMicro: 500_000 };
    const { server: s, spend } = server([
      makeServableAd('a', shared),
      makeServableAd('b', { ...shared, advertiserId: 'adv-a' }),
    ]);
    // Each impression holds 2,000 of a 100,000 click and keeps 98,000 of room: granted while the held
    // total is at most 150,000, so 76 impressions, whichever group wins.
    let served = 0;
    for (let i = 0; i < 100; i++) served += (await s.select(request({ requestId: `x${i}` }))).served.length;
    expect(served).toBe(76);
    expect((await spend.spent('c:c-shared:d:2026-12-03', NOW)).reserved).toBe(152_000);
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
  it("reuses a viewer's standing candidates, and still checks every request's moment, page and catalog", async () => {
    const ads = [
      makeServableAd('ends', { bidMicro: 4_000_000, group: { end: NOW + 1_000 } }),
      makeServableAd('capped', { bidMicro: 3_000_000, group: { frequencyCap: 2 } }),
      makeServableAd('shown', { bidMicro: 2_000_000 }),
      makeServableAd('paused', { bidMicro: 1_500_000 }),
    ];
    let snapshot = new CatalogSnapshot(ads);
    const seen = new Map<string, number>();
    let checked = 0;
    let ctr = CtrBook.empty();
    const s = new AdServer({
      catalog: { snapshot: () => snapshot },
      ctr: () => ctr,
      spend: new MemorySpendStore(),
      settings: {
        reserveEcpmMicro: { BROWSE: 1_000_000, SEARCH: 2_000_000 },
        minRelevance: 0.2,
        reservationTtlMs: 60_000,
      },
      relevance: () => {
        checked++;
        return 1;
      },
      effectiveBid: (ad) => ad.bidMicro,
      floor: () => 100_000,
      shown: (_request, adGroupId) => seen.get(adGroupId) ?? 0,
    });
    const winners = async (over: Partial<AdRequest>) =>
      (await s.select(request({ slots: 4, ...over }))).served.map((x) => x.ad.adId);

    expect(await winners({ requestId: 'a' })).toEqual(['ends', 'capped', 'shown', 'paused']);
    const scoredOnce = checked;
    // The same viewer and surface: the standing part is not worked out again...
    expect(await winners({ requestId: 'b', nowMs: NOW + 1_000 })).toEqual(['capped', 'shown', 'paused']);
    expect(checked).toBe(scoredOnce);
    // ...but the moment is: a frequency cap reached, and the page's own pins.
    seen.set('g-capped', 2);
    expect(await winners({ requestId: 'c', organicPinIds: new Set(['pin-shown']) })).toEqual([
      'ends',
      'paused',
    ]);
    // A new catalog (an ad group paused) is a new standing part.
    snapshot = new CatalogSnapshot([
      ...ads.slice(0, 3),
      makeServableAd('paused', { group: { status: 'PAUSED' } }),
    ]);
    expect(await winners({ requestId: 'd' })).toEqual(['ends', 'shown']);
    expect(checked).toBeGreaterThan(scoredOnce);
    // So is the click history read again, another viewer, and another surface or query.
    for (const [i, over] of [
      {},
      { viewer: { ...viewer } },
      { placement: 'SEARCH' as const, query: 'lamp', reserveEcpmMicro: 1_000_000 },
      { placement: 'SEARCH' as const, query: 'sofa', reserveEcpmMicro: 1_000_000 },
    ].entries()) {
      if (i === 0) ctr = CtrBook.empty();
      const before = checked;
      expect(await winners({ requestId: `e${i}`, ...over })).toEqual(['ends', 'shown']);
      expect(checked).toBeGreaterThan(before);
    }
  });
});
