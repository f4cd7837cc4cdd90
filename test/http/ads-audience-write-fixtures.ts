import { createHash } from 'node:crypto';
import type { Call, World } from './write-fixtures.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The audience, customer list, targeting template and sizing operations' valid calls for the mass-assignment walk. */
export function adsAudienceWriteFixtures(w: World): Record<string, () => Promise<Call>> {
  const { app, owner, target } = w;
  const db = app.deps.db;
  const as = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
    const res = await app.http.inject({ method, url, headers: await owner.auth(), payload });
    if (res.statusCode !== 200) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  let account: Promise<string> | undefined;
  /** An ad account of the caller, made once. */
  const accountId = () => {
    account ??= as('POST', '/v5/ad_accounts', { name: 'Audience walk' }).then((a) => a.id as string);
    return account;
  };
  const listRow = async (id: string) => ({
    ...(await db.selectFrom('ad_customer_lists').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    updated_at: null,
    users: (
      await db
        .selectFrom('ad_customer_list_users')
        .select('user_id')
        .where('customer_list_id', '=', id)
        .orderBy('user_id')
        .execute()
    ).map((r) => String(r.user_id)),
  });
  const audienceRow = async (id: string) => ({
    ...(await db.selectFrom('ad_audiences').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    updated_at: null,
  });
  const templateRow = async (id: string) => ({
    ...(await db
      .selectFrom('ad_targeting_templates')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()),
    updated_at: null,
  });
  const audienceReadOnly = {
    size: 4242424242,
    status: 'ARCHIVED',
    type: 'customerlist',
    created_by_company_name: 'zz-unknown-value',
    created_timestamp: 4242424242,
  };

  return {
    'POST /v5/ad_accounts/{ad_account_id}/audiences': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/audiences`,
        body: {
          name: 'Walk audience',
          audience_type: 'VISITOR',
          rule: { event: 'checkout' },
          description: 'd',
        },
        readOnly: audienceReadOnly,
        state: async (res) => audienceRow(res!.json().id),
        expected: {
          ad_account_id: id,
          name: 'Walk audience',
          audience_type: 'VISITOR',
          description: 'd',
          status: 'READY',
          rule: { event: 'checkout', retention_days: 180, prefill: true },
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/audiences/{audience_id}': async () => {
      const id = await accountId();
      const made = await as('POST', `/v5/ad_accounts/${id}/audiences`, {
        name: 'To rename',
        audience_type: 'VISITOR',
        rule: {},
      });
      return {
        url: `/v5/ad_accounts/${id}/audiences/${made.id}`,
        body: { name: 'Renamed', description: 'changed' },
        readOnly: { ...audienceReadOnly, audience_type: 'ACTALIKE' },
        state: () => audienceRow(made.id),
        writable: ['name', 'description'],
        expected: { name: 'Renamed', description: 'changed', audience_type: 'VISITOR', status: 'READY' },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/customer_lists': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/customer_lists`,
        body: { name: 'Walk list', records: sha(`${owner.username}@example.org`) },
        readOnly: { num_batches: 4242424242, num_uploaded_user_records: 4242424242, status: 'READY' },
        state: async (res) => listRow(res!.json().id),
        expected: {
          ad_account_id: id,
          name: 'Walk list',
          list_type: 'EMAIL',
          num_batches: 1,
          num_uploaded_user_records: '1',
          users: [owner.id],
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}': async () => {
      const id = await accountId();
      const list = await as('POST', `/v5/ad_accounts/${id}/customer_lists`, {
        name: 'To grow',
        records: sha(`${owner.username}@example.org`),
      });
      return {
        url: `/v5/ad_accounts/${id}/customer_lists/${list.id}`,
        body: { operation_type: 'ADD', records: sha(`${target.username}@example.org`) },
        readOnly: { name: 'zz-unknown-value', list_type: 'MAID', num_removed_user_records: 4242424242 },
        state: () => listRow(list.id),
        writable: ['num_batches', 'num_uploaded_user_records', 'users'],
        expected: {
          name: 'To grow',
          num_batches: 2,
          num_removed_user_records: '0',
          users: [owner.id, target.id].sort((a, b) => a.length - b.length || a.localeCompare(b)),
        },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/targeting_templates': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/targeting_templates`,
        body: {
          name: 'Walk template',
          targeting_attributes: { LOCATION: ['US'] },
          keywords: [{ value: 'walk', match_type: 'BROAD' }],
          placement_group: 'SEARCH',
        },
        readOnly: { status: 'DELETED', valid: false, created_time: 4242424242, ad_account_id: '4242424242' },
        state: async (res) => templateRow(res!.json().id),
        expected: {
          ad_account_id: id,
          name: 'Walk template',
          status: 'ACTIVE',
          targeting_attributes: { LOCATION: ['US'] },
          keywords: [{ value: 'walk', match_type: 'BROAD' }],
          placement_group: 'SEARCH',
        },
      };
    },
    'PATCH /v5/ad_accounts/{ad_account_id}/targeting_templates': async () => {
      const id = await accountId();
      const made = await as('POST', `/v5/ad_accounts/${id}/targeting_templates`, {
        name: 'To retarget',
        targeting_attributes: { LOCATION: ['US'] },
      });
      return {
        url: `/v5/ad_accounts/${id}/targeting_templates`,
        body: { id: made.id, operation_type: 'UPDATE', targeting_attributes: { LOCATION: ['GB'] } },
        readOnly: { name: 'zz-unknown-value', status: 'DELETED', placement_group: 'BROWSE' },
        state: () => templateRow(made.id),
        writable: ['targeting_attributes'],
        expected: { name: 'To retarget', status: 'ACTIVE', targeting_attributes: { LOCATION: ['GB'] } },
      };
    },
    'POST /v5/ad_accounts/{ad_account_id}/ad_groups/audience_sizing': async () => {
      const id = await accountId();
      return {
        url: `/v5/ad_accounts/${id}/ad_groups/audience_sizing`,
        body: { targeting_spec: { LOCATION: ['US'] }, placement_group: 'ALL' },
        readOnly: { audience_size_lower_bound: 4242424242 },
        // Nothing is stored: what the answer says is all there is to check.
        state: async (res) => (res ? res.json() : {}),
        expected: { audience_size_lower_bound: 0, audience_size_upper_bound: 100 },
      };
    },
  };
}
