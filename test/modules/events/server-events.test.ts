import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';

let app: App;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  app = await startTestApp();
  alice = await makeUser(app);
  bob = await makeUser(app);
});

async function eventsOf(userId: string) {
  return app.deps.db
    .selectFrom('events')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

async function outboxFor(batchId: string) {
  const rows = await app.deps.db
    .selectFrom('outbox')
    .select('payload')
    .where('topic', '=', 'events.batch')
    .execute();
  return rows
    .map((r) => r.payload as { batchId: string; days: string[] })
    .filter((p) => p.batchId === batchId);
}

describe('events the API records itself', () => {
  it('records FOLLOW and UNFOLLOW of people and boards, once per change', async () => {
    const auth = await alice.auth();
    const board = await makeBoard(app, bob);
    const call = (method: 'POST' | 'DELETE', url: string) =>
      app.http.inject({ method, url, headers: auth, ...(method === 'POST' ? { payload: {} } : {}) });
    expect((await call('POST', `/v5/user_account/following/${bob.username}`)).statusCode).toBe(200);
    // Following again changes nothing and records nothing.
    expect((await call('POST', `/v5/user_account/following/${bob.username}`)).statusCode).toBe(200);
    expect((await call('DELETE', `/v5/user_account/following/${bob.username}`)).statusCode).toBe(204);
    expect((await call('POST', `/v5/user_account/following/boards/${board.id}`)).statusCode).toBe(200);
    expect((await call('DELETE', `/v5/user_account/following/boards/${board.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/v5/user_account/following/boards/${board.id}`)).statusCode).toBe(204);

    const rows = await eventsOf(alice.id);
    expect(rows.map((r) => [r.kind, r.target_user_id, r.board_id])).toEqual([
      ['FOLLOW', bob.id, null],
      ['UNFOLLOW', bob.id, null],
      ['FOLLOW', bob.id, board.id],
      ['UNFOLLOW', null, board.id],
    ]);
    for (const r of rows) {
      expect(r.id).toMatch(new RegExp(`^u${alice.id}:s:\\d+:0$`));
      expect(r.app_type).toBe('OTHER');
      expect(await outboxFor(r.batch_id)).toEqual([{ batchId: r.batch_id, days: [r.day] }]);
    }
  });

  it('records SEARCH for the first page of a search, with the query and the request id', async () => {
    const auth = await bob.auth();
    const res = await app.http.inject({
      method: 'GET',
      url: '/v5/search/pins?query=red%20shoes',
      headers: { ...auth, 'x-request-id': 'search-req-1' },
    });
    expect(res.statusCode).toBe(200);
    const boards = await app.http.inject({
      method: 'GET',
      url: '/v5/search/boards?query=lamps',
      headers: auth,
    });
    expect(boards.statusCode).toBe(200);
    const searches = (await eventsOf(bob.id)).filter((r) => r.kind === 'SEARCH');
    expect(searches.map((r) => [r.query, r.surface])).toEqual([
      ['red shoes', 'SEARCH'],
      ['lamps', 'SEARCH'],
    ]);
    expect(searches[0]!.request_id).toBe('search-req-1');
  });

  it('records nothing when the caller rolls back', async () => {
    const carol = await makeUser(app);
    await expect(
      app.deps.db.transaction().execute(async (trx) => {
        await app.product.events.record(trx, [{ kind: 'SAVE', userId: carol.id, pinId: '1' }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await eventsOf(carol.id)).toEqual([]);
    const batch = await app.deps.db
      .transaction()
      .execute((trx) =>
        app.product.events.record(trx, [{ kind: 'SAVE', userId: carol.id, pinId: '1', appType: 'TABLET' }]),
      );
    const rows = await eventsOf(carol.id);
    expect(rows).toMatchObject([{ kind: 'SAVE', pin_id: '1', app_type: 'TABLET', batch_id: batch }]);
  });
});
