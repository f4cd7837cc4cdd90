import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.js';
import { ALL_SCOPES } from '../../src/modules/oauth/index.js';
import { makeImage } from './images.js';

/** Every scope this API checks. */
export const FULL = [...ALL_SCOPES];
/** What a client without the secret scopes has. */
export const PUBLIC_ONLY = ALL_SCOPES.filter((s) => !s.endsWith('_secret'));

export interface TestUser {
  id: string;
  username: string;
  /** An access token with the given scopes (all by default). */
  token(scopes?: readonly string[]): Promise<string>;
  /** Authorization headers for app.inject. */
  auth(scopes?: readonly string[]): Promise<{ authorization: string }>;
}

/** A new person with a unique username. */
export async function makeUser(
  app: App,
  username = `u_${randomBytes(4).toString('hex')}`,
): Promise<TestUser> {
  const user = await app.product.accounts.signUp({
    username,
    email: `${username}@example.org`,
    password: 'password123',
  });
  const token = (scopes: readonly string[] = FULL) => app.product.oauth.devToken(user.id, [...scopes], 1);
  return {
    id: user.id,
    username: user.username,
    token,
    auth: async (scopes) => ({ authorization: `Bearer ${await token(scopes)}` }),
  };
}

/** A board owned by `owner`, created through the API. */
export async function makeBoard(
  app: App,
  owner: TestUser,
  body: { name?: string; description?: string; privacy?: 'PUBLIC' | 'PROTECTED' | 'SECRET' } = {},
): Promise<{ id: string; name: string; privacy: string }> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/v5/boards',
    headers: await owner.auth(),
    payload: { name: `Board ${randomBytes(3).toString('hex')}`, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`makeBoard: ${res.statusCode} ${res.body}`);
  return res.json();
}

let png: string | undefined;

/** A pin of `owner` on `boardId` (a small PNG, and any text fields given), created through the API. */
export async function makePin(
  app: App,
  owner: TestUser,
  boardId: string,
  text: { title?: string; description?: string; alt_text?: string } = {},
): Promise<string> {
  png ??= (await makeImage({ width: 32, height: 24 })).toString('base64');
  const res = await app.http.inject({
    method: 'POST',
    url: '/v5/pins',
    headers: await owner.auth(),
    payload: {
      board_id: boardId,
      ...text,
      media_source: { source_type: 'image_base64', content_type: 'image/png', data: png },
    },
  });
  if (res.statusCode !== 201) throw new Error(`makePin: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** `user` saves `pinId` to `boardId` through the API; the new pin's id. */
export async function savePin(app: App, user: TestUser, pinId: string, boardId: string): Promise<string> {
  const res = await app.http.inject({
    method: 'POST',
    url: `/v5/pins/${pinId}/save`,
    headers: await user.auth(),
    payload: { board_id: boardId },
  });
  if (res.statusCode !== 201) throw new Error(`savePin: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** How many rows a table holds (a refused request must leave every count as it was). */
export async function countRows(app: App, table: 'boards' | 'pins' | 'images'): Promise<number> {
  const row = await app.deps.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
