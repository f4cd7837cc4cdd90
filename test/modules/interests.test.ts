import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { INTERESTS } from '../../src/modules/interests/index.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';

let app: App;
let cook: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false });
  cook = await makeUser(app);
  viewer = await makeUser(app);
  const dinners = await makeBoard(app, cook, {
    name: 'Weeknight dinners',
    description: 'Easy pasta recipes',
  });
  await makePin(app, cook, dinners.id, { title: 'Creamy pasta bake' });
  await makePin(app, cook, dinners.id, { title: 'Lemon cake dessert' });
  const garden = await makeBoard(app, cook, { name: 'Balcony garden' });
  await makePin(app, cook, garden.id, { title: 'Succulent planters' });
  // Private content never counts, whatever it is about.
  const secret = await makeBoard(app, cook, { name: 'Wedding bouquet ideas', privacy: 'SECRET' });
  await makePin(app, cook, secret.id, { title: 'Bridal bouquet' });
  const shared = await makeBoard(app, cook, { name: 'Puppy training', privacy: 'PROTECTED' });
  await makePin(app, cook, shared.id, { title: 'Dog tricks' });
});

async function followed(username: string, query = '') {
  return app.http.inject({
    method: 'GET',
    url: `/v5/users/${encodeURIComponent(username)}/interests/follow${query}`,
    headers: await viewer.auth(['user_accounts:read']),
  });
}

describe('GET /v5/users/{username}/interests/follow', () => {
  it("answers the taxonomy's interests the person's public content is about, most matched first", async () => {
    const res = await followed(cook.username);
    expect(res.statusCode, res.body).toBe(200);
    expectResponseMatchesSpec('GET', '/users/{username}/interests/follow', 200, res.json());
    const keys = res.json().items.map((i: { key: string }) => i.key);
    expect(keys).toEqual(['food and drinks', 'gardening']);
    const food = INTERESTS.find((i) => i.key === 'food and drinks')!;
    expect(res.json().items[0]).toEqual({
      id: food.id,
      key: 'food and drinks',
      name: 'Food and drinks',
      canonical_url: expect.stringMatching(new RegExp(`/ideas/food-and-drinks/${food.id}/$`)),
    });
    expect(res.json().bookmark).toBeNull();
  });

  it('pages with bookmarks', async () => {
    const first = (await followed(cook.username, '?page_size=1')).json();
    expect(first.items.map((i: { key: string }) => i.key)).toEqual(['food and drinks']);
    const second = (await followed(cook.username, `?page_size=1&bookmark=${first.bookmark}`)).json();
    expect(second.items.map((i: { key: string }) => i.key)).toEqual(['gardening']);
    expect(second.bookmark).toBeNull();
    expect((await followed(cook.username, '?bookmark=forged')).statusCode).toBe(400);
  });

  it('is empty for someone with no public content, and 404 for no such person', async () => {
    const quiet = await makeUser(app);
    expect((await followed(quiet.username)).json()).toEqual({ items: [], bookmark: null });
    const missing = await followed('nobody_here_at_all');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: expect.any(Number), message: 'User not found.' });
  });
});
