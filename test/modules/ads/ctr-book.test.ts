import { describe, expect, it } from 'vitest';
import { CtrBook } from '../../../src/modules/ads/serving/ctr-book.js';
import { DEFAULT_CTR_PRIOR, predictCtr } from '../../../src/modules/ads/serving/pctr.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser } from '../../helpers/factories.js';
import { at, daysAgo, makeAdWorld, times, writeAdEvents } from './analytics-helpers.js';

describe('click history per placement', () => {
  it('is rolled up from served ads events and predicts each ad on each placement', async () => {
    const app = await startTestApp();
    const owner = await makeUser(app);
    const w = await makeAdWorld(app, owner);
    const [a1, a2, a3] = w.ads;
    const [p1, p2] = w.pins;
    const when = at(daysAgo(1), 10);
    await writeAdEvents(app, owner.id, [
      ...times(200, { kind: 'IMPRESSION', adId: a1, pinId: p1, at: when, surface: 'HOME_FEED' }),
      ...times(12, { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: when, surface: 'HOME_FEED' }),
      ...times(3, { kind: 'OUTBOUND_CLICK', adId: a1, pinId: p1, at: when, surface: 'RELATED' }),
      ...times(300, { kind: 'IMPRESSION', adId: a2, pinId: p2, at: when, surface: 'SEARCH' }),
      ...times(1, { kind: 'PIN_CLICK', adId: a2, pinId: p2, at: when, surface: 'SEARCH' }),
      // Not a placement ads serve on, and not served at all: not counted.
      ...times(50, { kind: 'IMPRESSION', adId: a3, pinId: p1, at: when, surface: 'BOARD' }),
      ...times(50, { kind: 'IMPRESSION', adId: a3, pinId: p1, at: when }),
      // A save is not a click.
      { kind: 'SAVE', adId: a1, pinId: p1, at: when, surface: 'HOME_FEED' },
    ]);
    const rows = await app.deps.db
      .selectFrom('ad_placement_stats')
      .select(['ad_id', 'placement', 'impressions', 'clicks'])
      .where('ad_id', 'in', [a1, a2, a3])
      .orderBy('ad_id')
      .orderBy('placement')
      .execute();
    expect(rows).toEqual([
      { ad_id: a1, placement: 'BROWSE', impressions: '200', clicks: '15' },
      { ad_id: a2, placement: 'SEARCH', impressions: '300', clicks: '1' },
    ]);
    const book = await CtrBook.load(app.deps.db);
    const ad = (adId: string, i: number) => ({
      adId,
      adGroupId: w.groups[i]!,
      campaignId: w.campaigns[i === 2 ? 1 : 0],
    });
    const browse1 = book.predict(ad(a1, 0), 'BROWSE');
    const search2 = book.predict(ad(a2, 1), 'SEARCH');
    expect(browse1).toBeGreaterThan(search2);
    // Exactly the chain of smoothed rates over what the table holds (other tests' rows included).
    const all = await app.deps.db
      .selectFrom('ad_placement_stats')
      .selectAll()
      .where('placement', '=', 'BROWSE')
      .execute();
    const sum = (f: (r: (typeof all)[number]) => boolean) => ({
      clicks: all.filter(f).reduce((n, r) => n + Number(r.clicks), 0),
      impressions: all.filter(f).reduce((n, r) => n + Number(r.impressions), 0),
    });
    expect(browse1).toBe(
      predictCtr({
        ad: sum((r) => r.ad_id === a1),
        adGroup: sum((r) => r.ad_group_id === w.groups[0]),
        campaign: sum((r) => r.campaign_id === w.campaigns[0]),
        placement: sum(() => true),
      }),
    );
    // A new ad on a placement starts from its ad group's and campaign's history there.
    expect(
      book.predict({ adId: '1', adGroupId: w.groups[0]!, campaignId: w.campaigns[0] }, 'BROWSE'),
    ).toBeGreaterThan(book.predict({ adId: '1', adGroupId: '2', campaignId: '3' }, 'BROWSE'));
    expect(CtrBook.empty().predict(ad(a1, 0), 'SEARCH')).toBeCloseTo(DEFAULT_CTR_PRIOR.base, 12);
    await app.close();
  });
});
