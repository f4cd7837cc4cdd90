import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { countOf, emailHash, makePeople, sha, sortIds } from './audience-helpers.js';
import { call, makeAdAccount } from './helpers.js';

let app: App;
let owner: TestUser;
let analyst: TestUser;
let stranger: TestUser;
let alice: TestUser;
let bob: TestUser;
let account: string;

const LIST = '/ad_accounts/{ad_account_id}/customer_lists';
const ONE = '/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}';
const base = () => `/v5/ad_accounts/${account}/customer_lists`;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  [owner, analyst, stranger, alice, bob] = await Promise.all([
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
    makeUser(app),
  ]);
  account = await makeAdAccount(app, owner);
  const grant = await call(app, owner, 'PUT', `/v5/ad_accounts/${account}/members/${analyst.username}`, {
    role: 'ANALYST',
  });
  expect(grant.statusCode, grant.body).toBe(200);
});

const matched = async (listId: string) =>
  sortIds(
    (
      await app.deps.db
        .selectFrom('ad_customer_list_users')
        .select('user_id')
        .where('customer_list_id', '=', listId)
        .execute()
    ).map((r) => String(r.user_id)),
  );

const listCount = () => countOf(app, 'ad_customer_lists');

async function create(body: object, user = owner) {
  const res = await call(app, user, 'POST', base(), body);
  expectResponseMatchesSpec('POST', LIST, res.statusCode, res.json());
  return res;
}

describe('customer lists', () => {
  it('matches hashed e-mails to the right people and keeps neither hashes nor e-mails', async () => {
    const nobody = sha('nobody@example.org');
    const records = `${emailHash(alice.username).toUpperCase()}, ${emailHash(bob.username)},${nobody},`;
    const res = await create({ name: ' Buyers ', records });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json();
    expect(list).toMatchObject({
      ad_account_id: account,
      name: 'Buyers',
      num_batches: 1,
      num_uploaded_user_records: 3,
      num_removed_user_records: 0,
      status: 'TOO_SMALL',
      type: 'customerlist',
    });
    expect(await matched(list.id)).toEqual(sortIds([alice.id, bob.id]));

    // Nothing the advertiser sent is stored: not a hash, not an e-mail, in any list table.
    const stored = JSON.stringify([
      await app.deps.db.selectFrom('ad_customer_lists').selectAll().execute(),
      await app.deps.db.selectFrom('ad_customer_list_users').selectAll().execute(),
    ]);
    for (const secret of [emailHash(alice.username), nobody, alice.username, 'example.org']) {
      expect(stored.toLowerCase()).not.toContain(secret);
    }
  });

  it('matches HASHED_PINNER_ID lists by the SHA-256 of the decimal user id', async () => {
    const res = await create({
      name: 'Ids',
      list_type: 'HASHED_PINNER_ID',
      records: `${sha(bob.id)},${sha('1')}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await matched(res.json().id)).toEqual([bob.id]);
  });

  it('adds and removes records, counting batches and records as the spec counts them', async () => {
    const made = (await create({ name: 'Changing', records: emailHash(alice.username) })).json();
    const url = `${base()}/${made.id}`;
    const add = await call(app, owner, 'PATCH', url, {
      operation_type: 'ADD',
      records: [emailHash(bob.username), emailHash(alice.username)].join(','),
    });
    expect(add.statusCode, add.body).toBe(200);
    expectResponseMatchesSpec('PATCH', ONE, 200, add.json());
    expect(await matched(made.id)).toEqual(sortIds([alice.id, bob.id]));
    const remove = await call(app, owner, 'PATCH', url, {
      operation_type: 'REMOVE',
      records: `${emailHash(alice.username)},${sha('ghost@example.org')}`,
    });
    expect(remove.statusCode, remove.body).toBe(200);
    expect(remove.json()).toMatchObject({
      num_batches: 3,
      num_uploaded_user_records: 3,
      num_removed_user_records: 2,
    });
    expect(await matched(made.id)).toEqual([bob.id]);

    const got = await call(app, analyst, 'GET', url);
    expect(got.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', ONE, 200, got.json());
    expect(got.json()).toEqual(remove.json());
  });

  it('is READY from the privacy minimum on, without ever telling how many matched', async () => {
    const people = await makePeople(app, 100);
    const records = people.map((p) => emailHash(p.username));
    const small = (await create({ name: 'Almost', records: records.slice(0, 99).join(',') })).json();
    expect(small.status).toBe('TOO_SMALL');
    const res = await call(app, owner, 'PATCH', `${base()}/${small.id}`, {
      operation_type: 'ADD',
      records: records[99],
    });
    expect(res.json().status).toBe('READY');
    expect(Object.keys(res.json())).not.toContain('size');
  });

  it('refuses records that are not SHA-256 hashes, naming the position but not echoing the record', async () => {
    const before = await listCount();
    const res = await create({
      name: 'Plain',
      records: `${emailHash(alice.username)},${alice.username}@example.org`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 1,
      message: expect.stringContaining('records[1] is not a SHA-256 hash'),
    });
    expect(res.body).not.toContain(alice.username);
    const md5 = await create({ name: 'Md5', records: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(md5.statusCode).toBe(400);
    const empty = await create({ name: 'Empty', records: ' , ,' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toContain('no records');
    expect(await listCount()).toBe(before);

    const list = (await create({ name: 'Kept', records: emailHash(bob.username) })).json();
    const bad = await call(app, owner, 'PATCH', `${base()}/${list.id}`, {
      operation_type: 'ADD',
      records: `${emailHash(alice.username)},not-a-hash`,
    });
    expect(bad.statusCode).toBe(400);
    expect(await matched(list.id)).toEqual([bob.id]);
    const after = (await call(app, owner, 'GET', `${base()}/${list.id}`)).json();
    expect(after.num_batches).toBe(1);
  });

  it('refuses list types it cannot match, by name', async () => {
    for (const list_type of ['IDFA', 'MAID', 'LR_ID', 'DLX_ID']) {
      const res = await create({ name: 'Devices', list_type, records: sha('x') });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain(`list_type ${list_type} is not accepted`);
    }
    const unknown = await create({ name: 'What', list_type: 'PHONE', records: sha('x') });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
  });

  it('lists the account lists with bookmarks, in either order', async () => {
    const first = await call(app, analyst, 'GET', `${base()}?page_size=2`);
    expect(first.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', LIST, 200, first.json());
    expect(first.json().items).toHaveLength(2);
    const all: string[] = first.json().items.map((l: { id: string }) => l.id);
    let bookmark = first.json().bookmark;
    while (bookmark) {
      const next = (await call(app, analyst, 'GET', `${base()}?page_size=2&bookmark=${bookmark}`)).json();
      all.push(...next.items.map((l: { id: string }) => l.id));
      bookmark = next.bookmark;
    }
    expect(all).toEqual(sortIds(all));
    const desc = (await call(app, owner, 'GET', `${base()}?order=DESCENDING&page_size=250`)).json();
    expect(desc.items.map((l: { id: string }) => l.id)).toEqual([...all].reverse());
  });

  it('answers a stranger 404 and an analyst 403 on writes, writing nothing', async () => {
    const list = (await create({ name: 'Private', records: emailHash(alice.username) })).json();
    const before = await listCount();
    for (const [method, url, body] of [
      ['GET', base(), undefined],
      ['GET', `${base()}/${list.id}`, undefined],
      ['POST', base(), { name: 'X', records: sha('x') }],
      ['PATCH', `${base()}/${list.id}`, { operation_type: 'ADD', records: emailHash(bob.username) }],
    ] as const) {
      const res = await call(app, stranger, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ code: expect.any(Number), message: 'Ad account not found.' });
    }
    const post = await call(app, analyst, 'POST', base(), { name: 'X', records: sha('x') });
    expect(post.statusCode).toBe(403);
    const patch = await call(app, analyst, 'PATCH', `${base()}/${list.id}`, {
      operation_type: 'ADD',
      records: emailHash(bob.username),
    });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().message).toContain('ANALYST');
    expect(await listCount()).toBe(before);
    expect(await matched(list.id)).toEqual([alice.id]);
    const missing = await call(app, owner, 'GET', `${base()}/12345`);
    expect(missing.statusCode).toBe(404);
  });
});
