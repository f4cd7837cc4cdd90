import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import { ATTRIBUTION_CONSUMER } from '../../../src/modules/ads/analytics/index.js';
import { eventually } from '../../helpers/app.js';
import type { TestUser } from '../../helpers/factories.js';
import { call } from './helpers.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A conversion event of `buyer` (matched by their e-mail hash) at `at`: a web checkout unless told. */
export function conversion(
  id: string,
  buyer: TestUser | string,
  at: Date,
  extra: Record<string, unknown> = {},
) {
  const email = typeof buyer === 'string' ? buyer : `${buyer.username}@example.org`;
  return {
    event_name: 'checkout',
    action_source: 'web',
    event_time: Math.floor(at.getTime() / 1000),
    event_id: id,
    user_data: { em: [sha(email)] },
    custom_data: { currency: 'USD', value: '12.50' },
    ...extra,
  };
}

/** Sends conversion events to an account as `owner`; every event must be processed. */
export async function sendConversions(
  app: App,
  owner: TestUser,
  account: string,
  events: object[],
  test = false,
) {
  const res = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/events${test ? '?test=true' : ''}`, {
    data: events,
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().num_events_processed, res.body).toBe(events.length);
  return res.json() as { events: { warning_message: string | null }[] };
}

/** Waits until the attribution consumer has committed every conversion batch announced so far. */
export async function waitAttribution(app: App): Promise<void> {
  await eventually(async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from outbox o
       where o.topic = 'ads.conversions.received'
         and not exists (select 1 from job_done d where d.event_id = o.id and d.consumer = ${ATTRIBUTION_CONSUMER})`.execute(
      app.deps.db,
    );
    return rows[0]!.n === 0;
  }, 15_000);
}

/** The attributions of an account's conversions, by event id: [event_id, ad_id, touch, value_micro]. */
export async function credited(app: App, account: string, eventIds: string[]) {
  const rows = await app.deps.db
    .selectFrom('ad_attributions')
    .select(['event_id', 'ad_id', 'touch', 'value_micro'])
    .where('ad_account_id', '=', account)
    .where('event_id', 'in', eventIds)
    .orderBy('event_id')
    .execute();
  return rows.map((r) => [r.event_id, r.ad_id, r.touch, r.value_micro]);
}
