import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, savePin, type TestUser } from '../../helpers/factories.js';
import { event, postEvents, tokenFor } from '../events/helpers.js';
import { countOf, emailHash, makeCustomerList, makePeople, membersOf, sortIds } from './audience-helpers.js';
import { call, makeAdAccount } from './helpers.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let account: string;
let otherAccount: string;
let saver: TestUser;
let clicker: TestUser;
let lateSaver: TestUser;
let elsewhere: TestUser;
let publicPin: string;

const LIST = '/ad_accounts/{ad_account_id}/audiences';
const ONE = '/ad_accounts/{ad_account_id}/audiences/{audience_id}';
const base = () => `/v5/ad_accounts/${account}/audiences`;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, stranger, saver, clicker, lateSaver, elsewhere] = await Promise.all([
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
  ]);
  account = await makeAdAccount(app, owner);
  otherAccount = await makeAdAccount(app, stranger);
  const grant = await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${analyst.username}`, {
    role: 'ANALYST',
  });
  expect(grant.statusCode, grant.body).toBe(200);

  // The advertiser's pins: one on a public board, one on a board made secret after someone saved it.
  const shop = await makeBoard(app, owner, { name: 'Shop' });
  const hidden = await makeBoard(app, owner, { name: 'Later secret' });
  publicPin = await makePin(app, owner, shop.id, { title: 'Lamp' });
  const laterSecret = await makePin(app, owner, hidden.id, { title: 'Rug' });
  const somebodyElse = await makePin(app, elsewhere, (await makeBoard(app, elsewhere)).id);
  await savePin(app, saver, publicPin, (await makeBoard(app, saver)).id);
  await savePin(app, lateSaver, laterSecret, (await makeBoard(app, lateSaver)).id);
  await savePin(app, elsewhere, somebodyElse, (await makeBoard(app, elsewhere)).id);
  const made = await call(app, owner, 'PATCH', `/v5/boards/${hidden.id}`, { privacy: 'SECRET' });
  expect(made.statusCode, made.body).toBe(200);
  // A close-up of the public pin, sent by the client as a feed would.
  const closeup = await postEvents(app, clicker, {
    events: [
      event(tokenFor(app, clicker, publicPin), publicPin, {
        kind: 'PIN_CLICK',
        surface: undefined,
        position: undefined,
      }),
    ],
  });
  expect(closeup.statusCode, closeup.body).toBe(200);

  // Conversion events: the saver checked out, the clicker signed up (both on the web).
  const conversions = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/events`, {
    data: [
      { who: saver, name: 'checkout', id: 'c-1' },
      { who: clicker, name: 'signup', id: 'c-2' },
    ].map(({ who, name, id }) => ({
      event_name: name,
      action_source: 'web',
      event_time: now() - 60,
      event_id: id,
      user_data: { em: [emailHash(who.username)] },
    })),
  });
  expect(conversions.statusCode, conversions.body).toBe(200);
});

async function create(body: object, user = owner) {
  const res = await call(app, user, 'POST', base(), body);
  expectResponseMatchesSpec('POST', LIST, res.statusCode, res.json());
  return res;
}

const customerList = (usernames: string[], accountId = account, user = owner) =>
  makeCustomerList(app, user, accountId, usernames);

const audienceCount = () => countOf(app, 'ad_audiences');

describe('CUSTOMER_LIST audiences', () => {
  it('hold the people the list matched, and follow the list when it changes', async () => {
    const list = await customerList([saver.username, clicker.username]);
    const res = await create({
      name: 'Buyers',
      audience_type: 'CUSTOMER_LIST',
      rule: { customer_list_id: list },
      description: 'From the shop',
    });
    expect(res.statusCode, res.body).toBe(200);
    const audience = res.json();
    expect(audience).toMatchObject({
      ad_account_id: account,
      name: 'Buyers',
      audience_type: 'CUSTOMER_LIST',
      description: 'From the shop',
      rule: { customer_list_id: list },
      type: 'audience',
    });
    expect(await membersOf(app, audience.id)).toEqual(sortIds([saver.id, clicker.id]));

    const patched = await call(app, owner, 'PATCH', `/v5/ad_accounts/${account}/customer_lists/${list}`, {
      operation_type: 'REMOVE',
      records: emailHash(clicker.username),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await membersOf(app, audience.id)).toEqual([saver.id]);
  });

  it('withhold the size of a small audience and round a large one, so no one person shows', async () => {
    const small = (
      await create({
        name: 'Two',
        audience_type: 'CUSTOMER_LIST',
        rule: { customer_list_id: await customerList([saver.username, clicker.username]) },
      })
    ).json();
    expect(small).toMatchObject({ size: null, status: 'TOO_SMALL' });

    const people = await makePeople(app, 150);
    const names = people.map((p) => p.username);
    const big = (
      await create({
        name: 'Many',
        audience_type: 'CUSTOMER_LIST',
        rule: { customer_list_id: await customerList(names) },
      })
    ).json();
    expect(big).toMatchObject({ size: 100, status: 'READY' });
    expect(await membersOf(app, big.id)).toHaveLength(150);
    // One more person (or one fewer) does not change what the advertiser sees.
    const plusOne = (
      await create({
        name: 'Many and one',
        audience_type: 'CUSTOMER_LIST',
        rule: { customer_list_id: await customerList([...names, saver.username]) },
      })
    ).json();
    expect(plusOne.size).toBe(big.size);
    const got = await call(app, analyst, 'GET', `${base()}/${big.id}`);
    expect(got.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', ONE, 200, got.json());
    expect(got.json()).toEqual(big);
  });
});

describe('VISITOR audiences', () => {
  it("hold the people matched in the account's conversion events, by event name and source", async () => {
    const all = (await create({ name: 'Visitors', audience_type: 'VISITOR', rule: {} })).json();
    expect(all.rule).toEqual({ retention_days: 180, prefill: true });
    expect(await membersOf(app, all.id)).toEqual(sortIds([saver.id, clicker.id]));
    const checkout = (
      await create({
        name: 'Checkout',
        audience_type: 'VISITOR',
        rule: { event: 'checkout', retention_days: '30' },
      })
    ).json();
    expect(await membersOf(app, checkout.id)).toEqual([saver.id]);
    const mobile = (
      await create({ name: 'Apps', audience_type: 'VISITOR', rule: { event_source: { '=': ['mobile'] } } })
    ).json();
    expect(await membersOf(app, mobile.id)).toEqual([]);
    const empty = (
      await create({ name: 'Fresh', audience_type: 'VISITOR', rule: { prefill: false } })
    ).json();
    expect(await membersOf(app, empty.id)).toEqual([]);
  });
});

describe('ENGAGEMENT audiences', () => {
  it("hold who saved or closed up on the advertiser's public pins, never engagement with secret ones", async () => {
    const all = (await create({ name: 'Engaged', audience_type: 'ENGAGEMENT', rule: {} })).json();
    // lateSaver saved a pin whose board is secret now; elsewhere saved someone else's pin.
    expect(await membersOf(app, all.id)).toEqual(sortIds([saver.id, clicker.id]));
    const saves = (
      await create({ name: 'Savers', audience_type: 'ENGAGEMENT', rule: { engagement_type: 'save' } })
    ).json();
    expect(await membersOf(app, saves.id)).toEqual([saver.id]);
    const closeups = (
      await create({
        name: 'Close-ups',
        audience_type: 'ENGAGEMENT',
        rule: { engagement_type: 'closeup', pin_id: [publicPin] },
      })
    ).json();
    expect(await membersOf(app, closeups.id)).toEqual([clicker.id]);
    // The pins link nowhere, so none is of the advertiser's domain.
    const domain = (
      await create({
        name: 'Domain',
        audience_type: 'ENGAGEMENT',
        rule: { engagement_domain: ['https://www.Shop.example/path'] },
      })
    ).json();
    expect(domain.rule.engagement_domain).toEqual(['shop.example']);
    expect(await membersOf(app, domain.id)).toEqual([]);
  });

  it('refuse a pin that is not a public pin of the advertiser', async () => {
    const before = await audienceCount();
    const other = await makePin(app, elsewhere, (await makeBoard(app, elsewhere)).id);
    const res = await create({ name: 'Theirs', audience_type: 'ENGAGEMENT', rule: { pin_id: [other] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(`rule.pin_id: ${other}`);
    expect(await audienceCount()).toBe(before);
  });
});

describe('ACTALIKE audiences', () => {
  it("hold the people outside the seed whose public interests are nearest the seed's", async () => {
    const gardeners = await Promise.all(Array.from({ length: 3 }, () => makeUser(app)));
    const [likeA, likeB, driver, secretGardener] = await Promise.all(
      Array.from({ length: 4 }, () => makeUser(app)),
    );
    for (const g of gardeners)
      await makeBoard(app, g, { name: 'Garden flowers', description: 'plants and seeds' });
    await makeBoard(app, likeA!, { name: 'Herb garden' });
    await makeBoard(app, likeB!, { name: 'Balcony plants' });
    await makeBoard(app, driver!, { name: 'Vintage car' });
    await makeBoard(app, secretGardener!, { name: 'Flower garden plants', privacy: 'SECRET' });
    const seed = (
      await create({
        name: 'Seed',
        audience_type: 'CUSTOMER_LIST',
        rule: { customer_list_id: await customerList(gardeners.map((g) => g.username)) },
      })
    ).json();
    const res = await create({
      name: 'Like gardeners',
      audience_type: 'ACTALIKE',
      rule: { seed_id: [seed.id], country: 'US', percentage: 10 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rule).toEqual({ seed_id: [seed.id], country: 'US', percentage: 10 });
    expect(await membersOf(app, res.json().id)).toEqual(sortIds([likeA!.id, likeB!.id]));

    // Growing the seed's list refreshes the seed, and the ACTALIKE with it.
    const list = seed.rule.customer_list_id as string;
    await call(app, owner, 'PATCH', `/v5/ad_accounts/${account}/customer_lists/${list}`, {
      operation_type: 'ADD',
      records: emailHash(likeA!.username),
    });
    expect(await membersOf(app, res.json().id)).toEqual([likeB!.id]);
  });

  it("refuse a seed that is not the account's, and bad countries and percentages", async () => {
    const before = await audienceCount();
    const made = await call(app, stranger, 'POST', `/v5/ad_accounts/${otherAccount}/audiences`, {
      name: 'Theirs',
      audience_type: 'CUSTOMER_LIST',
      rule: { customer_list_id: await customerList([saver.username], otherAccount, stranger) },
    });
    expect(made.statusCode, made.body).toBe(200);
    const theirs = made.json();
    const cases: [object, string][] = [
      [
        { seed_id: [theirs.id], country: 'US', percentage: 5 },
        `rule.seed_id: ${theirs.id} is not an audience`,
      ],
      [{ seed_id: [theirs.id], country: 'FR', percentage: 5 }, 'rule.country: "FR"'],
      [{ seed_id: [theirs.id], country: 'US', percentage: 11 }, 'rule.percentage'],
      [{ country: 'US', percentage: 1 }, 'rule.seed_id'],
    ];
    for (const [rule, message] of cases) {
      const res = await create({ name: 'X', audience_type: 'ACTALIKE', rule });
      expect(res.statusCode, JSON.stringify(rule)).toBe(400);
      expect(res.json().message).toContain(message);
    }
    expect(await audienceCount()).toBe(before + 1);
  });
});

describe('bad input', () => {
  it('gets 400 {code, message} naming the field, and writes nothing', async () => {
    const before = await audienceCount();
    const foreignList = await customerList([saver.username], otherAccount, stranger);
    const cases: [object, string][] = [
      [{ name: 'X', audience_type: 'CUSTOMER_LIST', rule: {} }, 'rule.customer_list_id'],
      [
        { name: 'X', audience_type: 'CUSTOMER_LIST', rule: { customer_list_id: foreignList } },
        'not a customer list of this account',
      ],
      [
        {
          name: 'X',
          audience_type: 'CUSTOMER_LIST',
          rule: { customer_list_id: foreignList, seed_id: ['1'] },
        },
        'rule.seed_id: does not apply to CUSTOMER_LIST',
      ],
      [{ name: 'X', audience_type: 'VISITOR', rule: { retention_days: 600 } }, 'rule.retention_days'],
      [{ name: 'X', audience_type: 'VISITOR', rule: { url: ['https://shop.example/'] } }, 'rule.url'],
      [{ name: 'X', audience_type: 'VISITOR', rule: { visitor_source_id: '42' } }, 'not a conversion tag'],
      [{ name: 'X', audience_type: 'ENGAGEMENT', rule: { engagement_type: 'like' } }, 'rule.engagement_type'],
      [{ name: 'X', audience_type: 'ENGAGEMENT', rule: { campaign_id: ['42'] } }, 'rule.campaign_id: 42'],
      [{ name: 'X', audience_type: 'PERSONA', rule: {} }, 'PERSONA is not offered'],
      [{ name: '  ', audience_type: 'VISITOR', rule: {} }, 'name'],
      [{ name: 'X', audience_type: 'VISITOR', rule: {}, ad_account_id: otherAccount }, 'ad_account_id'],
      [{ name: 'X', audience_type: 'SOMETHING', rule: {} }, ''],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.stringContaining(message) });
    }
    expect(await audienceCount()).toBe(before);
  });
});

describe('updating', () => {
  it('renames, recomputes from a new rule, and archives for good', async () => {
    const made = (
      await create({ name: 'Checkout', audience_type: 'VISITOR', rule: { event: 'checkout' } })
    ).json();
    const url = `${base()}/${made.id}`;
    const res = await call(app, owner, 'PATCH', url, { name: 'Sign-ups', rule: { event: 'signup' } });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', ONE, 200, res.json());
    expect(res.json()).toMatchObject({ name: 'Sign-ups', rule: { event: 'signup' }, description: null });
    expect(await membersOf(app, made.id)).toEqual([clicker.id]);

    const bad = await call(app, owner, 'PATCH', url, { name: 'Nope', rule: { seed_id: ['1'] } });
    expect(bad.statusCode).toBe(400);
    expect((await call(app, owner, 'GET', url)).json().name).toBe('Sign-ups');
    expect(await membersOf(app, made.id)).toEqual([clicker.id]);

    const removed = await call(app, owner, 'PATCH', url, { operation_type: 'REMOVE' });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ status: 'ARCHIVED', size: null });
    expect(await membersOf(app, made.id)).toEqual([]);
    const again = await call(app, owner, 'PATCH', url, { name: 'Back' });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toContain('archived');
  });
});

describe('access and lists', () => {
  it('answers a stranger 404 and an analyst 403 on writes; lists pages and RECEIVED as empty', async () => {
    const made = (await create({ name: 'Mine', audience_type: 'VISITOR', rule: {} })).json();
    const before = await audienceCount();
    for (const [method, url, body] of [
      ['GET', base(), undefined],
      ['GET', `${base()}/${made.id}`, undefined],
      ['POST', base(), { name: 'X', audience_type: 'VISITOR', rule: {} }],
      ['PATCH', `${base()}/${made.id}`, { name: 'Theirs' }],
    ] as const) {
      const res = await call(app, stranger, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().message).toBe('Ad account not found.');
    }
    const post = await call(app, analyst, 'POST', base(), { name: 'X', audience_type: 'VISITOR', rule: {} });
    expect(post.statusCode).toBe(403);
    const patch = await call(app, analyst, 'PATCH', `${base()}/${made.id}`, { operation_type: 'REMOVE' });
    expect(patch.statusCode).toBe(403);
    expect(await audienceCount()).toBe(before);
    expect((await call(app, owner, 'GET', `${base()}/${made.id}`)).json().status).not.toBe('ARCHIVED');

    const first = await call(app, analyst, 'GET', `${base()}?page_size=3&order=DESCENDING`);
    expect(first.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', LIST, 200, first.json());
    expect(first.json().items[0].id).toBe(made.id);
    const next = await call(
      app,
      analyst,
      'GET',
      `${base()}?page_size=3&order=DESCENDING&bookmark=${first.json().bookmark}`,
    );
    const ids = [...first.json().items, ...next.json().items].map((a: { id: string }) => a.id);
    expect(ids).toEqual([...sortIds(ids)].reverse());
    const received = await call(app, owner, 'GET', `${base()}?ownership_type=RECEIVED`);
    expect(received.json()).toEqual({ items: [], bookmark: null });
    const missing = await call(app, owner, 'GET', `${base()}/42`);
    expect(missing.statusCode).toBe(404);
    expectResponseMatchesSpec('GET', ONE, 404, missing.json());
  });
});
