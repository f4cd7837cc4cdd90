import { describe, expect, it } from 'vitest';
import { AdCatalog } from '../../../src/modules/ads/serving/ad-catalog.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser } from '../../helpers/factories.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from './helpers.js';

const decor = INTERESTS.find((i) => i.key === 'home decor')!.id;

describe('the live ad catalog', () => {
  it('indexes servable ads by placement, interest and keyword, and follows changes', async () => {
    const app = await startTestApp({ runJobs: false });
    const owner = await makeUser(app);
    const account = await makeAdAccount(app, owner);
    const [campaign] = await makeCampaigns(app, owner, account, [
      { name: 'C', objective_type: 'CONSIDERATION' },
    ]);
    const group = (name: string, extra: object) => ({
      name,
      campaign_id: campaign!.id,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
      bid_in_micro_currency: 500_000,
      ...extra,
    });
    const [browse, search, anywhere] = await makeAdGroups(app, owner, account, [
      group('Browse decor', { placement_group: 'BROWSE', targeting_spec: { INTEREST: [decor] } }),
      group('Search lamps', { placement_group: 'SEARCH' }),
      group('Anywhere', {}),
    ]);
    const keywords = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/keywords`, {
      parent_id: search!.id,
      keywords: [
        { value: 'floor lamp', match_type: 'PHRASE' },
        { value: 'cheap', match_type: 'PHRASE_NEGATIVE' },
      ],
    });
    expect(keywords.json().errors).toEqual([]);
    const board = await makeBoard(app, owner);
    const secret = await makeBoard(app, owner, { privacy: 'SECRET' });
    const pins = [
      await makePin(app, owner, board.id),
      await makePin(app, owner, board.id),
      await makePin(app, owner, board.id),
    ];
    const secretPin = await makePin(app, owner, secret.id);
    const res = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ads`, [
      { ad_group_id: browse!.id, pin_id: pins[0], creative_type: 'REGULAR' },
      { ad_group_id: search!.id, pin_id: pins[1], creative_type: 'REGULAR' },
      { ad_group_id: anywhere!.id, pin_id: pins[2], creative_type: 'REGULAR' },
      { ad_group_id: anywhere!.id, pin_id: secretPin, creative_type: 'REGULAR' },
    ]);
    const [adBrowse, adSearch, adAnywhere] = res.json().items.map((i: { data: { id: string } }) => i.data.id);

    const catalog = new AdCatalog({ db: app.deps.db });
    expect(await catalog.refresh()).toBe(true);
    const ids = (list: { adId: string }[]) => list.map((a) => a.adId).sort();
    const snap = catalog.snapshot();
    // The rejected ad (secret pin) is not servable at all.
    expect(ids([...snap.ads])).toEqual([adBrowse, adSearch, adAnywhere].sort());
    expect(ids(snap.candidates('BROWSE', new Set([decor])))).toEqual([adBrowse, adAnywhere].sort());
    expect(ids(snap.candidates('BROWSE', new Set()))).toEqual([adAnywhere]);
    expect(ids(snap.candidates('SEARCH', new Set(), 'brass floor lamp'))).toEqual(
      [adSearch, adAnywhere].sort(),
    );
    expect(ids(snap.candidates('SEARCH', new Set(), 'wool rug'))).toEqual([adAnywhere]);
    const searchAd = snap.ads.find((a) => a.adId === adSearch)!;
    expect(searchAd.group.keywords.map((k) => k.matchType).sort()).toEqual(['PHRASE', 'PHRASE_NEGATIVE']);
    expect(searchAd).toMatchObject({
      bidMicro: 500_000,
      billableEvent: 'CLICKTHROUGH',
      advertiserId: owner.id,
    });

    // Nothing changed: no reload. A paused ad group leaves at the next refresh.
    expect(await catalog.refresh()).toBe(false);
    await call(app, owner, 'PATCH', `/v5/ad_accounts/${account}/ad_groups`, [
      { id: anywhere!.id, status: 'PAUSED' },
    ]);
    expect(await catalog.refresh()).toBe(true);
    expect(ids(catalog.snapshot().candidates('BROWSE', new Set([decor])))).toEqual([adBrowse]);
    // A pin whose board turns secret stops serving at the next full reload.
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${board.id}`,
      headers: await owner.auth(),
      payload: { privacy: 'SECRET' },
    });
    expect(await catalog.refresh(true)).toBe(true);
    expect(catalog.snapshot().ads).toEqual([]);
    await app.close();
  });
});
