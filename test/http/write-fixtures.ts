import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.js';
import { makeBoard, makePin, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';
import { event, tokenFor } from '../modules/events/helpers.js';

/** An injected response. */
export type Res = LightMyRequestResponse;

/** One call of a write operation with a valid body, and how to read back what it wrote. */
export interface Call {
  url: string;
  /** The body: an object, or for a bulk operation an array of items. */
  body: Record<string, string | number | boolean | object | null> | Record<string, unknown>[];
  /** A form body (the operation consumes application/x-www-form-urlencoded); JSON otherwise. */
  form?: boolean;
  /** Extra headers (the caller's bearer token is sent unless `headers.authorization` is given). */
  headers?: Record<string, string>;
  /** Read-only fields of this resource to post back besides the common ones. */
  readOnly?: Record<string, unknown>;
  /**
   * The stored state of what the call writes (database rows, or the resource as the API shows it), read
   * after the call; for an update also before it, `res` then being undefined.
   */
  state(res?: Res): Promise<Record<string, unknown>>;
  /** For an update: the keys of `state` the documented fields may change. */
  writable?: string[];
  /** Documented fields of the body as `state` must show them afterwards. */
  expected: Record<string, unknown>;
}

export interface World {
  app: App;
  /** The caller. */
  owner: TestUser;
  /** Someone the body names to take over (their id and username must never show in what is written). */
  bystander: TestUser;
  /** Someone the caller may follow. */
  target: TestUser;
  /** A website on the fetch allow-list: `host` answers the page `pages` holds for a path. */
  site: { host: string; pages: Map<string, string> };
}

const tag = () => randomBytes(3).toString('hex');
const FUTURE_TEXT = '2099-01-01T00:00:00.000Z';
/** A row without its generated full-text column (it follows the text fields). */
const row = ({ search: _, ...rest }: Record<string, unknown>) => rest;

/** Per write operation of the OpenAPI document: a valid call. The walk fails on an operation not here. */
export function writeFixtures(w: World): Record<string, () => Promise<Call>> {
  const { app, owner } = w;
  const db = app.deps.db;
  const boardRow = async (id: string) =>
    row(await db.selectFrom('boards').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  const pinRow = async (id: string) =>
    row(await db.selectFrom('pins').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  const sectionRow = (id: string) =>
    db.selectFrom('board_sections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const get = async (url: string) =>
    (await app.http.inject({ method: 'GET', url, headers: await owner.auth() })).json();
  const section = async (boardId: string) =>
    (
      await app.http.inject({
        method: 'POST',
        url: `/v5/boards/${boardId}/sections`,
        headers: await owner.auth(),
        payload: { name: `Section ${tag()}` },
      })
    ).json().id as string;
  const oauthApp = () => app.product.oauth.createApp(`Client ${tag()}`, [], owner.id);
  const basic = (c: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;

  return {
    'POST /v5/boards': async () => {
      const name = `Board ${tag()}`;
      return {
        url: '/v5/boards',
        body: { name, description: 'Made with extras', privacy: 'PUBLIC' },
        readOnly: { pin_count: 7, follower_count: 7, board_pins_modified_at: '2099-01-01T00:00:00Z' },
        state: async (res) => ({
          ...(await boardRow(res!.json().id)),
          view: await get(`/v5/boards/${res!.json().id}`),
        }),
        expected: { name, description: 'Made with extras', privacy: 'PUBLIC', owner_id: owner.id },
      };
    },
    'PATCH /v5/boards/{board_id}': async () => {
      const board = await makeBoard(app, owner);
      return {
        url: `/v5/boards/${board.id}`,
        body: { name: 'Renamed', description: 'New words', privacy: 'SECRET' },
        readOnly: { is_ads_only: true, pins_modified_at: '2099-01-01T00:00:00Z' },
        state: () => boardRow(board.id),
        writable: ['name', 'description', 'privacy'],
        expected: { id: board.id, name: 'Renamed', description: 'New words', privacy: 'SECRET' },
      };
    },
    'POST /v5/boards/{board_id}/sections': async () => {
      const board = await makeBoard(app, owner);
      return {
        url: `/v5/boards/${board.id}/sections`,
        body: { name: 'Mains' },
        readOnly: { board_id: (await makeBoard(app, w.bystander)).id },
        state: async (res) => sectionRow(res!.json().id),
        expected: { name: 'Mains', board_id: board.id },
      };
    },
    'PATCH /v5/boards/{board_id}/sections/{section_id}': async () => {
      const board = await makeBoard(app, owner);
      const id = await section(board.id);
      return {
        url: `/v5/boards/${board.id}/sections/${id}`,
        body: { name: 'Desserts' },
        readOnly: { board_id: (await makeBoard(app, w.bystander)).id },
        state: () => sectionRow(id),
        writable: ['name'],
        expected: { id, name: 'Desserts', board_id: board.id },
      };
    },
    'POST /v5/pins': async () => {
      const board = await makeBoard(app, owner);
      const data = (await makeImage({ width: 16, height: 16 })).toString('base64');
      return {
        url: '/v5/pins',
        body: {
          board_id: board.id,
          title: 'With extras',
          description: 'A pin',
          link: 'https://example.org/a',
          alt_text: 'alt',
          media_source: { source_type: 'image_base64', content_type: 'image/png', data },
        },
        readOnly: { is_owner: false, board_owner: { username: w.bystander.username }, media_type: 'video' },
        state: async (res) => pinRow(res!.json().id),
        expected: {
          owner_id: owner.id,
          board_id: board.id,
          title: 'With extras',
          description: 'A pin',
          link: 'https://example.org/a',
          alt_text: 'alt',
          media_type: 'image',
        },
      };
    },
    'PATCH /v5/pins/{pin_id}': async () => {
      const board = await makeBoard(app, owner);
      const to = await makeBoard(app, owner);
      const sectionId = await section(to.id);
      const pin = await makePin(app, owner, board.id, { title: 'Before' });
      return {
        url: `/v5/pins/${pin}`,
        body: {
          board_id: to.id,
          board_section_id: sectionId,
          title: 'After',
          description: 'Moved',
          link: 'https://example.org/b',
          alt_text: 'new alt',
        },
        readOnly: { parent_pin_id: pin, dominant_color: '#000000', media_type: 'video' },
        state: () => pinRow(pin),
        writable: ['board_id', 'section_id', 'title', 'description', 'link', 'alt_text'],
        expected: {
          id: pin,
          owner_id: owner.id,
          board_id: to.id,
          section_id: sectionId,
          title: 'After',
          description: 'Moved',
          link: 'https://example.org/b',
          alt_text: 'new alt',
        },
      };
    },
    'POST /v5/pins/{pin_id}/save': async () => {
      const theirs = await makeBoard(app, w.target);
      const source = await makePin(app, w.target, theirs.id, { title: 'Saved' });
      const mine = await makeBoard(app, owner);
      return {
        url: `/v5/pins/${source}/save`,
        body: { board_id: mine.id },
        readOnly: { parent_pin_id: '1', title: 'Retitled' },
        state: async (res) => pinRow(res!.json().id),
        expected: { owner_id: owner.id, board_id: mine.id, parent_pin_id: source, title: 'Saved' },
      };
    },
    'POST /v5/user_account/following/{username}': async () => ({
      url: `/v5/user_account/following/${w.target.username}`,
      body: { auto_follow: false },
      readOnly: { follower_id: w.bystander.id, followee_id: w.bystander.id },
      state: async () => ({
        follows: await db.selectFrom('follows').selectAll().where('follower_id', '=', owner.id).execute(),
        followers: await db
          .selectFrom('follows')
          .selectAll()
          .where('followee_id', '=', w.bystander.id)
          .execute(),
      }),
      expected: { follows: [{ follower_id: owner.id, followee_id: w.target.id }], followers: [] },
    }),
    'POST /v5/user_account/websites': async () => {
      const code = await get('/v5/user_account/websites/verification');
      w.site.pages.set('/', `<html><head>${code.metatag}</head></html>`);
      return {
        url: '/v5/user_account/websites',
        body: { website: w.site.host, verification_method: 'METATAG' },
        readOnly: { status: 'failed', verified_at: FUTURE_TEXT, user_id: w.bystander.id },
        state: async () => ({
          rows: await db
            .selectFrom('user_websites')
            .select(['user_id', 'website', 'method'])
            .where('website', '=', w.site.host)
            .execute(),
        }),
        expected: { rows: [{ user_id: owner.id, website: w.site.host, method: 'METATAG' }] },
      };
    },
    'PATCH /v5/user_account/demographics': async () => {
      const row = () =>
        db
          .selectFrom('users')
          .select(['id', 'username', 'email', 'locale', 'country', 'gender', 'birth_year'])
          .where('id', '=', owner.id)
          .executeTakeFirstOrThrow();
      return {
        url: '/v5/user_account/demographics',
        body: { country: 'NZ', birth_year: 1985 },
        readOnly: { age_bucket: '65+', username: 'taken_over', email: 'x@evil.example' },
        state: async () => row(),
        writable: ['country', 'birth_year'],
        expected: { country: 'NZ', birth_year: 1985, username: owner.username },
      };
    },
    'POST /v5/media': async () => ({
      url: '/v5/media',
      body: { media_type: 'video' },
      readOnly: { status: 'succeeded', media_id: '4242424242', upload_token_hash: 'x' },
      state: async (res) =>
        db
          .selectFrom('media_uploads')
          .selectAll()
          .where('id', '=', res!.json().media_id)
          .executeTakeFirstOrThrow(),
      expected: { user_id: owner.id, media_type: 'video', status: 'registered' },
    }),
    'POST /v5/events': async () => {
      const board = await makeBoard(app, owner);
      const pin = await makePin(app, owner, board.id);
      const e = event(tokenFor(app, owner, pin), pin);
      return {
        url: '/v5/events',
        body: { events: [e] },
        readOnly: { batch_id: '4242424242', accepted: 1000 },
        state: async (res) => ({
          result: res!.json(),
          rows: await db
            .selectFrom('events')
            .selectAll()
            .where('batch_id', '=', res!.json().batch_id)
            .execute(),
        }),
        expected: {
          result: { accepted: 1, duplicates: 0, rejected: [] },
          rows: [{ id: `u${owner.id}:${e.event_id}`, user_id: owner.id, pin_id: pin, kind: 'IMPRESSION' }],
        },
      };
    },
    'POST /v5/oauth/token': async () => {
      const client = await oauthApp();
      return {
        url: '/v5/oauth/token',
        form: true,
        headers: { authorization: basic(client) },
        body: { grant_type: 'client_credentials', scope: 'user_accounts:read' },
        readOnly: {
          app_id: '1',
          expires_at: '2099-01-01T00:00:00Z',
          kind: 'refresh',
          scopes: 'boards:write',
        },
        state: async (res) => {
          const token = res!.json().access_token;
          const me = await app.http.inject({
            method: 'GET',
            url: '/v5/user_account',
            headers: { authorization: `Bearer ${token}` },
          });
          const rows = await db
            .selectFrom('oauth_tokens')
            .select(['kind', 'user_id', 'scopes', 'expires_at', 'created_at'])
            .where('app_id', '=', client.id)
            .execute();
          return { scope: res!.json().scope, account: me.json().username, rows };
        },
        expected: {
          scope: 'user_accounts:read',
          account: owner.username,
          rows: [{ kind: 'access', user_id: owner.id, scopes: ['user_accounts:read'] }],
        },
      };
    },
    'POST /v5/oauth/token/revoke': async () => {
      const client = await oauthApp();
      const registered = await app.product.oauth.authenticateClient(client.id, client.secret, '127.0.0.1');
      const grant = (scope: string) => app.product.oauth.clientCredentials(registered, [scope]);
      const token = (await grant('user_accounts:read')).access_token;
      const kept = (await grant('user_accounts:read')).access_token;
      const works = async (t: string) =>
        (
          await app.http.inject({
            method: 'GET',
            url: '/v5/user_account',
            headers: { authorization: `Bearer ${t}` },
          })
        ).statusCode;
      return {
        url: '/v5/oauth/token/revoke',
        form: true,
        headers: { authorization: basic(client) },
        body: { token },
        readOnly: { token_hash: 'x', revoked_at: '2099-01-01T00:00:00Z' },
        state: async () => ({ revoked: await works(token), kept: await works(kept) }),
        expected: { revoked: 401, kept: 200 },
      };
    },
  };
}
