import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { emit } from '../../../src/modules/topics.js';
import { chargeRows } from '../../helpers/ad-charges.js';
import { startTestApp, eventually as within } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { get, word } from '../discovery-search/helpers.js';
import { newEventId, postEvents } from '../events/helpers.js';
import { follow } from '../feed/helpers.js';
import { conversion, sendConversions, waitAttribution } from './attribution-helpers.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from './helpers.js';
import { fetchReportFile, parseCsv } from './report-helpers.js';

/**
 * Ads that run, end to end through the API: an advertiser sets up a campaign, a person searches, the
 * page carries the promoted pin with its own token, the person's events bill it once, and the ledger,
 * the charges, the spend store and ads analytics agree to the micro.
 */

/** Polls with room for a loaded machine (two test files at a time on two cores, child processes besides). */
const eventually = <T>(check: () => Promise<T>, timeoutMs = 30_000) => within(check, timeoutMs);

interface Item {
  id: string;
  impression_token: string;
  is_promoted?: boolean;
  ad_id?: string;
  advertiser_name?: string;
}

let app: App;
let advertiser: TestUser;
let viewer: TestUser;
let term: string;
let account: string;
let campaign: string;
let adPin: string;
let creator: TestUser;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  app = await startTestApp({ env: { ADS_REFRESH_SECONDS: '1', ADS_AUCTION_LOG_PERMILLE: '1000' } });
  advertiser = await makeUser(app);
  viewer = await makeUser(app);
  creator = await makeUser(app);
  term = word('ad');
  const board = await makeBoard(app, creator, { privacy: 'PUBLIC' });
  const organic: string[] = [];
  for (let i = 0; i < 12; i++)
    organic.push(await makePin(app, creator, board.id, { title: `${term} idea ${i}` }));
  const adBoard = await makeBoard(app, advertiser, { privacy: 'PUBLIC', name: 'Shop' });
  adPin = await makePin(app, advertiser, adBoard.id, { title: 'Our best lamp' });
  account = await makeAdAccount(app, advertiser, { name: 'Lamp Co' });
  [{ id: campaign }] = (await makeCampaigns(app, advertiser, account, [
    { name: 'Lamps', objective_type: 'CONSIDERATION', status: 'ACTIVE' },
  ])) as [{ id: string }];
  await eventually(async () => (await searchPage()).items.length >= 12, 20_000);
});

async function searchPage(user: TestUser = viewer): Promise<{ items: Item[] }> {
  const res = await get(app, user, '/v5/search/partner/pins', { term, country_code: 'US', limit: 12 });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** An ad group (search placement, keyword `term`) with one ad for the advertiser's pin. */
async function adGroupWithAd(extra: object, keyword = true): Promise<{ group: string; ad: string }> {
  const [group] = await makeAdGroups(app, advertiser, account, [
    {
      name: `G ${word()}`,
      campaign_id: campaign,
      status: 'ACTIVE',
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
      bid_in_micro_currency: 2_000_000,
      bid_strategy_type: 'MAX_BID',
      pacing_delivery_type: 'ACCELERATED',
      placement_group: 'SEARCH',
      ...extra,
    },
  ]);
  if (keyword) {
    const kw = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/keywords`, {
      parent_id: group!.id,
      keywords: [{ value: term, match_type: 'BROAD' }],
    });
    expect(kw.json().errors).toEqual([]);
  }
  const res = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/ads`, [
    { ad_group_id: group!.id, pin_id: adPin, creative_type: 'REGULAR', status: 'ACTIVE' },
  ]);
  expect(res.statusCode, res.body).toBe(200);
  return { group: group!.id, ad: res.json().items[0].data.id };
}

async function setGroup(group: string, patch: object) {
  const res = await call(app, advertiser, 'PATCH', `/v5/ad_accounts/${account}/ad_groups`, [
    { id: group, ...patch },
  ]);
  expect(res.json().items[0].exceptions, res.body).toEqual([]);
}

/** Forgets every spend total and reservation, as a restart of the in-process store or a Redis flush would. */
async function loseSpendStore(): Promise<void> {
  if (app.deps.redis) {
    const keys = await app.deps.redis.keys(`${app.config.redisPrefix}sp:*`);
    if (keys.length > 0) await app.deps.redis.del(...keys);
  } else await app.deps.spend.close();
}

const promoted = (page: { items: Item[] }) => page.items.filter((i) => i.is_promoted);

async function ledger(group: string) {
  const row = await app.deps.db
    .selectFrom('ad_spend_daily')
    .selectAll()
    .where('ad_group_id', '=', group)
    .where('day', '=', today)
    .executeTakeFirst();
  return {
    spend: Number(row?.spend_micro ?? 0),
    events: Number(row?.billed_events ?? 0),
    overdelivered: Number(row?.overdelivered_micro ?? 0),
  };
}

async function charges(ad: string) {
  return chargeRows(app.deps.db, ad);
}

async function report(event: Item, kind: string, position: number) {
  return postEvents(app, viewer, {
    events: [
      {
        event_id: newEventId(),
        kind,
        time: new Date().toISOString(),
        impression_token: event.impression_token,
        pin_id: event.id,
        surface: 'SEARCH',
        position,
        app_type: 'WEB',
      },
    ],
  });
}

describe(`ads served, billed and reported (${testMode()})`, () => {
  // Every ad here is the same advertiser's (one ad per advertiser wins a page): each test starts with none
  // running, whatever the one before left.
  afterEach(async () => {
    await sql`update ad_groups set status = 'PAUSED', updated_at = now() where ad_account_id = ${account}`.execute(
      app.deps.db,
    );
    await app.product.promotions.refreshNow();
  });

  it('lays a promoted pin into search at the first slot, labelled, with a token that carries its auction', async () => {
    const { group, ad } = await adGroupWithAd({});
    const page = await eventually(async () => {
      const p = await searchPage();
      return promoted(p).length > 0 ? p : undefined;
    });
    const ads = promoted(page);
    expect(ads).toHaveLength(1);
    expect(ads[0]).toMatchObject({ id: adPin, ad_id: ad, advertiser_name: 'Lamp Co', is_promoted: true });
    // Fourth of the page (ADS_FIRST_SLOT 3), and the organic pins keep their own tokens around it. The
    // page holds 12 items, its size: the ad took the place of the last organic pin.
    expect(page.items.findIndex((i) => i.is_promoted)).toBe(3);
    expect(page.items).toHaveLength(12);
    const claims = app.product.impressionTokens.verify(ads[0]!.impression_token);
    expect(claims.ok).toBe(true);
    const claim = claims.ok ? claims.claims.ad! : undefined;
    expect(claim).toMatchObject({ adId: ad, billableEvent: 'CLICKTHROUGH' });
    // A lone bidder pays the reserve, never under the floor, never over its bid.
    expect(claim!.chargeMicro).toBeGreaterThanOrEqual(100_000);
    expect(claim!.chargeMicro).toBeLessThanOrEqual(2_000_000);
    // The auction was logged (every auction, in this test) on the event stream and stored.
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ad_auctions where winners @> ${JSON.stringify([{ adId: ad }])}::jsonb`.execute(
        app.deps.db,
      );
      return rows[0]!.n > 0;
    });
    await setGroup(group, { status: 'PAUSED' });
  });

  // (Related pins page the same way: related.test.ts displaces a page's last pin and checks the next page.)
  it('never makes a page longer than its size: an ad takes a place, and the pin it displaces opens the next page', async () => {
    const reader = await makeUser(app);
    await follow(app, reader, creator);
    const { group, ad } = await adGroupWithAd({ placement_group: 'ALL' });
    const size = 5;
    /** Every page of a surface from its first, as `reader`: the pages' lengths, items and ads. */
    const walk = async (path: string, query: Record<string, string | number>) => {
      const pages: Item[][] = [];
      let bookmark: string | null = null;
      do {
        const res = await get(app, reader, path, { ...query, ...(bookmark ? { bookmark } : {}) });
        expect(res.statusCode, res.body).toBe(200);
        pages.push(res.json().items);
        bookmark = res.json().bookmark;
      } while (bookmark && pages.length < 40);
      const organic = pages.flat().filter((i) => !i.is_promoted);
      return { pages, organic: organic.map((i) => i.id), ads: pages.flat().length - organic.length };
    };
    const surfaces = [
      ['/v5/search/partner/pins', { term, country_code: 'US', limit: size }],
      ['/v5/feeds/home', { page_size: size }],
    ] as const;
    await eventually(async () => (await walk(...surfaces[1])).ads > 0 || undefined);
    const withAds = [];
    for (const [path, query] of surfaces) withAds.push(await walk(path, query));
    await setGroup(group, { status: 'PAUSED' });
    await app.product.promotions.refreshNow();
    for (const [i, [path, query]] of surfaces.entries()) {
      // The same pages without the ad (a home feed's first page is the one just served: it is kept 30 s).
      const organic = await walk(path, query);
      const served = withAds[i]!;
      expect(organic.ads, path).toBe(0);
      expect(organic.organic.length, path).toBeGreaterThanOrEqual(2 * size);
      expect(served.ads, path).toBeGreaterThan(0);
      expect(served.pages.flat().filter((it) => it.ad_id === ad).length, path).toBe(served.ads);
      for (const page of served.pages) expect(page.length, path).toBeLessThanOrEqual(size);
      // Nothing organic lost or shown twice: the ads displaced pins to the next pages, in order.
      expect(served.organic, path).toEqual(organic.organic);
      expect(served.pages.length, path).toBeGreaterThan(organic.pages.length - 1);
    }
  });

  it('a home-feed page asked again keeps its auction: the same ads in the same places, each serve held and billed', async () => {
    const reader = await makeUser(app);
    await follow(app, reader, creator);
    const { group, ad } = await adGroupWithAd({ placement_group: 'ALL' });
    // A page of the feed (from its bookmark) that carries the ad: the reader's popular pins may hold
    // the ad's own pin, which no page shows twice, so not every page can.
    const pageAt = async (bookmark: string | null) => {
      const res = await get(app, reader, '/v5/feeds/home', {
        page_size: 5,
        ...(bookmark ? { bookmark } : {}),
      });
      expect(res.statusCode, res.body).toBe(200);
      asked.push(String(res.headers['x-request-id']));
      return res.json() as { items: Item[]; bookmark: string | null };
    };
    const asked: string[] = [];
    const { at, served } = await eventually(async () => {
      let bookmark: string | null = null;
      for (let n = 0; n < 40; n++) {
        const page = await pageAt(bookmark);
        if (page.items.some((i) => i.ad_id === ad)) return { at: bookmark, served: page.items };
        bookmark = page.bookmark;
        if (!bookmark) return undefined;
      }
      return undefined;
    });
    const first = async () => (await pageAt(at)).items;
    asked.length = 0;
    const again = [await first(), await first()];
    const againIds = [...asked];
    for (const page of again) {
      // The reused first page, with its ad where it was...
      expect(page.map((i) => [i.id, i.ad_id ?? null])).toEqual(served.map((i) => [i.id, i.ad_id ?? null]));
      // ...served anew: a token of its own, carrying a hold of its own at the auction's price.
      const was = app.product.impressionTokens.verify(served.find((i) => i.ad_id === ad)!.impression_token);
      const now = app.product.impressionTokens.verify(page.find((i) => i.ad_id === ad)!.impression_token);
      expect(was.ok && now.ok).toBe(true);
      if (!was.ok || !now.ok) return;
      expect(now.claims.tokenId).not.toBe(was.claims.tokenId);
      expect(now.claims.ad!.chargeMicro).toBe(was.claims.ad!.chargeMicro);
    }
    // A click on each serve bills each: three charges at the one price.
    const pages = [served, ...again];
    for (const page of pages) {
      const item = page.find((i) => i.ad_id === ad)!;
      const res = await postEvents(app, reader, {
        events: [
          {
            event_id: newEventId(),
            kind: 'PIN_CLICK',
            time: new Date().toISOString(),
            impression_token: item.impression_token,
            pin_id: item.id,
            surface: 'HOME_FEED',
            position: page.indexOf(item),
            app_type: 'WEB',
          },
        ],
      });
      expect(res.json().accepted, res.body).toBe(1);
    }
    const rows = await eventually(async () => {
      const r = await charges(ad);
      return r.length === 3 && r.every((c) => c.state === 'charged') ? r : undefined;
    });
    const price = Number(rows[0]!.charged_micro);
    expect(rows.map((r) => Number(r.charged_micro))).toEqual([price, price, price]);
    expect(await ledger(group)).toEqual({ spend: 3 * price, events: 3, overdelivered: 0 });
    // Asked again, the page ran no auction: none is in the auction log (every auction is logged here),
    // while a search's, run after them, is.
    const search = await get(app, reader, '/v5/search/partner/pins', { term, country_code: 'US', limit: 12 });
    const searchId = String(search.headers['x-request-id']);
    const logged = async (ids: string[]) =>
      (
        await app.deps.db
          .selectFrom('ad_auctions')
          .select('request_id')
          .where('request_id', 'in', ids)
          .execute()
      ).map((r) => r.request_id);
    await eventually(async () => (await logged([searchId])).length === 1 || undefined);
    expect(await logged(againIds)).toEqual([]);
    // A change to what the auction read (the ad group paused) is a new auction for the same page, at once.
    await setGroup(group, { status: 'PAUSED' });
    await app.product.promotions.refreshNow();
    expect((await first()).filter((i) => i.is_promoted)).toEqual([]);
  });

  it('bills a click once per token at the auction price; replays and forgeries bill nothing; everything agrees', async () => {
    const { group, ad } = await adGroupWithAd({});
    const page = await eventually(async () => {
      const p = await searchPage();
      return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
    });
    const item = promoted(page).find((i) => i.ad_id === ad)!;
    const position = page.items.indexOf(item);
    const claims = app.product.impressionTokens.verify(item.impression_token);
    const charge = claims.ok ? claims.claims.ad!.chargeMicro : -1;

    // An impression of a per-click ad bills nothing; its close-up bills; the outbound click after it does not.
    expect((await report(item, 'IMPRESSION', position)).json().accepted).toBe(1);
    expect((await report(item, 'PIN_CLICK', position)).json().accepted).toBe(1);
    expect((await report(item, 'OUTBOUND_CLICK', position)).json().accepted).toBe(1);
    // The same token again for a click with another event id: a replay, refused.
    const replay = await report(item, 'PIN_CLICK', position);
    expect(replay.json().rejected[0].code).toBe('token_replayed');
    // A forged token (a changed charge) is refused as forged.
    const buf = Buffer.from(item.impression_token, 'base64url');
    buf[buf.length - 20] = buf[buf.length - 20]! ^ 1;
    const forged = await report(
      { ...item, impression_token: buf.toString('base64url') },
      'PIN_CLICK',
      position,
    );
    expect(forged.json().rejected[0].code).toBe('token_forged');

    await eventually(async () => (await charges(ad)).every((c) => c.state !== 'pending') || undefined);
    const rows = await charges(ad);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'charged', kind: 'PIN_CLICK' });
    expect(Number(rows[0]!.charged_micro)).toBe(charge);
    expect(await ledger(group)).toEqual({ spend: charge, events: 1, overdelivered: 0 });
    // The spend store settled the same amount on the ad group's daily key, and holds nothing for it now.
    const totals = await app.deps.spend.spent(`ag:${group}:d:${today}`);
    expect(totals.settled).toBe(charge);
    // Ads analytics show the same spend, to the micro.
    const q = `start_date=${today}&end_date=${today}&granularity=TOTAL&columns=SPEND_IN_MICRO_DOLLAR,CLICKTHROUGH_1,IMPRESSION_1&ad_group_ids=${group}`;
    const analytics = await eventually(async () => {
      const res = await call(app, advertiser, 'GET', `/v5/ad_accounts/${account}/ad_groups/analytics?${q}`);
      const body = res.json();
      // The three events went in three batches, rolled up in any order: wait for all of them.
      return body[0]?.IMPRESSION_1 === 1 && body[0]?.CLICKTHROUGH_1 === 2 ? body : undefined;
    });
    expect(analytics).toEqual([
      { AD_GROUP_ID: group, SPEND_IN_MICRO_DOLLAR: charge, CLICKTHROUGH_1: 2, IMPRESSION_1: 1 },
    ]);

    // The viewer buys: the conversion goes to the click, and the report file says what analytics and the
    // ledger say, to the micro.
    // (A conversion's time is in whole seconds: it comes a second after the click.)
    await new Promise((r) => setTimeout(r, 1_100));
    await sendConversions(app, advertiser, account, [conversion(`buy-${ad}`, viewer, new Date())]);
    await waitAttribution(app);
    const columns =
      'SPEND_IN_MICRO_DOLLAR,CLICKTHROUGH_1,IMPRESSION_1,TOTAL_CONVERSIONS,TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR';
    const sync = await call(
      app,
      advertiser,
      'GET',
      `/v5/ad_accounts/${account}/ad_groups/analytics?start_date=${today}&end_date=${today}&granularity=TOTAL&columns=${columns}&ad_group_ids=${group}`,
    );
    expect(sync.json()).toEqual([
      {
        AD_GROUP_ID: group,
        SPEND_IN_MICRO_DOLLAR: charge,
        CLICKTHROUGH_1: 2,
        IMPRESSION_1: 1,
        TOTAL_CONVERSIONS: 1,
        TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 12_500_000,
      },
    ]);
    const file = await fetchReportFile(app, advertiser, account, {
      start_date: today,
      end_date: today,
      granularity: 'TOTAL',
      level: 'AD_GROUP',
      columns: columns.split(','),
      ad_group_ids: [group],
      report_format: 'CSV',
    });
    expect(parseCsv(file.text)).toEqual(sync.json());
    await setGroup(group, { status: 'PAUSED' });
  });

  it('a batch announced again bills nothing more: its charges are recorded once, the ledger and the store unchanged', async () => {
    const { group, ad } = await adGroupWithAd({});
    const page = await eventually(async () => {
      const p = await searchPage();
      return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
    });
    const item = promoted(page).find((i) => i.ad_id === ad)!;
    expect((await report(item, 'PIN_CLICK', page.items.indexOf(item))).json().accepted).toBe(1);
    await eventually(async () => ((await charges(ad))[0]?.state === 'charged' ? true : undefined));
    const before = {
      ledger: await ledger(group),
      settled: (await app.deps.spend.spent(`ag:${group}:d:${today}`)).settled,
    };
    expect(before.ledger.events).toBe(1);

    const { batch_id } = await app.deps.db
      .selectFrom('ad_charges')
      .select('batch_id')
      .where('ad_id', '=', ad)
      .executeTakeFirstOrThrow();
    const again = await app.deps.db
      .transaction()
      .execute((trx) => emit(trx, 'events.batch', { batchId: batch_id, days: [today] }));
    app.deps.eventsCommitted();
    await eventually(() =>
      app.deps.db
        .selectFrom('job_done')
        .select('event_id')
        .where('event_id', '=', again)
        .where('consumer', '=', 'ads.billing')
        .executeTakeFirst(),
    );
    expect(await ledger(group)).toEqual(before.ledger);
    expect((await app.deps.spend.spent(`ag:${group}:d:${today}`)).settled).toBe(before.settled);
    expect((await charges(ad)).map((c) => [c.state, Number(c.charged_micro)])).toEqual([
      ['charged', before.ledger.spend],
    ]);
    await setGroup(group, { status: 'PAUSED' });
  });

  it('a click on an ad that is gone with its account bills nothing and gives its hold back to the budget', async () => {
    const { group, ad } = await adGroupWithAd({});
    const page = await eventually(async () => {
      const p = await searchPage();
      return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
    });
    const item = promoted(page).find((i) => i.ad_id === ad)!;
    const claims = app.product.impressionTokens.verify(item.impression_token);
    const hold = claims.ok ? claims.claims.ad!.holdMicro : -1;
    expect(hold).toBeGreaterThan(0);
    const key = `ag:${group}:d:${today}`;
    const reserved = (await app.deps.spend.spent(key)).reserved;
    expect(reserved).toBeGreaterThanOrEqual(hold);
    // The ad's account is deleted (the ads row goes with it) between the page and the click.
    await app.deps.db.deleteFrom('ads').where('id', '=', ad).execute();
    expect((await report(item, 'PIN_CLICK', page.items.indexOf(item))).json().accepted).toBe(1);
    await eventually(async () => ((await charges(ad))[0]?.state === 'unknown' ? true : undefined));
    expect((await charges(ad)).map((c) => Number(c.charged_micro) + Number(c.overdelivered_micro))).toEqual([
      0,
    ]);
    expect(await ledger(group)).toEqual({ spend: 0, events: 0, overdelivered: 0 });
    expect(await app.deps.spend.spent(key)).toMatchObject({ settled: 0, reserved: reserved - hold });
  });

  it('never bills over a budget: clicks past it are free, and a budget that cannot pay a click stops serving', async () => {
    // A one-unit daily budget pays ten clicks at the 0.10 floor. Each impression holds twice its expected
    // cost (0.10 × pCTR × 2) and is served only while the budget has room for its click.
    const price = 100_000;
    const { group, ad } = await adGroupWithAd({
      budget_in_micro_currency: 1_000_000,
      bid_in_micro_currency: price,
    });
    await eventually(async () => promoted(await searchPage()).some((i) => i.ad_id === ad));
    const served: { item: Item; position: number }[] = [];
    for (let i = 0; i < 25; i++) {
      const page = await searchPage();
      const item = promoted(page).find((p) => p.ad_id === ad);
      if (item) served.push({ item, position: page.items.indexOf(item) });
    }
    // Small holds: every page has room for the ad (25 clicks would be 2.5 units).
    expect(served).toHaveLength(25);
    for (const s of served) expect((await report(s.item, 'PIN_CLICK', s.position)).json().accepted).toBe(1);
    await eventually(async () => (await charges(ad)).length === served.length || undefined);
    await eventually(async () => (await charges(ad)).every((c) => c.state !== 'pending') || undefined);
    // Clicks are charged while the budget has room, each in full; the rest are served free.
    const l = await ledger(group);
    expect(l.spend).toBeLessThanOrEqual(1_000_000);
    expect(l.spend).toBeGreaterThanOrEqual(800_000);
    expect(l.spend % price).toBe(0);
    expect(l.events).toBe(l.spend / price);
    expect(l.overdelivered).toBe((25 - l.events) * price);
    const states = (await charges(ad)).map((c) => c.state);
    expect(states.filter((x) => x === 'charged')).toHaveLength(l.events);
    expect(states.filter((x) => x === 'overdelivered')).toHaveLength(25 - l.events);
    const totals = await app.deps.spend.spent(`ag:${group}:d:${today}`);
    expect(totals.settled).toBe(l.spend);
    // Serving goes on only while the budget could pay one more click, once the node's budget blocks of
    // before have closed (within a block's window, ADS_BUDGET_BLOCK_MS, a node hands out what its block
    // holds without asking the store).
    await new Promise((r) => setTimeout(r, app.config.adsServing.budgetBlockMs + 100));
    let more = 0;
    for (let i = 0; i < 10; i++) if (promoted(await searchPage()).some((p) => p.ad_id === ad)) more++;
    expect(more).toBeLessThanOrEqual((1_000_000 - l.spend) / price);
    await setGroup(group, { status: 'PAUSED' });
  });

  it('a spend store that lost its totals gets them back from the ledger, and bills lost reservations late', async () => {
    const { group, ad } = await adGroupWithAd({
      budget_in_micro_currency: 1_000_000,
      bid_in_micro_currency: 100_000,
    });
    const key = `ag:${group}:d:${today}`;
    const serveOne = async () => {
      const page = await eventually(async () => {
        const p = await searchPage();
        return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
      });
      const item = promoted(page).find((i) => i.ad_id === ad)!;
      return { item, position: page.items.indexOf(item) };
    };
    const click = async (s: { item: Item; position: number }) => {
      expect((await report(s.item, 'PIN_CLICK', s.position)).json().accepted).toBe(1);
    };
    const billed = async (n: number) =>
      eventually(async () => ((await ledger(group)).events === n ? ledger(group) : undefined));
    for (let i = 0; i < 3; i++) await click(await serveOne());
    const before = await billed(3);
    expect(before.spend).toBe(300_000);

    // The store loses everything (the in-process store restarted; Redis flushed).
    await loseSpendStore();
    expect((await app.deps.spend.spent(key)).settled).toBe(0);
    await app.product.promotions.refreshNow();
    expect((await app.deps.spend.spent(key)).settled).toBe(300_000);

    // A reservation lost before its click: the click is billed late, within the budget.
    const served = await serveOne();
    await loseSpendStore();
    await click(served);
    expect(await billed(4)).toMatchObject({ spend: 400_000, overdelivered: 0 });
    expect((await charges(ad)).filter((c) => c.state === 'charged')).toHaveLength(4);
    await app.product.promotions.refreshNow();
    expect((await app.deps.spend.spent(key)).settled).toBe(400_000);
    await setGroup(group, { status: 'PAUSED' });
  });

  it('pausing, a secret board and the quality guard keep an ad out of pages', async () => {
    const { group, ad } = await adGroupWithAd({});
    await eventually(async () => promoted(await searchPage()).some((i) => i.ad_id === ad));
    await setGroup(group, { status: 'PAUSED' });
    // Every node reloads within its refresh interval (1 s here).
    await eventually(async () => !promoted(await searchPage()).some((i) => i.ad_id === ad));
    await setGroup(group, { status: 'ACTIVE' });
    await eventually(async () => promoted(await searchPage()).some((i) => i.ad_id === ad));
    // The pin's board turns secret: the page leaves the ad out at once (the catalog hears of it later).
    const pin = await app.deps.db
      .selectFrom('pins')
      .select('board_id')
      .where('id', '=', adPin)
      .executeTakeFirstOrThrow();
    const made = await call(app, advertiser, 'PATCH', `/v5/boards/${pin.board_id}`, { privacy: 'SECRET' });
    expect(made.statusCode, made.body).toBe(200);
    for (let i = 0; i < 5; i++) expect(promoted(await searchPage())).toEqual([]);
    await call(app, advertiser, 'PATCH', `/v5/boards/${pin.board_id}`, { privacy: 'PUBLIC' });
    await setGroup(group, { status: 'PAUSED' });

    // Without a keyword, a lamp pin is not relevant to a search for something else: the auction refuses it.
    const unrelated = await adGroupWithAd({}, false);
    await eventually(async () => {
      expect(promoted(await searchPage()).filter((p) => p.ad_id === unrelated.ad)).toEqual([]);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ad_auctions
         where candidates @> ${JSON.stringify([{ adId: unrelated.ad, refused: 'relevance' }])}::jsonb`.execute(
        app.deps.db,
      );
      return rows[0]!.n > 0;
    });
    await setGroup(unrelated.group, { status: 'PAUSED' });
  });

  it('a frequency cap stops an ad for a viewer who saw it enough, within seconds, and only for them', async () => {
    const [reach] = await makeCampaigns(app, advertiser, account, [
      { name: 'Capped', objective_type: 'AWARENESS', status: 'ACTIVE' },
    ]);
    const { group, ad } = await adGroupWithAd({
      campaign_id: reach!.id,
      billable_event: 'IMPRESSION',
      bid_in_micro_currency: 5_000_000,
      lifetime_frequency_cap: 2,
      end_time: Math.floor(Date.now() / 1000) + 7 * 86_400,
    });
    for (let seen = 0; seen < 2; seen++) {
      const page = await eventually(async () => {
        const p = await searchPage();
        return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
      });
      const item = promoted(page).find((i) => i.ad_id === ad)!;
      expect((await report(item, 'IMPRESSION', page.items.indexOf(item))).json().accepted).toBe(1);
    }
    // Counted from the event stream; every node reads a viewer's counts again within 5 s.
    await eventually(async () => {
      const row = await app.deps.db
        .selectFrom('ad_viewer_impressions')
        .select('impressions')
        .where('user_id', '=', viewer.id)
        .where('ad_group_id', '=', group)
        .executeTakeFirst();
      return Number(row?.impressions ?? 0) === 2;
    });
    await eventually(async () => !promoted(await searchPage()).some((i) => i.ad_id === ad));
    for (let i = 0; i < 3; i++) expect(promoted(await searchPage()).some((p) => p.ad_id === ad)).toBe(false);
    // Someone else still sees it.
    const other = await makeUser(app);
    await eventually(async () => promoted(await searchPage(other)).some((i) => i.ad_id === ad));
    await setGroup(group, { status: 'PAUSED' });
  });

  it('a per-impression ad is billed once per impression, a thousandth of its price per thousand', async () => {
    const [awareness] = await makeCampaigns(app, advertiser, account, [
      { name: 'Reach', objective_type: 'AWARENESS', status: 'ACTIVE' },
    ]);
    const { group, ad } = await adGroupWithAd({
      campaign_id: awareness!.id,
      billable_event: 'IMPRESSION',
      bid_in_micro_currency: 5_000_000,
    });
    const page = await eventually(async () => {
      const p = await searchPage();
      return promoted(p).find((i) => i.ad_id === ad) ? p : undefined;
    });
    const item = promoted(page).find((i) => i.ad_id === ad)!;
    const claims = app.product.impressionTokens.verify(item.impression_token);
    const claim = claims.ok ? claims.claims.ad! : undefined;
    expect(claim?.billableEvent).toBe('IMPRESSION');
    // The reserve (1 unit CPM on search) or the floor (2 units CPM), whichever is higher: 2,000 micro.
    expect(claim?.chargeMicro).toBe(2_000);
    expect((await report(item, 'PIN_CLICK', page.items.indexOf(item))).json().accepted).toBe(1);
    expect((await report(item, 'IMPRESSION', page.items.indexOf(item))).json().accepted).toBe(1);
    await eventually(async () => (await ledger(group)).events === 1 || undefined);
    expect(await ledger(group)).toEqual({ spend: 2_000, events: 1, overdelivered: 0 });
    await setGroup(group, { status: 'PAUSED' });
  });
});
