import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ageBucket } from '../../src/modules/accounts/index.js';
import { startTestApp } from '../helpers/app.js';
import { makeUser, type TestUser } from '../helpers/factories.js';

let app: App;
let person: TestUser;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  person = await makeUser(app);
});

const at = new Date('2026-12-03T00:00:00Z');

describe('age buckets', () => {
  it('take the youngest age a year of birth allows, and give none under 18', () => {
    expect(ageBucket(null, at)).toBeNull();
    expect(ageBucket(2008, at)).toBeNull(); // 17 or 18: maybe a minor
    expect(ageBucket(2007, at)).toBe('18-24');
    expect(ageBucket(2001, at)).toBe('18-24');
    expect(ageBucket(2000, at)).toBe('25-34');
    expect(ageBucket(1981, at)).toBe('35-44');
    expect(ageBucket(1976, at)).toBe('45-49');
    expect(ageBucket(1971, at)).toBe('50-54');
    expect(ageBucket(1961, at)).toBe('55-64');
    expect(ageBucket(1960, at)).toBe('65+');
  });
});

describe('GET and PATCH /v5/user_account/demographics', () => {
  const call = async (method: 'GET' | 'PATCH', payload?: object, scopes?: string[]) =>
    app.http.inject({
      method,
      url: '/v5/user_account/demographics',
      headers: await person.auth(scopes),
      ...(payload ? { payload } : {}),
    });

  it('start empty, take what the person gives, clear with null, and are theirs alone', async () => {
    expect((await call('GET')).json()).toEqual({
      locale: null,
      country: null,
      gender: null,
      birth_year: null,
      age_bucket: null,
    });
    const set = await call('PATCH', { locale: 'en-GB', country: 'GB', gender: 'female', birth_year: 1990 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ locale: 'en-GB', country: 'GB', gender: 'female', birth_year: 1990 });
    expect(set.json().age_bucket).toMatch(/^(25-34|35-44)$/);
    const cleared = await call('PATCH', { gender: null });
    expect(cleared.json()).toMatchObject({ gender: null, country: 'GB' });
    // Nothing of it shows in the account others read.
    const other = await makeUser(app);
    const seen = await app.http.inject({
      method: 'GET',
      url: '/v5/user_account',
      headers: await other.auth(),
    });
    expect(seen.body).not.toContain('en-GB');
    expect((await call('GET', undefined, ['pins:read'])).statusCode).toBe(403);
    expect((await call('PATCH', { country: 'FR' }, ['user_accounts:read'])).statusCode).toBe(403);
  });

  it('refuse values that are not a locale, a country or a plausible year, and change nothing', async () => {
    const before = (await call('GET')).json();
    for (const body of [
      { locale: 'english' },
      { country: 'ZZ' },
      { country: 'EU' },
      { country: 'usa' },
      { gender: 'robot' },
      { birth_year: 1850 },
      { birth_year: new Date().getUTCFullYear() - 5 },
      { birth_year: 1990.5 },
    ]) {
      const res = await call('PATCH', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    expect((await call('GET')).json()).toEqual(before);
  });
});
