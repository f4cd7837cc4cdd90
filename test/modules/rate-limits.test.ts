import { describe, expect, it } from 'vitest';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { makeUser } from '../helpers/factories.js';

describe("rate limits per user and app, by the operation's category", () => {
  it("answers 429 with Pinterest's headers once a category is spent, per user", async () => {
    const app = await startTestApp({ env: { RATE_LIMITS: 'org_read=3/60s,org_write=1/60s' } });
    const alice = await makeUser(app);
    const bob = await makeUser(app);
    const headers = await alice.auth();
    for (let i = 0; i < 3; i++) {
      const ok = await app.http.inject({ method: 'GET', url: '/v5/user_account', headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const over = await app.http.inject({ method: 'GET', url: '/v5/user_account', headers });
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 8 });
    expectResponseMatchesSpec('GET', '/boards', 429, over.json());
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.headers['x-ratelimit-remaining']).toBe('0');
    // Another category and another user have their own budgets.
    expect(
      (await app.http.inject({ method: 'POST', url: '/v5/boards', headers, payload: { name: 'a' } }))
        .statusCode,
    ).toBe(201);
    expect(
      (await app.http.inject({ method: 'POST', url: '/v5/boards', headers, payload: { name: 'b' } }))
        .statusCode,
    ).toBe(429);
    expect(
      (await app.http.inject({ method: 'GET', url: '/v5/user_account', headers: await bob.auth() }))
        .statusCode,
    ).toBe(200);
  });

  it('can be switched off', async () => {
    const app = await startTestApp({ env: { RATE_LIMITS: 'off' } });
    const alice = await makeUser(app);
    const headers = await alice.auth();
    const res = await app.http.inject({ method: 'GET', url: '/v5/user_account', headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
