import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { toErrorResponse } from '../../src/http/error-handler.js';
import { safeNext } from '../../src/modules/oauth/next.js';
import { startTestApp } from '../helpers/app.js';
import { countRows, makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';
import { FORM, form, signInForm } from '../helpers/oauth.js';

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

const count = (table: 'boards' | 'pins') => countRows(app, table);

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

describe('an id past any bigint is a 404 in every path (as an unknown id), never a 500', () => {
  const PIN = [404, 50];
  const BOARD = [404, 40];
  const SECTION = [404, 4104];
  const routes = (id: string) =>
    [
      ['GET', `/v5/pins/${id}`, PIN],
      ['PATCH', `/v5/pins/${id}`, PIN],
      ['DELETE', `/v5/pins/${id}`, PIN],
      ['POST', `/v5/pins/${id}/save`, PIN],
      ['GET', `/v5/pins/${id}/related`, PIN],
      ['GET', `/v5/pins/${id}/analytics?start_date=2024-01-01&end_date=2024-01-02`, PIN],
      ['GET', `/v5/boards/${id}`, BOARD],
      ['PATCH', `/v5/boards/${id}`, BOARD],
      ['DELETE', `/v5/boards/${id}`, BOARD],
      ['GET', `/v5/boards/${id}/pins`, BOARD],
      ['GET', `/v5/boards/${id}/sections`, BOARD],
      ['POST', `/v5/boards/${id}/sections`, BOARD],
      ['GET', `/v5/boards/${board.id}/sections/${id}/pins`, SECTION],
      ['PATCH', `/v5/boards/${board.id}/sections/${id}`, SECTION],
      ['DELETE', `/v5/boards/${board.id}/sections/${id}`, SECTION],
      ['POST', `/v5/user_account/following/boards/${id}`, BOARD],
      ['DELETE', `/v5/user_account/following/boards/${id}`, BOARD],
      ['GET', `/v5/media/${id}`, [404, 404]],
    ] as const;

  it.each(['9999999999999999999', '9223372036854775808'])('%s in the path', async (id) => {
    const headers = await owner.auth();
    for (const [method, url, [status, code]] of routes(id)) {
      const payload = method === 'PATCH' || method === 'POST' ? { name: 'x', board_id: board.id } : undefined;
      const res = await app.http.inject({ method, url, headers, payload });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      expectError(res, status, code);
    }
  });

  it('ids of 20 digits and more are malformed: a 400, as any other malformed id', async () => {
    const headers = await owner.auth();
    for (const id of ['18446744073709551616', '99999999999999999999', '1'.repeat(25)]) {
      for (const [method, url] of routes(id)) {
        const payload =
          method === 'PATCH' || method === 'POST' ? { name: 'x', board_id: board.id } : undefined;
        const res = await app.http.inject({ method, url, headers, payload });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
        expect(expectError(res, 400, 1).message).toMatch(/params\/\w+_id/);
      }
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
    const query = await app.http.inject({
      method: 'GET',
      url: '/v5/boards?ad_account_id=9999999999999999999',
      headers: await owner.auth(),
    });
    expectError(query, 400, 1);
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
  /** Signs in through the form as a browser would: the page's form token and cookie, then the post. */
  const signIn = async (next: string) => {
    const client = await app.product.oauth.createApp('Next test', ['http://localhost/cb'], owner.id);
    const page = `/oauth/?${new URLSearchParams({
      client_id: client.id,
      redirect_uri: 'http://localhost/cb',
      response_type: 'code',
      scope: 'boards:read',
    })}`;
    const { cookie, csrf } = await signInForm(app, page);
    return app.http.inject({
      method: 'POST',
      url: '/oauth/signin',
      headers: { 'content-type': FORM, cookie },
      payload: form({ login: owner.username, password: 'password123', next, csrf }),
    });
  };

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

describe('the sign-in and consent forms (not in the OpenAPI document)', () => {
  const NASTY = ['a\u0000b', 'line\r\nX-Injected: 1', '日本語😀', '\ud800', 'x'.repeat(5000), '%00%0d%0a'];

  it('never answer a 5xx, whatever is in their fields', async () => {
    const forms: [string, Record<string, string>][] = [
      ['/oauth/signin', { login: owner.username, password: 'password123', next: '/oauth/' }],
      [
        '/oauth/signup',
        { username: 'fresh_user', email: 'fresh@example.org', password: 'password123', next: '/oauth/' },
      ],
      [
        '/oauth/authorize',
        {
          client_id: '1',
          redirect_uri: 'http://x/',
          scope: 'pins:read',
          state: 's',
          csrf: 'c',
          decision: 'approve',
        },
      ],
    ];
    for (const [url, fields] of forms) {
      for (const key of Object.keys(fields)) {
        for (const value of NASTY) {
          const payload = form({ ...fields, [key]: value });
          const res = await app.http.inject({
            method: 'POST',
            url,
            headers: { 'content-type': FORM },
            payload,
          });
          expect(
            res.statusCode,
            `${url} ${key}=${JSON.stringify(value).slice(0, 40)}: ${res.body.slice(0, 200)}`,
          ).toBeLessThan(500);
        }
      }
    }
    for (const key of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']) {
      for (const value of NASTY) {
        const res = await app.http.inject({
          method: 'GET',
          url: `/oauth/?${key}=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`,
        });
        expect(res.statusCode, `GET /oauth/ ${key}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });
});

describe('a value the database refuses, should validation miss it', () => {
  it('is a 400 that names no internals (PostgreSQL data exceptions, SQLSTATE class 22)', () => {
    for (const code of ['22P05', '22021', '22003', '22P02']) {
      const err = Object.assign(new Error('value "9999999999999999999" is out of range for type bigint'), {
        code,
        severity: 'ERROR',
      });
      const res = toErrorResponse(err);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(1);
      expect(res.body.message).not.toContain('bigint');
    }
  });

  it('other database errors stay 500', () => {
    expect(
      toErrorResponse(Object.assign(new Error('deadlock'), { code: '40P01', severity: 'ERROR' })).status,
    ).toBe(500);
    expect(toErrorResponse(Object.assign(new Error('not pg'), { code: '22003' })).status).toBe(500);
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
