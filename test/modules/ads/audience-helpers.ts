import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { TestUser } from '../../helpers/factories.js';

/** SHA-256 hex, as advertisers hash records. */
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The SHA-256 of a person's e-mail as test users have it (`${username}@example.org`). */
export const emailHash = (username: string) => sha(`${username}@example.org`);

/**
 * `n` people written straight to the users table (signing up hundreds through the API would take
 * minutes): enough to cross the privacy minimum. They have e-mail hashes as sign-up sets them.
 */
export async function makePeople(app: App, n: number): Promise<{ id: string; username: string }[]> {
  const ids = await app.deps.ids.many('user', n);
  const rows = ids.map((id) => {
    const username = `p_${randomBytes(5).toString('hex')}`;
    const email = `${username}@example.org`;
    return { id, username, email, password_hash: 'x', email_sha256: sha(email) };
  });
  await app.deps.db.insertInto('users').values(rows).execute();
  return rows.map(({ id, username }) => ({ id, username }));
}

/** The user ids of an audience as stored for the ad server, in id order. */
export async function membersOf(app: App, audienceId: string): Promise<string[]> {
  const rows = await app.deps.db
    .selectFrom('ad_audience_users')
    .select('user_id')
    .where('audience_id', '=', audienceId)
    .execute();
  return rows.map((r) => String(r.user_id)).sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** Ids sorted as the database sorts bigints. */
export const sortIds = (ids: string[]) => [...ids].sort((a, b) => a.length - b.length || a.localeCompare(b));

/** A customer list of `accountId` made by `user` from the e-mail hashes of `usernames`; its id. */
export async function makeCustomerList(app: App, user: TestUser, accountId: string, usernames: string[]) {
  const res = await app.http.inject({
    method: 'POST',
    url: `/v5/ad_accounts/${accountId}/customer_lists`,
    headers: await user.auth(),
    payload: { name: 'List', records: usernames.map(emailHash).join(',') },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id as string;
}

/** How many rows a table holds (a refused request leaves it as it was). */
export async function countOf(
  app: App,
  table: 'ad_audiences' | 'ad_customer_lists' | 'ad_targeting_templates',
): Promise<number> {
  const row = await app.deps.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
