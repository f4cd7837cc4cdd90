import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { countTargeted } from '../../../src/modules/ads/audiences/audience-sizing.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { countOf, emailHash, makePeople } from './audience-helpers.js';
import { call, makeAdAccount } from './helpers.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let account: string;
let otherAccount: string;
let big: string;
let small: string;
let foreign: string;
let people: { id: string; username: string }[];

const gardening = INTERESTS.find((i) => i.key === 'gardening')!.id;
const cars = INTERESTS.find((i) => i.key === 'vehicles')!.id;
const TEMPLATES = '/ad_accounts/{ad_account_id}/targeting_templates';
const SIZING = '/ad_accounts/{ad_account_id}/ad_groups/audience_sizing';
const base = () => `/v5/ad_accounts/${account}/targeting_templates`;
const sizingUrl = () => `/v5/ad_accounts/${account}/ad_groups/audience_sizing`;

async function audienceOf(user: TestUser, accountId: string, usernames: string[]) {
  const list = await call(app, user, 'POST', `/v5/ad_accounts/${accountId}/customer_lists`, {
    name: 'List',
    records: usernames.map(emailHash).join(','),
  });
  expect(list.statusCode, list.body).toBe(200);
  const res = await call(app, user, 'POST', `/v5/ad_accounts/${accountId}/audiences`, {
    name: 'Audience',
    audience_type: 'CUSTOMER_LIST',
    rule: { customer_list_id: list.json().id },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id as string;
}

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, stranger] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
  account = await makeAdAccount(app, owner);
  otherAccount = await makeAdAccount(app, stranger);
  const grant = await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${analyst.username}`, {
    role: 'ANALYST',
  });
  expect(grant.statusCode, grant.body).toBe(200);
  people = await makePeople(app, 250);
  big = await audienceOf(
    owner,
    account,
    people.slice(0, 230).map((p) => p.username),
  );
  small = await audienceOf(
    owner,
    account,
    people.slice(0, 30).map((p) => p.username),
  );
  foreign = await audienceOf(stranger, otherAccount, [owner.username]);
});

const templateCount = () => countOf(app, 'ad_targeting_templates');

async function createTemplate(body: object, user = owner) {
  const res = await call(app, user, 'POST', base(), body);
  expectResponseMatchesSpec('POST', TEMPLATES, res.statusCode, res.json());
  return res;
}

describe('targeting templates', () => {
  it('creates a checked template with de-duplicated keywords, as the spec shapes it', async () => {
    const res = await createTemplate({
      name: ' Gardeners ',
      targeting_attributes: {
        INTEREST: [gardening],
        AUDIENCE_INCLUDE: [big],
        GENDER: null,
        LOCATION: ['US'],
      },
      keywords: [
        { value: 'roses', match_type: 'BROAD' },
        { value: ' roses ', match_type: 'BROAD' },
        { value: 'weeds', match_type: 'EXACT_NEGATIVE' },
      ],
      placement_group: 'SEARCH',
      tracking_urls: { click: ['https://track.example/c'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ad_account_id: account,
      name: 'Gardeners',
      status: 'ACTIVE',
      targeting_attributes: { AUDIENCE_INCLUDE: [big], INTEREST: [gardening], LOCATION: ['US'] },
      keywords: [
        { value: 'roses', match_type: 'BROAD' },
        { value: 'weeds', match_type: 'EXACT_NEGATIVE' },
      ],
      placement_group: 'SEARCH',
      auto_targeting_enabled: true,
      tracking_urls: { click: ['https://track.example/c'] },
      valid: true,
    });
  });

  it('refuses bad targeting, foreign audiences and bad keywords with 400, writing nothing', async () => {
    const before = await templateCount();
    const cases: [object, string][] = [
      [{ name: 'X', targeting_attributes: { HOBBY: ['x'] } }, 'targeting_spec.HOBBY'],
      [{ name: 'X', targeting_attributes: { INTEREST: ['nope'] } }, 'targeting_spec.INTEREST'],
      [
        { name: 'X', targeting_attributes: { AUDIENCE_INCLUDE: [foreign] } },
        `audience ${foreign} is not an audience of this account`,
      ],
      [{ name: 'X', targeting_attributes: {}, placement_group: 'OTHER' }, 'placement_group OTHER'],
      [
        { name: 'X', targeting_attributes: {}, keywords: [{ value: 'x'.repeat(121), match_type: 'BROAD' }] },
        'keywords',
      ],
      [
        { name: 'X', targeting_attributes: {}, keywords: [{ value: ' ', match_type: 'BROAD' }] },
        'keywords[0].value',
      ],
      [{ name: 'X', targeting_attributes: {}, tracking_urls: { click: ['ftp://x'] } }, 'tracking_urls.click'],
      [{ name: ' ', targeting_attributes: {} }, 'name'],
      [
        { name: 'X', targeting_attributes: { interest: [gardening] } },
        'targeting_spec.interest: targeting types are upper-case (INTEREST)',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await createTemplate(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.stringContaining(message) });
    }
    expect(await templateCount()).toBe(before);
  });

  it('drops fields posted back from a template read earlier, as every body drops undeclared fields', async () => {
    const res = await createTemplate({
      name: 'Posted back',
      targeting_attributes: { id: '9', created_time: 1, LOCATION: ['GB'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().targeting_attributes).toEqual({ LOCATION: ['GB'] });
  });

  it('updates targeting and removes templates through PATCH, answering 200 without a body', async () => {
    const made = (
      await createTemplate({ name: 'Change me', targeting_attributes: { INTEREST: [cars] } })
    ).json();
    const res = await call(app, owner, 'PATCH', base(), {
      id: made.id,
      operation_type: 'UPDATE',
      targeting_attributes: { INTEREST: [gardening, gardening] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('PATCH', TEMPLATES, 200, res.body);
    const row = await app.deps.db
      .selectFrom('ad_targeting_templates')
      .selectAll()
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    expect(row.targeting_attributes).toEqual({ INTEREST: [gardening] });

    const missing = await call(app, owner, 'PATCH', base(), { id: made.id, operation_type: 'UPDATE' });
    expect(missing.statusCode).toBe(400);
    expectResponseMatchesSpec('PATCH', TEMPLATES, 400, missing.json());
    const bad = await call(app, owner, 'PATCH', base(), {
      id: made.id,
      operation_type: 'UPDATE',
      targeting_attributes: { AUDIENCE_EXCLUDE: [foreign] },
    });
    expect(bad.statusCode).toBe(400);

    const removed = await call(app, owner, 'PATCH', base(), { id: made.id, operation_type: 'REMOVE' });
    expect(removed.statusCode).toBe(200);
    const listed = (await call(app, owner, 'GET', `${base()}?page_size=250`)).json();
    expect(listed.items.map((t: { id: string }) => t.id)).not.toContain(made.id);
    const again = await call(app, owner, 'PATCH', base(), { id: made.id, operation_type: 'REMOVE' });
    expect(again.statusCode).toBe(404);
  });

  it('lists with search and sizing; a template whose audience was archived is not valid', async () => {
    const doomed = await audienceOf(
      owner,
      account,
      people.slice(0, 120).map((p) => p.username),
    );
    const t = (
      await createTemplate({ name: 'Searchable 100%', targeting_attributes: { AUDIENCE_INCLUDE: [doomed] } })
    ).json();
    const url = `${base()}?search_query=${encodeURIComponent('able 100%')}&include_sizing=true`;
    const res = await call(app, analyst, 'GET', url);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', TEMPLATES, 200, res.json());
    expect(res.json().items).toHaveLength(1);
    expect(res.json().items[0]).toMatchObject({
      id: t.id,
      valid: true,
      sizing: { reach_estimate: { estimate: 100, lower_bound: 100, upper_bound: 200 } },
    });
    const archive = await call(app, owner, 'PATCH', `/v5/ad_accounts/${account}/audiences/${doomed}`, {
      operation_type: 'REMOVE',
    });
    expect(archive.statusCode).toBe(200);
    const after = (await call(app, analyst, 'GET', url)).json();
    expect(after.items[0]).toMatchObject({ valid: false, sizing: null });
    const plain = (await call(app, analyst, 'GET', `${base()}?page_size=1`)).json();
    expect(plain.items[0]).not.toHaveProperty('sizing');
    expect(plain.bookmark).toEqual(expect.any(String));
  });

  it('answers a stranger 404 and an analyst 403 on writes', async () => {
    const before = await templateCount();
    const body = { name: 'X', targeting_attributes: {} };
    expect((await call(app, stranger, 'GET', base())).statusCode).toBe(404);
    expect((await call(app, stranger, 'POST', base(), body)).statusCode).toBe(404);
    const post = await call(app, analyst, 'POST', base(), body);
    expect(post.statusCode).toBe(403);
    expect(post.json().message).toContain('ANALYST');
    const patch = await call(app, analyst, 'PATCH', base(), { id: '1', operation_type: 'REMOVE' });
    expect(patch.statusCode).toBe(403);
    expect(await templateCount()).toBe(before);
  });
});

describe('audience sizing', () => {
  async function size(body: object, user = owner) {
    const res = await call(app, user, 'POST', sizingUrl(), body);
    expectResponseMatchesSpec('POST', SIZING, res.statusCode, res.json());
    return res;
  }

  it('counts people in the included audiences less the excluded, in steps, and withholds small counts', async () => {
    const res = await size({ targeting_spec: { AUDIENCE_INCLUDE: [big] } }, analyst);
    expect(res.statusCode, res.body).toBe(200);
    // 230 people: the step from 200.
    expect(res.json()).toEqual({ audience_size_lower_bound: 200, audience_size_upper_bound: 300 });
    const less = await size({ targeting_spec: { AUDIENCE_INCLUDE: [big], AUDIENCE_EXCLUDE: [small] } });
    expect(less.json()).toEqual({ audience_size_lower_bound: 200, audience_size_upper_bound: 300 });
    const tiny = await size({ targeting_spec: { AUDIENCE_INCLUDE: [small] } });
    expect(tiny.json()).toEqual({ audience_size_lower_bound: 0, audience_size_upper_bound: 100 });
  });

  it('narrows by interests read from public content only; gender, age and place do not narrow', async () => {
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => makeUser(app)));
    await makeBoard(app, a!, { name: 'Herb garden' });
    await makeBoard(app, b!, { name: 'Succulent plants' });
    await makeBoard(app, c!, { name: 'Garden flowers', privacy: 'SECRET' });
    await makeBoard(app, d!, { name: 'Vintage car' });
    const db = app.deps.db;
    expect(await countTargeted(db, { INTEREST: [gardening] })).toBe(2);
    expect(await countTargeted(db, { INTEREST: [gardening, cars] })).toBe(3);
    const everyone = await countTargeted(db, {});
    expect(everyone).toBeGreaterThan(250);
    expect(
      await countTargeted(db, { GENDER: ['female'], MINIMUM_AGE: '25', MAXIMUM_AGE: '34', LOCATION: ['US'] }),
    ).toBe(everyone);
    expect(await countTargeted(db, { AUDIENCE_EXCLUDE: [small] })).toBe(everyone - 30);
    expect(await countTargeted(db, { AUDIENCE_INCLUDE: [small], INTEREST: [gardening] })).toBe(0);
    const res = await size({ targeting_spec: { INTEREST: [gardening] } });
    expect(res.json()).toEqual({ audience_size_lower_bound: 0, audience_size_upper_bound: 100 });
  });

  it('refuses bad targeting and foreign audiences; a stranger gets 404', async () => {
    const foreignRes = await size({ targeting_spec: { AUDIENCE_INCLUDE: [foreign] } });
    expect(foreignRes.statusCode).toBe(400);
    expect(foreignRes.json().message).toContain(`audience ${foreign}`);
    const bad = await size({ targeting_spec: { AGE_BUCKET: ['12-17'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('targeting_spec.AGE_BUCKET');
    const products = await size({ targeting_spec: {}, product_group_ids: ['1'] });
    expect(products.statusCode).toBe(400);
    const res = await call(app, stranger, 'POST', sizingUrl(), { targeting_spec: {} });
    expect(res.statusCode).toBe(404);
  });
});
