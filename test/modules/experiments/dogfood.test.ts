import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { AD_PARAMS, layoutFor, reserveFor } from '../../../src/modules/ads/serving/ad-params.js';
import { insertAds } from '../../../src/modules/ads/serving/insertion.js';
import { rankSettings } from '../../../src/modules/feed/feed-params.js';
import { startTestApp, eventually as within } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { appOnlyBearer } from '../../helpers/oauth.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from '../ads/helpers.js';
import { get, word } from '../discovery-search/helpers.js';
import { feedJobsDone, follow, page } from '../feed/helpers.js';
import { exposureRows } from './helpers.js';
import { metricsCaughtUp } from './workload.js';

/**
 * Dogfooding: the home feed ranker's shares and diversity and the ad server's reserve and slots read
 * through experiments, per viewer, with the configured values as defaults; the read is the exposure.
 */

const eventually = <T>(check: () => Promise<T>, timeoutMs = 30_000) => within(check, timeoutMs);

type Value = number | string;

/** A layer of its own and a running experiment over `share` of its buckets (basis points), equal weights. */
async function experiment(
  app: App,
  key: string,
  variants: Record<string, Record<string, Value>>,
  share = 10_000,
): Promise<string> {
  const svc = app.product.experiments;
  await svc.createLayer('cli:test', { key: `layer-${key}`, holdout: 0 });
  await svc.createExperiment('cli:test', {
    key,
    layer: `layer-${key}`,
    buckets: [{ start: 0, end: share }],
    ramp: 10_000,
    variants: Object.entries(variants).map(([k, params]) => ({
      key: k,
      weight: 1,
      parameters: Object.entries(params).map(([name, value]) => ({
        name,
        type: typeof value === 'number' ? 'number' : 'string',
        value,
      })),
    })),
  });
  return (await svc.startExperiment('cli:test', key)).salt;
}

/** The variant of `key` a user is in, or null (outside it): the assignment alone, no exposure. */
async function variantOf(app: App, key: string, user: TestUser): Promise<string | null> {
  const p = await app.product.exposures.forUnit({ userId: user.id });
  return p.assignments.find((a) => a.experiment === key)?.variant ?? null;
}

/** Makes users until each of `wanted` (variant keys, null = outside the experiment) has one. */
async function usersIn(
  app: App,
  key: string,
  wanted: readonly (string | null)[],
  setup: (u: TestUser) => Promise<void> = async () => {},
): Promise<Map<string | null, TestUser>> {
  const found = new Map<string | null, TestUser>();
  for (let i = 0; i < 200 && found.size < wanted.length; i++) {
    const u = await makeUser(app);
    const v = await variantOf(app, key, u);
    if (wanted.includes(v) && !found.has(v)) {
      await setup(u);
      found.set(v, u);
    }
  }
  expect([...found.keys()].sort()).toEqual([...wanted].sort());
  return found;
}

async function exposedUsers(app: App, key: string): Promise<Map<string, string>> {
  await app.product.exposures.flush();
  const rows = (await exposureRows(app)).filter((r) => r.experiment === key);
  return new Map(rows.map((r) => [r.user_id!, r.variant]));
}

async function refusedCount(app: App, param: string): Promise<number> {
  const text = await app.deps.metrics.registry.metrics();
  const m = text.match(
    new RegExp(
      `corkboard_experiment_params_refused_total\\{param="${param.replace(/\./g, '\\.')}"\\} (\\d+)`,
    ),
  );
  return m ? Number(m[1]) : 0;
}

describe(`the home feed reads its ranking settings through experiments (${testMode()})`, () => {
  let app: App;
  let author: TestUser;
  const FEED = 'feed-blend';

  beforeAll(async () => {
    // A first page is reused for 30 s (the default): an experiment's change must re-rank it anyway.
    app = await startTestApp({ env: { FEED_SNAPSHOT_SECONDS: '30' } });
    author = await makeUser(app);
    const board = await makeBoard(app, author, { privacy: 'PUBLIC' });
    for (let i = 0; i < 8; i++) await makePin(app, author, board.id, { title: `Followed ${i}` });
    // Other people's public pins: the popular source's filler (the newest public pins).
    const other = await makeUser(app);
    const otherBoard = await makeBoard(app, other, { privacy: 'PUBLIC' });
    for (let i = 0; i < 8; i++) await makePin(app, other, otherBoard.id, { title: `Popular ${i}` });
  });

  const follower = async (u: TestUser) => {
    await follow(app, u, author);
    await feedJobsDone(app);
  };
  const reasons = async (u: TestUser) => (await page(app, u, { page_size: 6 })).items.map((i) => i.reason);

  it('serves a variant its shares (re-ranking a kept first page at once), others the defaults; exposes only readers in it', async () => {
    // Before any experiment, people's first pages are ranked with the configured shares and kept.
    const early: TestUser[] = [];
    for (let i = 0; i < 20; i++) {
      const u = await makeUser(app);
      await follow(app, u, author);
      early.push(u);
    }
    await feedJobsDone(app);
    for (const u of early) expect((await reasons(u))[0]).toBe('FOLLOWING');

    // Popular pins only, for half of the people in the experiment; the control leaves the shares unset.
    await experiment(
      app,
      FEED,
      {
        control: {},
        popular: { 'feed.share.following': 0, 'feed.share.related': 0, 'feed.share.popular': 1 },
      },
      5_000,
    );
    const users = await usersIn(app, FEED, ['control', 'popular', null], follower);
    const [control, popular, outside] = [users.get('control')!, users.get('popular')!, users.get(null)!];
    expect((await reasons(popular)).every((r) => r === 'POPULAR')).toBe(true);
    expect((await reasons(control))[0]).toBe('FOLLOWING');
    expect((await reasons(outside))[0]).toBe('FOLLOWING');

    // The people whose first pages were kept from before: ranked anew for those the experiment moved
    // (some 1 in 4 of them; all 20 elsewhere happens 3 times in 1,000).
    const earlyVariants = new Map<TestUser, string | null>();
    for (const u of early) {
      const v = await variantOf(app, FEED, u);
      earlyVariants.set(u, v);
      const again = await reasons(u);
      if (v === 'popular') expect(again.every((r) => r === 'POPULAR')).toBe(true);
      else expect(again[0]).toBe('FOLLOWING');
    }
    expect([...earlyVariants.values()]).toContain('popular');

    // A person in the experiment who has not loaded the feed was not exposed; one outside never is.
    const idle = (await usersIn(app, FEED, ['popular'])).get('popular')!;
    const exposed = await exposedUsers(app, FEED);
    expect(exposed.get(popular.id)).toBe('popular');
    expect(exposed.get(control.id)).toBe('control');
    expect(exposed.has(outside.id)).toBe(false);
    expect(exposed.has(idle.id)).toBe(false);
    for (const [u, v] of earlyVariants) expect(exposed.get(u.id) ?? null).toBe(v);

    // The wiring itself: the variant's values, the defaults outside.
    const p = await app.product.exposures.forUnit({ userId: popular.id });
    expect(rankSettings(p, app.config).shares).toEqual({ following: 0, related: 0, popular: 1 });
    const o = await app.product.exposures.forUnit({ userId: outside.id });
    expect(rankSettings(o, app.config)).toEqual({
      shares: app.config.feedShares,
      diversity: app.config.feedDiversity,
    });
    await app.product.experiments.stopExperiment('cli:test', FEED);
  });

  it('falls back to the defaults on a value of the wrong type or out of range, reported once', async () => {
    await experiment(app, 'feed-bad', {
      bad: {
        'feed.share.popular': 'lots',
        'feed.share.following': -1,
        'feed.diversity.max': 0,
        'feed.diversity.window': 2.5,
      },
    });
    const u = await makeUser(app);
    await follower(u);
    expect((await reasons(u))[0]).toBe('FOLLOWING');
    const p = await app.product.exposures.forUnit({ userId: u.id });
    expect(rankSettings(p, app.config)).toEqual({
      shares: app.config.feedShares,
      diversity: app.config.feedDiversity,
    });
    // Read twice (the page and the check), reported once; and the person was exposed all the same.
    for (const name of [
      'feed.share.popular',
      'feed.share.following',
      'feed.diversity.max',
      'feed.diversity.window',
    ])
      expect(await refusedCount(app, name)).toBe(1);
    expect((await exposedUsers(app, 'feed-bad')).get(u.id)).toBe('bad');
    await app.product.experiments.stopExperiment('cli:test', 'feed-bad');
  });

  it("gathers the home feed's server time of viewers in an experiment into FEED_TIMING events, and feed_latency_ms from them", async () => {
    const KEY = 'feed-timed';
    const salt = await experiment(app, KEY, { control: {}, tight: { 'feed.diversity.max': 3 } }, 5_000);
    const users = await usersIn(app, KEY, ['control', 'tight', null], follower);
    const outside = users.get(null)!;
    expect((await app.product.exposures.forUnit({ userId: outside.id })).assignments).toEqual([]);
    const started = Date.now();
    for (const [, u] of users) for (let i = 0; i < 3; i++) await reasons(u);
    const took = Date.now() - started;
    await app.product.exposures.flush();
    const { rows } = await sql<{ user_id: string; requests: number; ms: string; id: string }>`
      select user_id::text as user_id, timing_requests as requests, timing_ms::text as ms, id
        from events where kind = 'FEED_TIMING'`.execute(app.deps.db);
    const of = (u: TestUser) => rows.filter((r) => r.user_id === u.id);
    for (const v of ['control', 'tight']) {
      const mine = of(users.get(v)!);
      expect(mine.length, v).toBeGreaterThanOrEqual(1);
      expect(
        mine.reduce((n, r) => n + r.requests, 0),
        v,
      ).toBe(3);
      const ms = mine.reduce((n, r) => n + Number(r.ms), 0);
      expect(ms, v).toBeGreaterThanOrEqual(0);
      expect(ms, v).toBeLessThanOrEqual(took);
      for (const r of mine) expect(r.id).toMatch(new RegExp(`^u${users.get(v)!.id}:t:[0-9a-f]{12}:\\d+$`));
    }
    // Someone in no experiment costs nothing: no timing gathered.
    expect(of(outside)).toEqual([]);

    // The metric: Σ ms / Σ requests per variant, the requests in its denominator.
    await metricsCaughtUp(app, 60_000);
    const r = await app.product.experimentResults.results(KEY);
    const latency = r.metrics.find((m) => m.metric === 'feed_latency_ms')!;
    expect(latency).toMatchObject({ type: 'ratio', guardrail: true, higher_is_better: false });
    const { rows: sums } = await sql<{ variant: string; s_b: string }>`
      select variant, s_b::text as s_b from experiment_variant_sums
       where run = ${salt} and metric = 'feed_latency_ms'`.execute(app.deps.db);
    expect(Object.fromEntries(sums.map((x) => [x.variant, x.s_b]))).toEqual({ control: '3', tight: '3' });
    for (const v of latency.variants) expect(v.mean, v.variant).toBeGreaterThanOrEqual(0);
    await app.product.experiments.stopExperiment('cli:test', KEY);
  });
});

describe(`the ad server reads its reserve and slots through experiments (${testMode()})`, () => {
  let app: App;
  let advertiser: TestUser;
  let term: string;
  const ADS = 'ads-layout';

  beforeAll(async () => {
    app = await startTestApp({ env: { ADS_REFRESH_SECONDS: '1' } });
    advertiser = await makeUser(app);
    const creator = await makeUser(app);
    term = word('dog');
    const board = await makeBoard(app, creator, { privacy: 'PUBLIC' });
    for (let i = 0; i < 12; i++) await makePin(app, creator, board.id, { title: `${term} idea ${i}` });
    const adBoard = await makeBoard(app, advertiser, { privacy: 'PUBLIC', name: 'Shop' });
    const adPin = await makePin(app, advertiser, adBoard.id, { title: 'Our best lamp' });
    const account = await makeAdAccount(app, advertiser, { name: 'Lamp Co' });
    const [{ id: campaign }] = (await makeCampaigns(app, advertiser, account, [
      { name: 'Lamps', objective_type: 'CONSIDERATION', status: 'ACTIVE' },
    ])) as [{ id: string }];
    const [group] = await makeAdGroups(app, advertiser, account, [
      {
        name: 'Search lamps',
        campaign_id: campaign,
        status: 'ACTIVE',
        billable_event: 'CLICKTHROUGH',
        budget_in_micro_currency: 100_000_000,
        bid_in_micro_currency: 2_000_000,
        bid_strategy_type: 'MAX_BID',
        pacing_delivery_type: 'ACCELERATED',
        placement_group: 'SEARCH',
      },
    ]);
    await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/keywords`, {
      parent_id: group!.id,
      keywords: [{ value: term, match_type: 'BROAD' }],
    });
    const res = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/ads`, [
      { ad_group_id: group!.id, pin_id: adPin, creative_type: 'REGULAR', status: 'ACTIVE' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    await app.product.promotions.refreshNow();
  });

  /**
   * Where the promoted pin is on the viewer's search page (-1: none), once the organic pins are indexed
   * (the page is full: 12 items, an ad taking the place of the last organic pin).
   */
  async function adPosition(user: TestUser): Promise<number> {
    const items = await eventually(async () => {
      const res = await get(app, user, '/v5/search/partner/pins', { term, country_code: 'US', limit: 12 });
      expect(res.statusCode, res.body).toBe(200);
      const found = res.json().items as { is_promoted?: boolean }[];
      return found.length >= 12 ? found : undefined;
    });
    return items.findIndex((i) => i.is_promoted);
  }

  it("lays ads where the viewer's variant says and applies its reserve; defaults outside; exposes readers", async () => {
    await experiment(
      app,
      ADS,
      {
        control: {},
        late: { [AD_PARAMS.firstSlot]: 6, [AD_PARAMS.spacing]: 2 },
        dear: { [AD_PARAMS.reserveSearch]: 1_000_000_000_000 },
        bad: { [AD_PARAMS.firstSlot]: -1, [AD_PARAMS.spacing]: 'wide', [AD_PARAMS.reserveSearch]: 1.5 },
      },
      5_000,
    );
    const users = await usersIn(app, ADS, ['control', 'late', 'dear', 'bad', null]);
    // The control and the bad values (refused) get ADS_FIRST_SLOT 3, as does everyone outside.
    expect(await adPosition(users.get('control')!)).toBe(3);
    expect(await adPosition(users.get(null)!)).toBe(3);
    expect(await adPosition(users.get('bad')!)).toBe(3);
    expect(await adPosition(users.get('late')!)).toBe(6);
    // No ad clears a reserve of a million per mille.
    expect(await adPosition(users.get('dear')!)).toBe(-1);
    expect(await refusedCount(app, AD_PARAMS.firstSlot)).toBe(1);
    expect(await refusedCount(app, AD_PARAMS.spacing)).toBe(1);
    expect(await refusedCount(app, AD_PARAMS.reserveSearch)).toBe(1);

    const exposed = await exposedUsers(app, ADS);
    for (const v of ['control', 'late', 'dear', 'bad']) expect(exposed.get(users.get(v)!.id)).toBe(v);
    expect(exposed.has(users.get(null)!.id)).toBe(false);

    // The wiring of spacing (one advertiser wins one slot a page, so two ads show it here) and reserve.
    const late = await app.product.exposures.forUnit({ userId: users.get('late')!.id });
    const layout = layoutFor(late, app.config.adsServing);
    expect(layout).toEqual({ firstSlot: 6, spacing: 2 });
    const organic = Array.from({ length: 12 }, (_, i) => ({ pinId: `o${i}`, ownerId: `c${i}` }));
    const ads = [
      { pinId: 'a1', ownerId: 'x' },
      { pinId: 'a2', ownerId: 'y' },
    ];
    const laid = insertAds(organic, ads, layout).items.map((i) => i.pinId);
    expect([laid.indexOf('a1'), laid.indexOf('a2')]).toEqual([6, 9]);
    const outside = await app.product.exposures.forUnit({ userId: users.get(null)!.id });
    expect(layoutFor(outside, app.config.adsServing)).toEqual({
      firstSlot: app.config.adsServing.firstSlot,
      spacing: app.config.adsServing.spacing,
    });
    expect(reserveFor(outside, app.config.adsServing, 'SEARCH')).toBe(
      app.config.adsServing.reserveEcpmMicro.SEARCH,
    );
    const dear = await app.product.exposures.forUnit({ userId: users.get('dear')!.id });
    expect(reserveFor(dear, app.config.adsServing, 'SEARCH')).toBe(1_000_000_000_000);
    expect(reserveFor(dear, app.config.adsServing, 'BROWSE')).toBe(
      app.config.adsServing.reserveEcpmMicro.BROWSE,
    );
  });

  it('assigns and exposes signed-out traffic by the device an app-only token names (X-Device-Id); none without it', async () => {
    const developer = await makeUser(app);
    const bearer = await appOnlyBearer(app, developer.id, ['boards:read', 'pins:read'], 'Signed-out');
    expect((await app.product.authenticate(bearer.slice(7)))!.appOnly).toBe(true);

    // A device in the experiment's `late` variant (first ad at 6), found by its assignment alone.
    let device = '';
    for (let i = 0; i < 400 && !device; i++) {
      const p = await app.product.exposures.forUnit({ deviceId: `tablet-${i}` });
      if (p.assignments.find((a) => a.experiment === ADS)?.variant === 'late') device = `tablet-${i}`;
    }
    expect(device).not.toBe('');
    const search = (headers: Record<string, string>) =>
      app.http.inject({
        method: 'GET',
        url: `/v5/search/partner/pins?term=${term}&country_code=US&limit=12`,
        headers: { authorization: bearer, ...headers },
      });
    const before = await exposureRows(app);
    const withDevice = await eventually(async () => {
      const res = await search({ 'x-device-id': device });
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json().items as { is_promoted?: boolean }[];
      return items.length >= 12 ? items : undefined;
    });
    // The device's variant decided the layout; the promoted pin's token is the app's (its events name the device).
    expect(withDevice.findIndex((i) => i.is_promoted)).toBe(6);
    const without = await search({});
    expect(without.statusCode, without.body).toBe(200);
    expect((without.json().items as { is_promoted?: boolean }[]).some((i) => i.is_promoted)).toBe(false);
    // Related pins take the header too: without it, no one is exposed; with it, the device (once a day).
    const pinId = (without.json().items as { id: string }[])[0]!.id;
    for (const headers of [{}, { 'x-device-id': device }]) {
      const related = await app.http.inject({
        method: 'GET',
        url: `/v5/pins/${pinId}/related`,
        headers: { authorization: bearer, ...headers },
      });
      expect(related.statusCode, related.body).toBe(200);
    }

    await app.product.exposures.flush();
    const added = (await exposureRows(app)).filter(
      (r) => !before.some((b) => b.id === r.id && b.day === r.day),
    );
    const salt = (await app.product.experiments.getExperiment(ADS)).salt;
    expect(added.map((r) => [r.id, r.user_id, r.device_id, r.variant])).toEqual([
      [`d${device}:x:${salt}`, null, device, 'late'],
    ]);

    // A malformed device id is a 400 {code, message}, on both routes.
    for (const url of [`/v5/search/partner/pins?term=${term}&country_code=US`, `/v5/pins/${pinId}/related`]) {
      const bad = await app.http.inject({
        method: 'GET',
        url,
        headers: { authorization: bearer, 'x-device-id': 'has space' },
      });
      expect(bad.statusCode, url).toBe(400);
      expect(bad.json()).toEqual({ code: 1, message: expect.stringMatching(/X-Device-Id/) });
    }
  });
});
