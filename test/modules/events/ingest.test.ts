import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { ImpressionTokens } from '../../../src/modules/events/index.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { event, makePin, metricValue, newEventId, postEvents, tokenFor } from './helpers.js';

let app: App;
let alice: TestUser;
let bob: TestUser;
let pin1: string;
let pin2: string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await makeUser(app);
  bob = await makeUser(app);
  const board = await makeBoard(app, bob);
  pin1 = await makePin(app, bob, board.id);
  pin2 = await makePin(app, bob, board.id);
});

async function storedRows(ids: string[]) {
  return app.deps.db.selectFrom('events').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

async function batchOutbox(batchId: string) {
  const rows = await app.deps.db
    .selectFrom('outbox')
    .select(['topic', 'payload'])
    .where('topic', '=', 'events.batch')
    .execute();
  return rows.filter((r) => (r.payload as { batchId: string }).batchId === batchId);
}

const tokenRejected = (reason: string) =>
  metricValue(app, 'corkboard_impression_tokens_rejected_total', `reason="${reason}"`);

describe('POST /v5/events', () => {
  it('stores valid events with the served item and emits one events.batch', async () => {
    const t1 = tokenFor(app, alice, pin1, { surface: 'SEARCH', position: 4, requestId: 'abc-1' });
    const t2 = tokenFor(app, alice, pin2, { surface: 'SEARCH', position: 5, requestId: 'abc-1' });
    const e1 = event(t1, pin1, { surface: 'SEARCH', position: 4 });
    const e2 = event(t1, pin1, {
      kind: 'PIN_CLICK',
      surface: undefined,
      position: undefined,
      app_type: 'MOBILE',
    });
    const e3 = event(t2, pin2, { kind: 'OUTBOUND_CLICK', surface: undefined, position: undefined });
    const res = await postEvents(app, alice, { events: [e1, e2, e3] });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
    expect(body.batch_id).toMatch(/^\d+$/);

    const ids = [e1, e2, e3].map((e) => `u${alice.id}:${e.event_id}`);
    const rows = await storedRows(ids);
    expect(rows).toHaveLength(3);
    const first = rows.find((r) => r.id === ids[0])!;
    expect(first).toMatchObject({
      kind: 'IMPRESSION',
      user_id: alice.id,
      pin_id: pin1,
      surface: 'SEARCH',
      position: 4,
      app_type: 'WEB',
      request_id: 'abc-1',
      batch_id: body.batch_id,
      day: (e1.time as string).slice(0, 10),
    });
    expect(new Date(first.occurred_at).toISOString()).toBe(e1.time);
    expect(rows.find((r) => r.id === ids[1])).toMatchObject({
      kind: 'PIN_CLICK',
      app_type: 'MOBILE',
      surface: 'SEARCH',
    });
    const outbox = await batchOutbox(body.batch_id);
    expect(outbox.map((o) => o.payload)).toEqual([
      { batchId: body.batch_id, days: [(e1.time as string).slice(0, 10)] },
    ]);
  });

  it('counts a batch delivered twice once, and reports the second delivery as duplicates', async () => {
    const t = tokenFor(app, alice, pin1);
    const batch = {
      events: [
        event(t, pin1),
        event(t, pin1, { kind: 'PIN_CLICK' }),
        event(tokenFor(app, alice, pin2), pin2),
      ],
    };
    const first = (await postEvents(app, alice, batch)).json();
    expect(first).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
    const again = await postEvents(app, alice, batch);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 3, rejected: [], batch_id: null });
    const ids = batch.events.map((e) => `u${alice.id}:${e.event_id}`);
    expect(await storedRows(ids)).toHaveLength(3);
    expect(await batchOutbox(first.batch_id)).toHaveLength(1);
  });

  it('counts the same event twice in one batch once', async () => {
    const e = event(tokenFor(app, alice, pin1), pin1);
    const res = (await postEvents(app, alice, { events: [e, e] })).json();
    expect(res).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
  });

  it('stores a batch sent twice at once exactly once', async () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      event(tokenFor(app, alice, pin1, { position: i }), pin1, { position: i }),
    );
    const [a, b] = await Promise.all([
      postEvents(app, alice, { events }),
      postEvents(app, alice, { events }),
    ]);
    const results = [a.json(), b.json()];
    expect(results.map((r) => r.accepted).sort()).toEqual([0, 50]);
    expect(results.map((r) => r.duplicates).sort()).toEqual([0, 50]);
    expect(await storedRows(events.map((e) => `u${alice.id}:${e.event_id}`))).toHaveLength(50);
  });

  it('rejects bad events one by one with reasons and keeps the good ones', async () => {
    const now = Date.now();
    const t = () => tokenFor(app, alice, pin1);
    const good = event(t(), pin1);
    const batch = [
      good,
      'not an object',
      event(t(), pin1, { event_id: 'has space' }),
      event(t(), pin1, { kind: 'DANCE' }),
      event(t(), pin1, { kind: 'SAVE' }),
      event(t(), pin1, { time: new Date(now + 10 * 60_000).toISOString() }),
      event(t(), pin1, { time: new Date(now - 72 * 3_600_000).toISOString() }),
      event(t(), pin1, { time: 'yesterday' }),
      event(t(), pin1, { app_type: 'FRIDGE' }),
      event(t(), pin1, { surface: 'NOWHERE' }),
      event(t(), pin1, { impression_token: undefined }),
      event(t(), pin1, { pin_id: 'abc' }),
      event(t(), pin1, { time: new Date(now + 60_000).toISOString() }),
    ];
    const res = await postEvents(app, alice, { events: batch });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    const codes = body.rejected.map((r: { index: number; code: string }) => [r.index, r.code]);
    expect(codes).toEqual([
      [1, 'invalid_event'],
      [2, 'invalid_event_id'],
      [3, 'unknown_kind'],
      [4, 'server_side_kind'],
      [5, 'time_in_future'],
      [6, 'time_too_old'],
      [7, 'invalid_field'],
      [8, 'invalid_field'],
      [9, 'invalid_field'],
      [10, 'token_missing'],
      [11, 'invalid_field'],
    ]);
    for (const r of body.rejected) expect(r.reason).toEqual(expect.any(String));
    expect(body.rejected[3].reason).toMatch(/recorded by the API itself/);
    expect(body.rejected[3].event_id).toBe((batch[4] as { event_id: string }).event_id);
    expect(await storedRows([`u${alice.id}:${good.event_id}`])).toHaveLength(1);
  });

  it('rejects events for pins that do not exist', async () => {
    const ghost = '999999999999';
    const res = (
      await postEvents(app, alice, {
        events: [event(tokenFor(app, alice, ghost), ghost), event(tokenFor(app, alice, pin1), pin1)],
      })
    ).json();
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 0, code: 'unknown_pin' })]);
  });

  it('rejects forged, expired, replayed and misused tokens and counts them by reason', async () => {
    const before = {
      forged: await tokenRejected('forged'),
      expired: await tokenRejected('expired'),
      replayed: await tokenRejected('replayed'),
      wrong_viewer: await tokenRejected('wrong_viewer'),
      mismatch: await tokenRejected('mismatch'),
      malformed: await tokenRejected('malformed'),
    };
    const genuine = tokenFor(app, alice, pin1);
    // Another key: well-formed, not ours.
    const foreign = new ImpressionTokens(Buffer.alloc(32, 7)).issue({
      viewerUserId: alice.id,
      pinId: pin1,
      surface: 'HOME_FEED',
      position: 0,
      requestId: 'x',
    });
    // One character of the signature changed.
    const last = genuine.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${genuine.slice(0, -2)}${last}${genuine.at(-1)}`;
    const expired = tokenFor(app, alice, pin1, { now: Date.now() - 25 * 3_600_000 });
    const used = tokenFor(app, alice, pin2);
    const first = await postEvents(app, alice, { events: [event(used, pin2)] });
    expect(first.json().accepted).toBe(1);

    const replayInBatch = tokenFor(app, alice, pin1);
    const batch = [
      event(foreign, pin1),
      event(tampered, pin1),
      event(expired, pin1, { time: new Date(Date.now() - 3_600_000).toISOString() }),
      event(used, pin2),
      event(replayInBatch, pin1),
      event(replayInBatch, pin1),
      event(tokenFor(app, bob, pin1), pin1),
      event(tokenFor(app, alice, pin2), pin1),
      event(tokenFor(app, alice, pin1, { surface: 'BOARD' }), pin1, { surface: 'HOME_FEED' }),
      event('%%%not-a-token', pin1),
    ];
    const res = await postEvents(app, alice, { events: batch });
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [0, 'token_forged'],
      [1, 'token_forged'],
      [2, 'token_expired'],
      [3, 'token_replayed'],
      [5, 'token_replayed'],
      [6, 'token_not_yours'],
      [7, 'token_mismatch'],
      [8, 'token_mismatch'],
      [9, 'token_malformed'],
    ]);
    expect(await tokenRejected('forged')).toBe(before.forged + 2);
    expect(await tokenRejected('expired')).toBe(before.expired + 1);
    expect(await tokenRejected('replayed')).toBe(before.replayed + 2);
    expect(await tokenRejected('wrong_viewer')).toBe(before.wrong_viewer + 1);
    expect(await tokenRejected('mismatch')).toBe(before.mismatch + 2);
    expect(await tokenRejected('malformed')).toBe(before.malformed + 1);
  });

  it('takes one use of a token per kind: an impression and a click of the same item both count', async () => {
    const t = tokenFor(app, alice, pin1);
    const res = (
      await postEvents(app, alice, {
        events: [
          event(t, pin1),
          event(t, pin1, { kind: 'PIN_CLICK' }),
          event(t, pin1, { kind: 'OUTBOUND_CLICK' }),
        ],
      })
    ).json();
    expect(res).toMatchObject({ accepted: 3, rejected: [] });
    const replay = (await postEvents(app, alice, { events: [event(t, pin1, { kind: 'PIN_CLICK' })] })).json();
    expect(replay.rejected).toEqual([expect.objectContaining({ code: 'token_replayed' })]);
  });

  it('takes app-only events with a device id, stored under the device', async () => {
    const auth = await alice.auth();
    const principal = (await app.product.authenticate(auth.authorization.slice(7)))!;
    const appToken = app.product.impressionTokens.issue({
      viewerAppId: principal.appId,
      pinId: pin1,
      surface: 'RELATED',
      position: 2,
      requestId: 'r',
    });
    const withDevice = event(appToken, pin1, { device_id: 'device-42', surface: 'RELATED', position: 2 });
    const without = event(
      app.product.impressionTokens.issue({
        viewerAppId: principal.appId,
        pinId: pin1,
        surface: 'RELATED',
        position: 2,
        requestId: 'r',
      }),
      pin1,
      { surface: 'RELATED', position: 2 },
    );
    const res = (await postEvents(app, alice, { events: [withDevice, without] })).json();
    expect(res.accepted).toBe(1);
    expect(res.rejected).toEqual([expect.objectContaining({ index: 1, code: 'device_id_required' })]);
    const [row] = await storedRows([`ddevice-42:${withDevice.event_id}`]);
    expect(row).toMatchObject({
      user_id: null,
      device_id: 'device-42',
      app_id: principal.appId,
      surface: 'RELATED',
    });
  });

  it('takes SESSION_START without a token or pin, under the caller, once per event id', async () => {
    const session = (over: Record<string, unknown> = {}) => ({
      event_id: newEventId(),
      kind: 'SESSION_START',
      time: new Date().toISOString(),
      app_type: 'MOBILE',
      ...over,
    });
    const s1 = session();
    // A token and pin sent along are not read (a session concerns no item).
    const s2 = session({ impression_token: 'whatever', pin_id: '999999999', surface: 'NOWHERE' });
    const item = event(tokenFor(app, alice, pin1), pin1);
    const res = (await postEvents(app, alice, { events: [s1, item, s2, s1] })).json();
    expect(res).toMatchObject({ accepted: 3, duplicates: 1, rejected: [] });
    const rows = await storedRows([`u${alice.id}:${s1.event_id}`, `u${alice.id}:${s2.event_id}`]);
    expect(rows).toHaveLength(2);
    for (const r of rows)
      expect(r).toMatchObject({
        kind: 'SESSION_START',
        user_id: alice.id,
        pin_id: null,
        surface: null,
        position: null,
        app_type: 'MOBILE',
        batch_id: res.batch_id,
      });
    expect(await batchOutbox(res.batch_id)).toHaveLength(1);
    // A retry is a duplicate, stored nothing twice.
    const again = (await postEvents(app, alice, { events: [s1, s2] })).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 2, rejected: [], batch_id: null });

    // Checked like any event: time window, app type, device id.
    const bad = (
      await postEvents(app, alice, {
        events: [
          session({ time: new Date(Date.now() + 3_600_000).toISOString() }),
          session({ app_type: 'FRIDGE' }),
          session({ device_id: 'has space' }),
          session({ event_id: 'no:colons' }),
        ],
      })
    ).json();
    expect(bad.rejected.map((r: { code: string }) => r.code)).toEqual([
      'time_in_future',
      'invalid_field',
      'invalid_field',
      'invalid_event_id',
    ]);
    expect(bad.accepted).toBe(0);

    // An app-only caller: the device it names, which it must name.
    const principal = (await app.product.authenticate((await alice.auth()).authorization.slice(7)))!;
    const appOnly = { ...principal, appOnly: true };
    const withDevice = session({ device_id: 'tablet-7' });
    const out = await app.product.events.ingest(appOnly, [withDevice, session()]);
    expect(out.accepted).toBe(1);
    expect(out.rejected).toEqual([expect.objectContaining({ index: 1, code: 'device_id_required' })]);
    const [row] = await storedRows([`dtablet-7:${withDevice.event_id}`]);
    expect(row).toMatchObject({ kind: 'SESSION_START', user_id: null, device_id: 'tablet-7' });
  });

  it('refuses a batch over 1,000 events whole, with nothing written', async () => {
    const t = tokenFor(app, alice, pin1);
    const events = Array.from({ length: 1001 }, (_, i) => event(t, pin1, { event_id: `big-${i}` }));
    const res = await postEvents(app, alice, { events });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: expect.any(Number), message: expect.stringMatching(/1000/) });
    expect(await storedRows([`u${alice.id}:big-0`])).toHaveLength(0);
  });

  it('answers 400 {code, message} to bodies that are not a batch', async () => {
    for (const body of ['{"events": [', '[]', '{"events": "x"}', '{}', '{"events": null}', 'null', '"x"']) {
      const res = await postEvents(app, alice, body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json(), body).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    const empty = await postEvents(app, alice, { events: [] });
    expect(empty.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [], batch_id: null });
  });

  it('needs an access token, no scope, and has its own rate-limit category', async () => {
    const res = await app.http.inject({ method: 'POST', url: '/v5/events', payload: { events: [] } });
    expect(res.statusCode).toBe(401);
    const noScopes = await app.http.inject({
      method: 'POST',
      url: '/v5/events',
      headers: await alice.auth([]),
      payload: { events: [] },
    });
    expect(noScopes.statusCode).toBe(200);
    const route = app.http.securedRoutes.find((r) => r.url === '/v5/events');
    expect(route).toMatchObject({ method: 'POST', scopes: [], rateLimit: 'events_write' });
  });
});
