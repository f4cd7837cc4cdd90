import { createHash } from 'node:crypto';
import { makeBoard, makePin } from '../helpers/factories.js';
import type { Call, World } from './write-fixtures.js';

/** The ads operations' valid calls for the mass-assignment walk (see write-fixtures.ts). */
export function adsWriteFixtures(w: World): Record<string, () => Promise<Call>> {
  const { app, owner } = w;
  const db = app.deps.db;
  let account: Promise<string> | undefined;
  /** An ad account of the caller, made once. */
  const accountId = () => {
    account ??= (async () => {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v5/ad_accounts',
        headers: await owner.auth(),
        payload: { name: 'Walk' },
      });
      if (res.statusCode !== 200) throw new Error(`ad account: ${res.statusCode} ${res.body}`);
      return res.json().id as string;
    })();
    return account;
  };
  let campaign: Promise<string> | undefined;
  /** A CONSIDERATION campaign in that account, made once. */
  const campaignId = () => {
    campaign ??= (async () => {
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/ad_accounts/${await accountId()}/campaigns`,
        headers: await owner.auth(),
        payload: [{ name: 'Walk campaign', objective_type: 'CONSIDERATION' }],
      });
      return res.json().items[0].data.id as string;
    })();
    return campaign;
  };
  const newAdGroup = async (name: string) => {
    const res = await app.http.inject({
      method: 'POST',
      url: `/v5/ad_accounts/${await accountId()}/ad_groups`,
      headers: await owner.auth(),
      payload: [
        {
          name,
          campaign_id: await campaignId(),
          billable_event: 'CLICKTHROUGH',
          budget_in_micro_currency: 5_000_000,
        },
      ],
    });
    return res.json().items[0].data.id as string;
  };
  const accountRow = (id: string) =>
    db.selectFrom('ad_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  return {
    'POST /v5/ad_accounts': async () => ({
      url: '/v5/ad_accounts',
      body: { name: 'Mass', country: 'FR', currency: 'EUR' },
      readOnly: { permissions: ['ADMIN'] },
      state: async (res) => accountRow(res!.json().id),
      expected: { owner_id: owner.id, name: 'Mass', country: 'FR', currency: 'EUR' },
    }),
    'PUT /v5/ad_accounts/{ad_account_id}/members/{username}': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/members/${w.target.username}`,
        body: { role: 'ANALYST' },
        readOnly: { ad_account_id: '4242424242' },
        state: async () => ({
          rows: await db
            .selectFrom('ad_account_members')
            .selectAll()
            .where('ad_account_id', '=', id)
            .execute(),
        }),
        expected: { rows: [{ ad_account_id: id, user_id: w.target.id, role: 'ANALYST' }] },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/events': async () => {
      const id = await accountId();
      const eventId = `walk-${Date.now()}`;
      return {
        url: `/v5/ad_accounts/${id}/events`,
        body: {
          data: [
            {
              event_name: 'lead',
              action_source: 'offline',
              event_time: Math.floor(Date.now() / 1000),
              event_id: eventId,
              user_data: { em: [createHash('sha256').update('someone@example.org').digest('hex')] },
            },
          ],
        },
        readOnly: { ad_account_id: '4242424242' },
        state: async () => ({
          rows: await db
            .selectFrom('ad_conversions')
            .select(['ad_account_id', 'event_id', 'event_name', 'user_id', 'user_hashes'])
            .where('event_id', '=', eventId)
            .execute(),
        }),
        expected: { rows: [{ ad_account_id: id, event_id: eventId, event_name: 'lead', user_id: null }] },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/campaigns': async () => {
      const id = await accountId();
      const name = `Walk ${Date.now()}`;
      return {
        url: `/v5/ad_accounts/${id}/campaigns`,
        body: [{ name, objective_type: 'AWARENESS', daily_spend_cap: 3_000_000 }],
        readOnly: { summary_status: 'COMPLETED', type: 'ad_group', created_time: 1, ad_account_id: id },
        state: async () => ({
          rows: await db.selectFrom('ad_campaigns').selectAll().where('name', '=', name).execute(),
        }),
        expected: { rows: [{ ad_account_id: id, name, status: 'ACTIVE', daily_spend_cap: '3000000' }] },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/campaigns': async () => {
      const id = await accountId();
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/ad_accounts/${id}/campaigns`,
        headers: await owner.auth(),
        payload: [{ name: 'To change', objective_type: 'CONSIDERATION' }],
      });
      const campaign = res.json().items[0].data.id as string;
      const row = () =>
        db.selectFrom('ad_campaigns').selectAll().where('id', '=', campaign).executeTakeFirstOrThrow();
      return {
        url: `/v5/ad_accounts/${id}/campaigns`,
        body: [{ id: campaign, name: 'Changed', status: 'PAUSED' }],
        readOnly: { summary_status: 'COMPLETED', objective_type: undefined, created_time: 1 },
        state: async () => ({ ...(await row()), updated_at: null }),
        writable: ['name', 'status'],
        expected: { name: 'Changed', status: 'PAUSED', objective_type: 'CONSIDERATION' },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/ad_groups': async () => {
      const id = await accountId();
      const name = `Walk group ${Date.now()}`;
      return {
        url: `/v5/ad_accounts/${id}/ad_groups`,
        body: [
          {
            name,
            campaign_id: await campaignId(),
            billable_event: 'CLICKTHROUGH',
            budget_in_micro_currency: 7_000_000,
          },
        ],
        readOnly: {
          summary_status: 'COMPLETED',
          type: 'campaign',
          ad_account_id: '4242424242',
          conversion_learning_mode_type: 'ACTIVE',
        },
        state: async () => ({
          rows: await db.selectFrom('ad_groups').selectAll().where('name', '=', name).execute(),
        }),
        expected: {
          rows: [{ ad_account_id: id, name, budget: '7000000', targeting_spec: {} }],
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/ad_groups': async () => {
      const id = await accountId();
      const group = await newAdGroup('To change');
      const row = () =>
        db.selectFrom('ad_groups').selectAll().where('id', '=', group).executeTakeFirstOrThrow();
      return {
        url: `/v5/ad_accounts/${id}/ad_groups`,
        body: [{ id: group, name: 'Changed group', budget_in_micro_currency: 8_000_000 }],
        readOnly: { summary_status: 'COMPLETED', ad_account_id: '4242424242', created_time: 1 },
        state: async () => ({ ...(await row()), updated_at: null }),
        writable: ['name', 'budget'],
        expected: { name: 'Changed group', budget: '8000000', billable_event: 'CLICKTHROUGH' },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/ads': async () => {
      const id = await accountId();
      const group = await newAdGroup('Ads walk');
      const pin = await makePin(app, owner, (await makeBoard(app, owner)).id);
      return {
        url: `/v5/ad_accounts/${id}/ads`,
        body: [{ ad_group_id: group, pin_id: pin, creative_type: 'REGULAR', name: 'Walk ad' }],
        readOnly: {
          review_status: 'REJECTED',
          rejected_reasons: ['OTHER'],
          is_pin_deleted: true,
          campaign_id: '4242424242',
        },
        state: async () => ({
          rows: await db.selectFrom('ads').selectAll().where('ad_group_id', '=', group).execute(),
        }),
        expected: {
          rows: [
            {
              ad_account_id: id,
              pin_id: pin,
              name: 'Walk ad',
              review_status: 'APPROVED',
              rejected_reasons: [],
            },
          ],
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/ads': async () => {
      const id = await accountId();
      const group = await newAdGroup('Ads walk 2');
      const pin = await makePin(app, owner, (await makeBoard(app, owner)).id);
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/ad_accounts/${id}/ads`,
        headers: await owner.auth(),
        payload: [{ ad_group_id: group, pin_id: pin, creative_type: 'REGULAR' }],
      });
      const ad = res.json().items[0].data.id as string;
      const row = () => db.selectFrom('ads').selectAll().where('id', '=', ad).executeTakeFirstOrThrow();
      return {
        url: `/v5/ad_accounts/${id}/ads`,
        body: [{ id: ad, name: 'Changed ad', status: 'PAUSED' }],
        readOnly: { review_status: 'REJECTED', campaign_id: '4242424242', is_pin_deleted: true },
        state: async () => ({ ...(await row()), updated_at: null }),
        writable: ['name', 'status', 'details'],
        expected: { name: 'Changed ad', status: 'PAUSED', review_status: 'APPROVED', pin_id: pin },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/keywords': async () => {
      const group = await newAdGroup('Keywords walk');
      return {
        url: `/v5/ad_accounts/${await accountId()}/keywords`,
        body: { parent_id: group, keywords: [{ value: 'walk lamp', match_type: 'BROAD', bid: 300_000 }] },
        readOnly: { ad_account_id: '4242424242', parent_type: 'advertiser', archived: true },
        state: async () => ({
          rows: await db.selectFrom('ad_keywords').selectAll().where('parent_id', '=', group).execute(),
        }),
        expected: {
          rows: [
            {
              parent_type: 'ad_group',
              value: 'walk lamp',
              match_type: 'BROAD',
              bid: '300000',
              archived: false,
            },
          ],
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/keywords': async () => {
      const id = await accountId();
      const group = await newAdGroup('Keywords walk 2');
      const res = await app.http.inject({
        method: 'POST',
        url: `/v5/ad_accounts/${id}/keywords`,
        headers: await owner.auth(),
        payload: { parent_id: group, keywords: [{ value: 'walk rug', match_type: 'EXACT' }] },
      });
      const keyword = res.json().keywords[0].id as string;
      const row = () =>
        db.selectFrom('ad_keywords').selectAll().where('id', '=', keyword).executeTakeFirstOrThrow();
      return {
        url: `/v5/ad_accounts/${id}/keywords`,
        body: { keywords: [{ id: keyword, archived: true, bid: 250_000 }] },
        readOnly: { value: 'changed', match_type: 'BROAD', parent_id: '4242424242' },
        state: async () => ({ ...(await row()), updated_at: null }),
        writable: ['archived', 'bid'],
        expected: { archived: true, bid: '250000', value: 'walk rug', match_type: 'EXACT' },
      };
    },
    // Reads that take a body: what they answer must not echo what the body smuggled.
    'POST /v5/ad_accounts/{ad_account_id}/bid_floor': async () => ({
      url: `/v5/ad_accounts/${await accountId()}/bid_floor`,
      body: { bid_floor_specs: [{ billable_event: 'CLICKTHROUGH', currency: 'USD' }] },
      state: async (res) => res!.json(),
      expected: { bid_floors: [100_000], type: 'bidfloor' },
    }),
    'POST /v5/ad_accounts/{ad_account_id}/ad_previews': async () => {
      const pin = await makePin(app, owner, (await makeBoard(app, owner)).id, { title: 'Preview walk' });
      return {
        url: `/v5/ad_accounts/${await accountId()}/ad_previews`,
        body: { pin_id: pin },
        readOnly: { url: 'https://evil.example/' },
        state: async (res) => {
          const url = new URL(res!.json().url);
          const page = await app.http.inject({ method: 'GET', url: url.pathname + url.search });
          return { status: page.statusCode, page: page.body };
        },
        expected: { status: 200 },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/conversion_tags': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/conversion_tags`,
        body: { name: 'Walk tag', aem_enabled: true },
        readOnly: { status: 'DELETED', code_snippet: 'x', last_fired_time_ms: 1, version: '9' },
        state: async (res) =>
          db
            .selectFrom('ad_conversion_tags')
            .selectAll()
            .where('id', '=', res!.json().id)
            .executeTakeFirstOrThrow(),
        expected: { ad_account_id: id, name: 'Walk tag', status: 'ACTIVE', last_fired_at: null },
      };
    },
  };
}
