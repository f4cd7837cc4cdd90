import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { safeNext } from '../../src/modules/oauth/next.js';
import { startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';
import { FORM, form } from '../helpers/oauth.js';

/** Regressions from an adversarial pass: each of these was a 500. */

let app: App;
let owner: TestUser;
let board: { id: string };
let pinId: string;

beforeAll(async () => {
  app = await startTestApp();
  owner = await makeUser(app);
  board = await makeBoard(app, owner);
  pinId = await makePin(app, owner, board.id);
});

function expectError(res: { statusCode: number; body: string }, status: number, code: number) {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body);
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  return body as { code: number; message: string };
}

const count = async (table: 'boards' | 'pins') =>
  Number(
    (
      await app.deps.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a NUL character is a 400 naming the field, wherever it is', () => {
  const NUL = 'a\u0000b';

  // {board} and {pin} stand for the ids made in beforeAll.
  it.each([
    ['board name', 'POST', '/v5/boards', { name: NUL }, 'body/name'],
    ['board description', 'PATCH', '/v5/boards/{board}', { description: NUL }, 'body/description'],
    ['section name', 'POST', '/v5/boards/{board}/sections', { name: NUL }, 'body/name'],
    ['pin title', 'PATCH', '/v5/pins/{pin}', { title: NUL }, 'body/title'],
    ['pin description', 'PATCH', '/v5/pins/{pin}', { description: NUL }, 'body/description'],
    ['pin alt text', 'PATCH', '/v5/pins/{pin}', { alt_text: NUL }, 'body/alt_text'],
    ['pin link', 'PATCH', '/v5/pins/{pin}', { link: `https://example.org/${NUL}` }, 'body/link'],
    [
      'a nested field',
      'POST',
      '/v5/pins',
      { board_id: '1', media_source: { url: NUL } },
      'body/media_source/url',
    ],
    ['a field name', 'POST', '/v5/boards', { name: 'ok', [NUL]: 1 }, `body/${NUL}`],
  ] as const)('%s', async (_name, method, path, payload, field) => {
    const url = path.replace('{board}', board.id).replace('{pin}', pinId);
    const before = await count('boards');
    const res = await app.http.inject({ method, url, headers: await owner.auth(), payload });
    expect(expectError(res, 400, 1).message).toContain(field);
    expect(await count('boards')).toBe(before);
  });

  it('in a new pin, and nothing is written', async () => {
    const before = await count('pins');
    for (const field of ['title', 'description', 'alt_text', 'link']) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v5/pins',
        headers: await owner.auth(),
        payload: { board_id: board.id, [field]: NUL, media_source: { source_type: 'image_url', url: 'x' } },
      });
      expect(expectError(res, 400, 1).message).toContain(`body/${field}`);
    }
    expect(await count('pins')).toBe(before);
  });

  it('in a query string and in a path parameter', async () => {
    const headers = await owner.auth();
    const search = await app.http.inject({ method: 'GET', url: '/v5/search/pins?query=a%00b', headers });
    expect(expectError(search, 400, 1).message).toContain('querystring/query');
    const follow = await app.http.inject({
      method: 'DELETE',
      url: '/v5/user_account/following/a%00b',
      headers,
    });
    expect(expectError(follow, 400, 1).message).toContain('params/username');
  });

  it("in the sign-in form's login", async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/oauth/signin',
      headers: { 'content-type': FORM },
      payload: form({ login: `${owner.username}\u0000`, password: 'password123', next: '/oauth/' }),
    });
    expect(expectError(res, 400, 1).message).toContain('body/login');
  });

  it('also an unpaired surrogate, which the database would store as U+FFFD', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v5/boards',
      headers: { ...(await owner.auth()), 'content-type': 'application/json' },
      payload: '{"name": "broken \\ud800 text"}',
    });
    expect(expectError(res, 400, 1).message).toContain('body/name');
  });

  it('a body nested far deeper than any schema is refused without overflowing the stack', async () => {
    let deep = '"a\\u0000b"';
    for (let i = 0; i < 50_000; i++) deep = `[${deep}]`;
    const res = await app.http.inject({
      method: 'POST',
      url: '/v5/boards',
      headers: { ...(await owner.auth()), 'content-type': 'application/json' },
      payload: `{"name": "x", "extra": ${deep}}`,
    });
    expectError(res, 400, 1);
  });
});

describe('an id that cannot be a Corkboard id is a 400 on every route, never a 500', () => {
  const TOO_BIG = ['9999999999999999999', '9223372036854775808', '18446744073709551616'];
  const routes = (id: string) =>
    [
      ['GET', `/v5/pins/${id}`],
      ['PATCH', `/v5/pins/${id}`],
      ['DELETE', `/v5/pins/${id}`],
      ['POST', `/v5/pins/${id}/save`],
      ['GET', `/v5/pins/${id}/related`],
      ['GET', `/v5/pins/${id}/analytics?start_date=2024-01-01&end_date=2024-01-02`],
      ['GET', `/v5/boards/${id}`],
      ['GET', `/v5/boards/${id}/pins`],
      ['GET', `/v5/boards/${id}/sections`],
      ['GET', `/v5/boards/${board.id}/sections/${id}/pins`],
      ['PATCH', `/v5/boards/${board.id}/sections/${id}`],
      ['DELETE', `/v5/boards/${board.id}/sections/${id}`],
      ['POST', `/v5/user_account/following/boards/${id}`],
      ['GET', `/v5/media/${id}`],
    ] as const;

  it.each(TOO_BIG)('%s in the path', async (id) => {
    const headers = await owner.auth();
    for (const [method, url] of routes(id)) {
      const payload =
        method === 'PATCH' || (method === 'POST' && url.endsWith('/save'))
          ? { name: 'x', board_id: board.id }
          : undefined;
      const res = await app.http.inject({ method, url, headers, payload });
      expect(expectError(res, 400, 1).message, `${method} ${url}`).toMatch(/params\/\w+_id/);
    }
  });

  it('in a body field', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: `/v5/pins/${pinId}/save`,
      headers: await owner.auth(),
      payload: { board_id: '9999999999999999999' },
    });
    expect(expectError(res, 400, 1).message).toContain('body/board_id');
  });

  it('a well-formed id that names nothing is still a 404', async () => {
    const res = await app.http.inject({
      method: 'GET',
      url: '/v5/pins/123456789',
      headers: await owner.auth(),
    });
    expectError(res, 404, 50);
  });
});

describe("the sign-in form's `next`", () => {
  const signIn = (next: string) =>
    app.http.inject({
      method: 'POST',
      url: '/oauth/signin',
      headers: { 'content-type': FORM },
      payload: form({ login: owner.username, password: 'password123', next }),
    });

  it('with CR/LF cannot add a header: it falls back to the consent page', async () => {
    const res = await signIn('/oauth/?client_id=1\r\nSet-Cookie: pwned=1');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/oauth/');
    expect(String(res.headers['set-cookie'])).not.toContain('pwned');
  });

  it('with characters outside Latin-1 is percent-encoded, not a 500', async () => {
    const res = await signIn('/oauth/?state=日本語😀');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/oauth/?state=${encodeURIComponent('日本語😀')}`);
  });

  it.each([
    ['//evil.example/oauth/', '/oauth/'],
    ['/oauth/\\\\evil.example', '/oauth/'],
    ['https://evil.example/oauth/?a=1', '/oauth/'],
    ['/oauth/../v5/pins', '/oauth/'],
    ['/oauth/%2e%2e/x', '/oauth/'],
    ['/oauth/?a=\u0085', '/oauth/'],
    ['/oauth/?client_id=1&state=x y', '/oauth/?client_id=1&state=x%20y'],
    ['/oauth/', '/oauth/'],
  ])('safeNext(%j) is %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('what Node’s HTTP parser refuses', () => {
  /** Sends raw bytes over a real socket (inject never goes through Node's parser); the whole answer. */
  async function raw(bytes: string): Promise<string> {
    const address = new URL(await app.listen());
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(address.port), address.hostname);
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => {
        answer += chunk;
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write(bytes);
    });
  }

  it('a Bearer header with a NUL gets a 400 with {code, message}', async () => {
    const answer = await raw(
      'GET /v5/user_account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ab\u0000cd\r\n\r\n',
    );
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(body!)).toEqual({ code: 1, message: expect.stringContaining('header') });
  });
});
