import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { makeBoard, makeUser, PUBLIC_ONLY, type TestUser } from '../helpers/factories.js';

let app: App;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  owner = await makeUser(app);
  other = await makeUser(app);
});

async function call(
  method: string,
  url: string,
  user: TestUser,
  payload?: unknown,
  scopes?: readonly string[],
) {
  const res = await app.http.inject({
    method: method as 'GET',
    url,
    headers: await user.auth(scopes),
    payload: payload as object,
  });
  return res;
}

describe('boards', () => {
  it('creates, reads, updates and deletes a board, as the spec shapes them', async () => {
    const created = await call('POST', '/v5/boards', owner, {
      name: 'Summer recipes',
      description: 'Salads',
    });
    expect(created.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/boards', 201, created.json());
    const board = created.json();
    expect(board).toMatchObject({
      name: 'Summer recipes',
      description: 'Salads',
      privacy: 'PUBLIC',
      pin_count: 0,
      owner: { username: owner.username },
    });

    const got = await call('GET', `/v5/boards/${board.id}`, other);
    expect(got.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 200, got.json());

    const patched = await call('PATCH', `/v5/boards/${board.id}`, owner, {
      name: 'Winter recipes',
      description: null,
    });
    expect(patched.statusCode).toBe(200);
    expectResponseMatchesSpec('PATCH', '/boards/{board_id}', 200, patched.json());
    expect(patched.json()).toMatchObject({ name: 'Winter recipes', description: null });

    const forbidden = await call('PATCH', `/v5/boards/${board.id}`, other, { name: 'mine now' });
    expect(forbidden.statusCode).toBe(403);
    expectResponseMatchesSpec('PATCH', '/boards/{board_id}', 403, forbidden.json());
    expect((await call('DELETE', `/v5/boards/${board.id}`, other)).statusCode).toBe(403);

    const deleted = await call('DELETE', `/v5/boards/${board.id}`, owner);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const gone = await call('GET', `/v5/boards/${board.id}`, owner);
    expect(gone.statusCode).toBe(404);
    expectResponseMatchesSpec('GET', '/boards/{board_id}', 404, gone.json());
  });

  it("lists the viewer's boards newest first across pages, without duplicates or gaps", async () => {
    const lister = await makeUser(app);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await makeBoard(app, lister, { name: `b${i}` })).id);
    const seen: string[] = [];
    let bookmark: string | null = null;
    do {
      const res = await call(
        'GET',
        `/v5/boards?page_size=3${bookmark ? `&bookmark=${bookmark}` : ''}`,
        lister,
      );
      expect(res.statusCode).toBe(200);
      expectResponseMatchesSpec('GET', '/boards', 200, res.json());
      seen.push(...res.json().items.map((b: { id: string }) => b.id));
      bookmark = res.json().bookmark;
    } while (bookmark);
    expect(seen).toEqual([...made].reverse());
  });

  it('keeps secret boards invisible to everyone but the owner with the secret scope', async () => {
    const secret = await makeBoard(app, owner, { name: 'Surprise party', privacy: 'SECRET' });
    const pub = await makeBoard(app, owner, { name: 'Open plans' });
    // Another user: 404, not 403, for reads and writes alike.
    for (const [method, payload] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
      const res = await call(method, `/v5/boards/${secret.id}`, other, payload);
      expect(res.statusCode).toBe(404);
    }
    expect((await call('GET', `/v5/boards/${secret.id}/sections`, other)).statusCode).toBe(404);
    // The owner without boards:read_secret is told which scope is missing.
    const noScope = await call('GET', `/v5/boards/${secret.id}`, owner, undefined, PUBLIC_ONLY);
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json().message).toContain('boards:read_secret');
    // Lists: secret only with the scope.
    const withScope = (await call('GET', '/v5/boards?page_size=250', owner))
      .json()
      .items.map((b: { id: string }) => b.id);
    expect(withScope).toEqual(expect.arrayContaining([secret.id, pub.id]));
    const without = (await call('GET', '/v5/boards?page_size=250', owner, undefined, PUBLIC_ONLY))
      .json()
      .items.map((b: { id: string }) => b.id);
    expect(without).toContain(pub.id);
    expect(without).not.toContain(secret.id);
    expect((await call('GET', '/v5/boards?privacy=SECRET', owner, undefined, PUBLIC_ONLY)).statusCode).toBe(
      403,
    );
    const onlySecret = (await call('GET', '/v5/boards?privacy=SECRET', owner)).json().items;
    expect(onlySecret.every((b: { privacy: string }) => b.privacy === 'SECRET')).toBe(true);
    // Creating or switching to secret needs boards:write_secret.
    expect(
      (await call('POST', '/v5/boards', owner, { name: 's', privacy: 'SECRET' }, PUBLIC_ONLY)).statusCode,
    ).toBe(403);
    expect(
      (await call('PATCH', `/v5/boards/${pub.id}`, owner, { privacy: 'SECRET' }, PUBLIC_ONLY)).statusCode,
    ).toBe(403);
    // The other user's account counts do not include the secret board.
    const counts = await app.product.accounts.account(owner.id, other.id);
    const own = await app.product.accounts.account(owner.id, owner.id);
    expect(own.board_count - counts.board_count).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['missing name', { description: 'x' }],
    ['empty name', { name: '' }],
    ['wrong privacy enum', { name: 'x', privacy: 'FRIENDS' }],
    ['too long name', { name: 'n'.repeat(181) }],
    ['name not a string', { name: 12 }],
  ])('rejects a board with %s (400, nothing written)', async (_case, body) => {
    const before = await app.deps.db
      .selectFrom('boards')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const res = await call('POST', '/v5/boards', owner, body);
    expect(res.statusCode).toBe(400);
    expectResponseMatchesSpec('POST', '/boards', 400, res.json());
    const after = await app.deps.db
      .selectFrom('boards')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(after?.n).toEqual(before?.n);
  });

  it('answers 404 for well-formed unknown ids and 400 for malformed ones', async () => {
    expect((await call('GET', '/v5/boards/123456789', owner)).statusCode).toBe(404);
    for (const bad of ['abc', '12ab', '1'.repeat(25)]) {
      const res = await call('GET', `/v5/boards/${bad}`, owner);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe(1);
    }
  });
});

describe('board sections', () => {
  it('creates, lists, renames and deletes sections; names are unique per board', async () => {
    const board = await makeBoard(app, owner);
    const base = `/v5/boards/${board.id}/sections`;
    const a = await call('POST', base, owner, { name: 'Salads' });
    expect(a.statusCode).toBe(201);
    expectResponseMatchesSpec('POST', '/boards/{board_id}/sections', 201, a.json());
    const dup = await call('POST', base, owner, { name: 'salads' });
    expect(dup.statusCode).toBe(409);
    expectResponseMatchesSpec('POST', '/boards/{board_id}/sections', 409, dup.json());
    await call('POST', base, owner, { name: 'Soups' });
    const list = await call('GET', base, other);
    expect(list.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/boards/{board_id}/sections', 200, list.json());
    expect(list.json().items.map((s: { name: string }) => s.name)).toEqual(['Salads', 'Soups']);

    const renamed = await call('PATCH', `${base}/${a.json().id}`, owner, { name: 'Green salads' });
    expect(renamed.statusCode).toBe(200);
    expectResponseMatchesSpec('PATCH', '/boards/{board_id}/sections/{section_id}', 200, renamed.json());
    expect((await call('PATCH', `${base}/${a.json().id}`, owner, { name: 'Soups' })).statusCode).toBe(409);
    expect((await call('PATCH', `${base}/${a.json().id}`, other, { name: 'Mine' })).statusCode).toBe(403);
    expect((await call('DELETE', `${base}/${a.json().id}`, owner)).statusCode).toBe(204);
    expect((await call('DELETE', `${base}/${a.json().id}`, owner)).statusCode).toBe(404);
    expect((await call('POST', base, owner, { name: '' })).statusCode).toBe(400);
  });
});
