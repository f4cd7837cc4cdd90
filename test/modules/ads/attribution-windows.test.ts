import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { attributionRepository } from '../../../src/modules/ads/attribution/attribution.repository.js';
import { startTestApp } from '../../helpers/app.js';
import { makeUser, type TestUser } from '../../helpers/factories.js';
import { testMode } from '../../helpers/mode.js';
import { type AdWorld, makeAdWorld, writeAdEvents } from './analytics-helpers.js';
import { conversion, credited, sendConversions, waitAttribution } from './attribution-helpers.js';

const H = 3_600_000;
const D = 24 * H;
const T = new Date(Math.floor((Date.now() - 120_000) / 1000) * 1000);
const ago = (ms: number) => new Date(T.getTime() - ms);

let app: App;
let owner: TestUser;
let w: AdWorld;

beforeAll(async () => {
  app = await startTestApp({
    env: { ADS_ATTRIBUTION_CLICK_DAYS: '40', ADS_ATTRIBUTION_VIEW_DAYS: '3', EVENTS_RETENTION_DAYS: '60' },
  });
  owner = await makeUser(app);
  w = await makeAdWorld(app, owner);
});

describe(`attribution windows from the configuration (${testMode()})`, () => {
  it('ADS_ATTRIBUTION_CLICK_DAYS and ADS_ATTRIBUTION_VIEW_DAYS decide which clicks and views count', async () => {
    const [clicker, viewer, late] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
    const [a1, a2] = w.ads;
    const [p1, p2] = w.pins;
    // With the defaults (30 and 1 days) none of these would be credited.
    await writeAdEvents(app, clicker.id, [
      { kind: 'PIN_CLICK', adId: a1, pinId: p1, at: ago(31 * D) },
      { kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(H) },
    ]);
    await writeAdEvents(app, viewer.id, [{ kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(2 * D) }]);
    // Past these windows too: a click 41 days old, a view 4 days old.
    await writeAdEvents(app, late.id, [
      { kind: 'OUTBOUND_CLICK', adId: a1, pinId: p1, at: ago(41 * D) },
      { kind: 'IMPRESSION', adId: a2, pinId: p2, at: ago(4 * D) },
    ]);
    await sendConversions(app, owner, w.account, [
      conversion('w-click', clicker, T),
      conversion('w-view', viewer, T),
      conversion('w-late', late, T),
    ]);
    await waitAttribution(app);
    expect(await credited(app, w.account, ['w-click', 'w-late', 'w-view'])).toEqual([
      ['w-click', a1, 'CLICK', '12500000'],
      ['w-view', a2, 'VIEW', '12500000'],
    ]);
  });

  it('a view window of 0 credits no view', async () => {
    const viewer = await makeUser(app);
    await writeAdEvents(app, viewer.id, [
      { kind: 'IMPRESSION', adId: w.ads[2], pinId: w.pins[0], at: ago(H) },
    ]);
    await sendConversions(app, owner, w.account, [conversion('v-off', viewer, T)]);
    await waitAttribution(app);
    await app.deps.db
      .deleteFrom('ad_attributions')
      .where('ad_account_id', '=', w.account)
      .where('event_id', '=', 'v-off')
      .execute();
    const db = app.deps.db;
    expect(
      await attributionRepository.attribute(db, w.account, ['v-off'], { clickDays: 40, viewDays: 0 }),
    ).toBe(0);
    expect(await credited(app, w.account, ['v-off'])).toEqual([]);
    expect(
      await attributionRepository.attribute(db, w.account, ['v-off'], { clickDays: 40, viewDays: 1 }),
    ).toBe(1);
    expect(await credited(app, w.account, ['v-off'])).toEqual([['v-off', w.ads[2], 'VIEW', '12500000']]);
  });
});
