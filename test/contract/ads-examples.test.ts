import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';
import { call, makeAdAccount, makeAdGroups, makeCampaigns } from '../modules/ads/helpers.js';
import { expectResponseMatchesSpec } from './spec.js';

/**
 * The request examples of Pinterest's reference (test/contract/spec-examples.json, derived with the
 * subset), sent as a client copying them would, with the ids of the caller's own objects in place of
 * Pinterest's. Each is accepted: a 200 with a spec-valid body. Where an example asks for what Corkboard
 * refuses on purpose, the item's refusal is listed below with the reason, and checked.
 */
const EXAMPLES: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('./spec-examples.json', import.meta.url), 'utf8'),
).examples;

let app: App;
let owner: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  owner = await makeUser(app);
  ids.ad_account_id = await makeAdAccount(app, owner);
  const [campaign] = await makeCampaigns(app, owner, ids.ad_account_id, [
    { name: 'C', objective_type: 'CONSIDERATION' },
  ]);
  ids.campaign_id = campaign!.id;
  const [group] = await makeAdGroups(app, owner, ids.ad_account_id, [
    {
      name: 'G',
      campaign_id: campaign!.id,
      billable_event: 'CLICKTHROUGH',
      budget_in_micro_currency: 10_000_000,
    },
  ]);
  ids.ad_group_id = group!.id;
  ids.pin_id = await makePin(app, owner, (await makeBoard(app, owner)).id);
  const ad = await call(app, owner, 'POST', `/v5/ad_accounts/${ids.ad_account_id}/ads`, [
    { ad_group_id: group!.id, pin_id: ids.pin_id, creative_type: 'REGULAR' },
  ]);
  ids.ad_id = ad.json().items[0].data.id;
  const keyword = await call(app, owner, 'POST', `/v5/ad_accounts/${ids.ad_account_id}/keywords`, {
    parent_id: group!.id,
    keywords: [{ value: 'lamp', match_type: 'BROAD' }],
  });
  ids.keyword_id = keyword.json().keywords[0].id;
  const hash = createHash('sha256').update(`${owner.username}@example.org`).digest('hex');
  const list = await call(app, owner, 'POST', `/v5/ad_accounts/${ids.ad_account_id}/customer_lists`, {
    name: 'List',
    records: hash,
    list_type: 'EMAIL',
  });
  ids.customer_list_id = list.json().id;
  const audience = await call(app, owner, 'POST', `/v5/ad_accounts/${ids.ad_account_id}/audiences`, {
    name: 'Audience',
    audience_type: 'CUSTOMER_LIST',
    rule: { customer_list_id: ids.customer_list_id },
  });
  ids.audience_id = audience.json().id;
  const template = await call(
    app,
    owner,
    'POST',
    `/v5/ad_accounts/${ids.ad_account_id}/targeting_templates`,
    {
      name: 'Template',
      targeting_attributes: { GENDER: ['female'] },
    },
  );
  ids.template_id = template.json().id;
});

/** Which id a PATCH item's `id` names, by the collection it is sent to. */
const ITEM_ID: Record<string, string> = {
  campaigns: 'campaign_id',
  ad_groups: 'ad_group_id',
  ads: 'ad_id',
  keywords: 'keyword_id',
  targeting_templates: 'template_id',
};

/** The example with Pinterest's ids swapped for the caller's, and times moved to now. */
function localise(value: unknown, collection: string, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => localise(v, collection, key));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localise(v, collection, k)]));
  if (key === 'event_time') return Math.floor(Date.now() / 1000) - 60;
  if (key === 'id' && ITEM_ID[collection]) return ids[ITEM_ID[collection]!];
  if (typeof value === 'string' && ids[key]) return ids[key];
  if (key === 'parent_id') return ids.ad_group_id;
  return value;
}

/**
 * Examples that ask for what Corkboard refuses on purpose, and the refusal expected: an item's exception
 * (bulk operations answer 200 and report it) or a 400.
 */
const REFUSED: Record<string, { item?: RegExp; status?: number; message?: RegExp; why: string }> = {
  'POST /ad_accounts/{ad_account_id}/ad_groups': {
    item: /promotions are not offered/,
    why: 'names a promotion',
  },
  'PATCH /ad_accounts/{ad_account_id}/ad_groups': {
    item: /promotions are not offered/,
    why: 'names a promotion',
  },
  'POST /ad_accounts/{ad_account_id}/ads': {
    item: /quiz pins are not offered/,
    why: 'carries quiz_pin_data',
  },
  'PATCH /ad_accounts/{ad_account_id}/ads': {
    item: /quiz pins are not offered/,
    why: 'carries quiz_pin_data',
  },
  'POST /ad_accounts/{ad_account_id}/campaigns': { item: /not both/, why: 'sets both spend caps' },
  'PATCH /ad_accounts/{ad_account_id}/campaigns': { item: /not both/, why: 'sets both spend caps' },
  'POST /ad_accounts/{ad_account_id}/bid_floor': {
    status: 400,
    message: /INTEREST/,
    why: "targets Pinterest's interest ids, not Corkboard's taxonomy",
  },
  'POST /ad_accounts/{ad_account_id}/audiences': {
    status: 400,
    message: /does not apply to ACTALIKE/,
    why: "its rule holds every audience type's fields at once",
  },
  'PATCH /ad_accounts/{ad_account_id}/audiences/{audience_id}': {
    status: 400,
    message: /does not apply to CUSTOMER_LIST/,
    why: "its rule holds every audience type's fields at once",
  },
  'POST /ad_accounts/{ad_account_id}/customer_lists': {
    status: 400,
    message: /not a SHA-256 hash/,
    why: 'sends plain e-mails; Corkboard takes SHA-256 hashes only',
  },
  'PATCH /ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}': {
    status: 400,
    message: /not a SHA-256 hash/,
    why: 'sends plain e-mails; Corkboard takes SHA-256 hashes only',
  },
  'POST /ad_accounts/{ad_account_id}/ad_groups/audience_sizing': {
    status: 400,
    message: /product catalogs are not offered/,
    why: 'names product groups',
  },
  'POST /ad_accounts/{ad_account_id}/targeting_templates': {
    status: 400,
    message: /is not an http\(s\) URL/,
    why: 'its tracking URLs are the placeholders "URL1", "URL2"',
  },
  'POST /ad_accounts/{ad_account_id}/reports': {
    status: 400,
    message: /campaign_brand_label is not supported/,
    why: 'filters by brand label; Corkboard campaigns carry none',
  },
};

/** The exceptions of a bulk answer's items, whichever shape the operation uses. */
function itemExceptions(body: Record<string, unknown>): string[] {
  const items = (body.items ?? []) as { exceptions?: { message: string } | { message: string }[] }[];
  const fromItems = items.flatMap((i) => [i.exceptions ?? []].flat().map((e) => e.message));
  const errors = ((body.errors ?? []) as { error_messages: string[] }[]).flatMap((e) => e.error_messages);
  return [...fromItems, ...errors];
}

const exampleKeys = Object.keys(EXAMPLES).sort();

describe("the spec's request examples", () => {
  it.each(exampleKeys)('%s', async (key) => {
    const [method, path] = key.split(' ') as [string, string];
    const route = app.http.securedRoutes.find(
      (r) => r.method === method && r.url.replace(/:([a-z_]+)/g, '{$1}') === `/v5${path}`,
    );
    // An operation not (yet) implemented has nothing to accept its example.
    if (!route) return;
    const url = `/v5${path.replace(/\{([a-z_]+)\}/g, (_, name: string) => ids[name]!)}`;
    const res = await call(
      app,
      owner,
      method as 'POST',
      url,
      localise(EXAMPLES[key], path.split('/')[3] ?? ''),
    );
    const refused = REFUSED[key];
    if (refused?.status) {
      expect(res.statusCode, res.body).toBe(refused.status);
      expect(res.json().message).toMatch(refused.message!);
      return;
    }
    expect(res.statusCode, res.body).toBe(200);
    // An operation the spec answers without a body (PATCH targeting_templates) answers ''.
    const body = res.body === '' ? '' : res.json();
    expectResponseMatchesSpec(method, path, 200, body);
    const exceptions = body === '' ? [] : itemExceptions(body);
    if (refused?.item) expect(exceptions).toEqual([expect.stringMatching(refused.item)]);
    else expect(exceptions).toEqual([]);
  });
});
