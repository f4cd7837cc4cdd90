import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import { emit } from '../../../src/modules/topics.js';
import { eventually } from '../../helpers/app.js';
import { makeBoard, makePin, type TestUser } from '../../helpers/factories.js';
import { ensurePartitions } from '../analytics/helpers.js';
import { call, makeAdAccount, makeCampaigns } from './helpers.js';

export interface AdEvent {
  kind: 'IMPRESSION' | 'PIN_CLICK' | 'OUTBOUND_CLICK' | 'SAVE';
  adId: string | null;
  pinId: string;
  at: Date;
  appType?: 'MOBILE' | 'TABLET' | 'WEB' | 'OTHER';
  /** Where the ad was served (HOME_FEED, RELATED, SEARCH, ...); none by default. */
  surface?: string;
}

/** An account with two campaigns, three ad groups and three ads promoting two pins. */
export interface AdWorld {
  account: string;
  campaigns: [string, string];
  groups: [string, string, string];
  /** a1 (campaign 0, group 0, pin 0), a2 (campaign 0, group 1, pin 1), a3 (campaign 1, group 2, pin 0). */
  ads: [string, string, string];
  pins: [string, string];
}

/** Builds an ad world for `owner` through the API. */
export async function makeAdWorld(app: App, owner: TestUser): Promise<AdWorld> {
  const account = await makeAdAccount(app, owner);
  const [c1, c2] = await makeCampaigns(app, owner, account, [
    { name: 'One', objective_type: 'CONSIDERATION' },
    { name: 'Two', objective_type: 'CONSIDERATION' },
  ]);
  const group = (campaignId: string, name: string) => ({
    name,
    campaign_id: campaignId,
    billable_event: 'CLICKTHROUGH',
    budget_in_micro_currency: 10_000_000,
    bid_in_micro_currency: 500_000,
  });
  const res = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ad_groups`, [
    group(c1!.id, 'G1'),
    group(c1!.id, 'G2'),
    group(c2!.id, 'G3'),
  ]);
  expect(res.statusCode, res.body).toBe(200);
  const groups = res.json().items.map((i: { data: { id: string } }) => i.data.id) as string[];
  const board = await makeBoard(app, owner, { privacy: 'PUBLIC' });
  const pins = [await makePin(app, owner, board.id), await makePin(app, owner, board.id)];
  const made = await call(app, owner, 'POST', `/v5/ad_accounts/${account}/ads`, [
    { ad_group_id: groups[0], pin_id: pins[0], creative_type: 'REGULAR', name: 'Ad 1' },
    { ad_group_id: groups[1], pin_id: pins[1], creative_type: 'REGULAR', name: 'Ad 2' },
    { ad_group_id: groups[2], pin_id: pins[0], creative_type: 'REGULAR', name: 'Ad 3' },
  ]);
  expect(made.statusCode, made.body).toBe(200);
  const ads = made.json().items.map((i: { data: { id: string } }) => i.data.id) as string[];
  return {
    account,
    campaigns: [c1!.id, c2!.id],
    groups: groups as [string, string, string],
    ads: ads as [string, string, string],
    pins: pins as [string, string],
  };
}

let batchSeq = BigInt(Date.now()) * 1000n + 7n;

/**
 * Writes one accepted batch as the events module does (rows and the events.batch outbox event in one
 * transaction) and waits until the ads rollup has committed it.
 */
export async function writeAdEvents(app: App, user: string, events: readonly AdEvent[]): Promise<void> {
  const db = app.deps.db;
  const days = [...new Set(events.map((e) => e.at.toISOString().slice(0, 10)))].sort();
  await ensurePartitions(db, days);
  const batchId = (batchSeq++).toString();
  const eventId = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('events')
      .values(
        events.map((e) => ({
          day: e.at.toISOString().slice(0, 10),
          id: `t:${randomBytes(8).toString('hex')}`,
          kind: e.kind,
          occurred_at: e.at,
          user_id: user,
          pin_id: e.pinId,
          ad_id: e.adId,
          app_type: e.appType ?? 'WEB',
          surface: e.surface ?? null,
          batch_id: batchId,
        })),
      )
      .execute();
    return emit(trx, 'events.batch', { batchId, days });
  });
  app.deps.eventsCommitted();
  await waitAdRollup(app, eventId);
}

/** Waits until the ads rollup has committed this outbox event. */
export async function waitAdRollup(app: App, eventId: string): Promise<void> {
  await eventually(
    () =>
      app.deps.db
        .selectFrom('job_done')
        .select('event_id')
        .where('event_id', '=', eventId)
        .where('consumer', '=', 'ads.stats-rollup')
        .executeTakeFirst(),
    15_000,
  );
}

/** `n` copies of an event. */
export function times(n: number, e: AdEvent): AdEvent[] {
  return Array.from({ length: n }, () => ({ ...e }));
}

/** The day `n` days before today (UTC). */
export function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** A time of a day (UTC), hours and minutes. */
export function at(day: string, hour: number, minute = 0): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000 + minute * 60_000);
}

/** Spend written as billing will write it (the auction is not built yet): onto one rolled row. */
export async function setSpend(app: App, adId: string, hour: Date, micro: number): Promise<void> {
  const r = await app.deps.db
    .updateTable('ad_hourly_stats')
    .set({ spend_micro: micro })
    .where('ad_id', '=', adId)
    .where('hour', '=', hour)
    .executeTakeFirst();
  expect(Number(r.numUpdatedRows)).toBeGreaterThan(0);
}
