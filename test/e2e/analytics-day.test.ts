import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';

// A scripted day: a creator's pins are served to two viewers through the API, the viewers report
// impressions and clicks through POST /v5/events with the tokens they were served, one saves a pin, and
// every analytics endpoint then shows exactly that.

let app: App;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let p1: string;
let p2: string;
const today = new Date().toISOString().slice(0, 10);

async function call(user: TestUser, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return app.http.inject({ method, url, headers: await user.auth(), payload: payload as object });
}

/** The impression tokens of a board page as `viewer` was served it, by pin id. */
async function served(viewer: TestUser, boardId: string): Promise<Map<string, string>> {
  const res = await call(viewer, 'GET', `/v5/boards/${boardId}/pins`);
  expect(res.statusCode).toBe(200);
  const items = res.json().items as { id: string; impression_token?: string }[];
  for (const item of items) expect(item.impression_token).toMatch(/^[A-Za-z0-9_-]{40,}(\.\d)?$/);
  items.forEach((p, i) => {
    positions.set(p.impression_token!, i);
  });
  return new Map(items.map((p) => [p.id, p.impression_token!]));
}

/** Where each token's item was in its page. */
const positions = new Map<string, number>();

const ev = (
  kind: string,
  pinId: string,
  token: string,
  appType: string,
  id = randomBytes(6).toString('hex'),
) => ({
  event_id: id,
  kind,
  time: new Date().toISOString(),
  impression_token: token,
  pin_id: pinId,
  surface: 'BOARD',
  position: positions.get(token) ?? 0,
  app_type: appType,
});

beforeAll(async () => {
  app = await startTestApp();
  [alice, bob, carol] = [await makeUser(app), await makeUser(app), await makeUser(app)];
  const board = await makeBoard(app, alice);
  const data = (await makeImage({ width: 40, height: 30 })).toString('base64');
  const pin = async () =>
    (
      await call(alice, 'POST', '/v5/pins', {
        board_id: board.id,
        media_source: { source_type: 'image_base64', content_type: 'image/png', data },
      })
    ).json().id as string;
  p1 = await pin();
  p2 = await pin();

  const bobTokens = await served(bob, board.id);
  const carolTokens = await served(carol, board.id);
  // Bob, on the web: sees both pins, opens p1 and follows its link.
  const bobImpression = ev('IMPRESSION', p1, bobTokens.get(p1)!, 'WEB');
  const bobEvents = [
    bobImpression,
    ev('IMPRESSION', p2, bobTokens.get(p2)!, 'WEB'),
    ev('PIN_CLICK', p1, bobTokens.get(p1)!, 'WEB'),
    ev('OUTBOUND_CLICK', p1, bobTokens.get(p1)!, 'WEB'),
  ];
  const first = await call(bob, 'POST', '/v5/events', { events: bobEvents });
  expect(first.json()).toMatchObject({ accepted: 4, duplicates: 0, rejected: [] });
  // The same batch again (a client retry): nothing counts twice.
  const retry = await call(bob, 'POST', '/v5/events', { events: bobEvents });
  expect(retry.json()).toMatchObject({ accepted: 0, duplicates: 4, rejected: [] });
  // A second impression on the same served item is a replay; a token served to Bob is not Carol's;
  // a token with a flipped character is forged. None of them count.
  const genuine = bobTokens.get(p2)!;
  const tampered = `${genuine.slice(0, 12)}${genuine[12] === 'A' ? 'B' : 'A'}${genuine.slice(13)}`;
  const bad = await call(bob, 'POST', '/v5/events', {
    events: [ev('IMPRESSION', p1, bobTokens.get(p1)!, 'WEB'), ev('PIN_CLICK', p2, tampered, 'WEB')],
  });
  expect(bad.json().accepted).toBe(0);
  expect(bad.json().rejected).toHaveLength(2);
  const stolen = await call(carol, 'POST', '/v5/events', {
    events: [ev('IMPRESSION', p1, bobTokens.get(p1)!, 'MOBILE')],
  });
  expect(stolen.json()).toMatchObject({ accepted: 0 });
  // Carol, on her phone: sees both, opens p2.
  const carolBatch = await call(carol, 'POST', '/v5/events', {
    events: [
      ev('IMPRESSION', p1, carolTokens.get(p1)!, 'MOBILE'),
      ev('IMPRESSION', p2, carolTokens.get(p2)!, 'MOBILE'),
      ev('PIN_CLICK', p2, carolTokens.get(p2)!, 'MOBILE'),
    ],
  });
  expect(carolBatch.json()).toMatchObject({ accepted: 3, rejected: [] });
  // Bob saves p1 to his own board (the API records the SAVE; its app type is OTHER).
  const bobBoard = await makeBoard(app, bob);
  expect((await call(bob, 'POST', `/v5/pins/${p1}/save`, { board_id: bobBoard.id })).statusCode).toBe(201);

  // Everything rolled up: 4 impressions and the save.
  await eventually(async () => {
    const res = await call(alice, 'GET', `/v5/user_account/analytics?start_date=${today}&end_date=${today}`);
    const m = res.json().all?.summary_metrics;
    return m?.IMPRESSION === 4 && m?.SAVE === 1;
  }, 20_000);
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('a scripted day of activity, end to end', () => {
  it('GET /v5/user_account/analytics: every metric and rate, split by app type', async () => {
    const res = await call(alice, 'GET', `/v5/user_account/analytics?start_date=${today}&end_date=${today}`);
    expectResponseMatchesSpec('GET', '/user_account/analytics', 200, res.json());
    const all = res.json().all;
    expect(all.summary_metrics).toEqual({
      IMPRESSION: 4,
      SAVE: 1,
      PIN_CLICK: 2,
      OUTBOUND_CLICK: 1,
      ENGAGEMENT: 4,
      ENGAGEMENT_RATE: 1,
      SAVE_RATE: 0.25,
      PIN_CLICK_RATE: 0.5,
      OUTBOUND_CLICK_RATE: 0.25,
    });
    expect(all.daily_metrics).toEqual([
      { date: today, data_status: 'PROCESSING', metrics: all.summary_metrics },
    ]);
    const split = (
      await call(
        alice,
        'GET',
        `/v5/user_account/analytics?start_date=${today}&end_date=${today}&split_field=APP_TYPE&metric_types=IMPRESSION,SAVE,PIN_CLICK`,
      )
    ).json();
    expectResponseMatchesSpec('GET', '/user_account/analytics', 200, split);
    const bySplit = Object.fromEntries(
      Object.entries(split).map(([k, v]) => [k, (v as { summary_metrics: unknown }).summary_metrics]),
    );
    expect(bySplit).toEqual({
      WEB: { IMPRESSION: 2, SAVE: 0, PIN_CLICK: 1 },
      MOBILE: { IMPRESSION: 2, SAVE: 0, PIN_CLICK: 1 },
      TABLET: { IMPRESSION: 0, SAVE: 0, PIN_CLICK: 0 },
      OTHER: { IMPRESSION: 0, SAVE: 1, PIN_CLICK: 0 },
    });
  });

  it('GET /v5/pins/{pin_id}/analytics and GET /v5/pins/analytics, pin by pin', async () => {
    const one = await call(
      alice,
      'GET',
      `/v5/pins/${p1}/analytics?start_date=${today}&end_date=${today}&metric_types=IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK,SAVE_RATE`,
    );
    expect(one.statusCode, one.body).toBe(200);
    expectResponseMatchesSpec('GET', '/pins/{pin_id}/analytics', 200, one.json());
    expect(one.json().all.summary_metrics).toEqual({
      IMPRESSION: 2,
      SAVE: 1,
      PIN_CLICK: 1,
      OUTBOUND_CLICK: 1,
      SAVE_RATE: 0.5,
    });
    const many = await call(
      alice,
      'GET',
      `/v5/pins/analytics?pin_ids=${p1},${p2}&start_date=${today}&end_date=${today}&metric_types=IMPRESSION,PIN_CLICK,SAVE,SAVE_RATE`,
    );
    expect(many.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/pins/analytics', 200, many.json());
    expect(many.json()[p1].all.summary_metrics).toEqual({
      IMPRESSION: 2,
      PIN_CLICK: 1,
      SAVE_RATE: 0.5,
      SAVE: 1,
    });
    expect(many.json()[p2].all.summary_metrics).toEqual({
      IMPRESSION: 2,
      PIN_CLICK: 1,
      SAVE_RATE: 0,
      SAVE: 0,
    });
    // Not Bob's to see.
    expect(
      (
        await call(
          bob,
          'GET',
          `/v5/pins/${p1}/analytics?start_date=${today}&end_date=${today}&metric_types=IMPRESSION`,
        )
      ).statusCode,
    ).toBe(404);
  });

  it('GET /v5/user_account/analytics/top_pins ranks by the metric asked', async () => {
    const res = await call(
      alice,
      'GET',
      `/v5/user_account/analytics/top_pins?start_date=${today}&end_date=${today}&sort_by=ENGAGEMENT`,
    );
    expect(res.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/user_account/analytics/top_pins', 200, res.json());
    const pins = res.json().pins as { pin_id: string; metrics: Record<string, number> }[];
    expect(pins.map((p) => p.pin_id)).toEqual([p1, p2]);
    expect(pins[0]!.metrics).toMatchObject({ ENGAGEMENT: 3, IMPRESSION: 2, SAVE: 1 });
    expect(pins[1]!.metrics).toMatchObject({ ENGAGEMENT: 1, IMPRESSION: 2, SAVE: 0 });
  });

  it('pin_metrics=true shows the owner the 90-day and lifetime counts, and others null', async () => {
    const own = (await call(alice, 'GET', `/v5/pins/${p1}?pin_metrics=true`)).json();
    expectResponseMatchesSpec('GET', '/pins/{pin_id}', 200, own);
    const counts = { impression: 2, save: 1, pin_click: 1, clickthrough: 1 };
    expect(own.pin_metrics).toEqual({ '90d': counts, lifetime_metrics: counts });
    expect((await call(bob, 'GET', `/v5/pins/${p1}?pin_metrics=true`)).json().pin_metrics).toBeNull();
    expect((await call(alice, 'GET', `/v5/pins/${p1}`)).json().pin_metrics).toBeUndefined();
    // On a board page too: the owner's pins carry their counts, every pin its impression token.
    const page = (await call(alice, 'GET', `/v5/boards/${own.board_id}/pins?pin_metrics=true`)).json();
    expectResponseMatchesSpec('GET', '/boards/{board_id}/pins', 200, page);
    const onPage = page.items.find((p: { id: string }) => p.id === p1);
    expect(onPage.pin_metrics).toEqual({ '90d': counts, lifetime_metrics: counts });
    for (const item of page.items) expect(item.impression_token).toEqual(expect.any(String));
    const seen = (await call(bob, 'GET', `/v5/boards/${own.board_id}/pins?pin_metrics=true`)).json();
    expect(seen.items.find((p: { id: string }) => p.id === p1).pin_metrics).toBeNull();
    // Not a boolean: a 400 with {code, message}, on a single pin and on a board page.
    for (const url of [`/v5/pins/${p1}?pin_metrics=maybe`, `/v5/boards/${own.board_id}/pins?pin_metrics=2`]) {
      const bad = await call(alice, 'GET', url);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({
        code: expect.any(Number),
        message: expect.stringContaining('pin_metrics'),
      });
    }
  });
});
