import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { seed } from '../../src/cli/dev-commands.js';
import { startTestApp } from '../helpers/app.js';

/** The world's content, independent of IDs. */
async function fingerprint(app: App) {
  const db = app.deps.db;
  const { rows: pins } = await sql<{ username: string; board: string; title: string; parent: string | null }>`
    select u.username, b.name as board, p.title, pp.title as parent
      from pins p join users u on u.id = p.owner_id join boards b on b.id = p.board_id
      left join pins pp on pp.id = p.parent_pin_id
     order by p.id`.execute(db);
  const { rows: follows } = await sql<{ a: string; b: string }>`
    select a.username as a, b.username as b from follows f
      join users a on a.id = f.follower_id join users b on b.id = f.followee_id order by 1, 2`.execute(db);
  return { pins, follows };
}

describe('corkboard seed', () => {
  it('makes the same realistic world from the same seed, with heavy-tailed popularity', async () => {
    const a = await startTestApp();
    const summary = await seed(a, { seed: 7, pins: 300, force: false });
    expect(summary).toMatchObject({ pins: 300 });
    expect(summary!.saves).toBeGreaterThan(80);
    expect(summary!.users).toBeGreaterThanOrEqual(12);
    // A second run on a non-empty database is refused unless forced.
    expect(await seed(a, { seed: 7, pins: 300, force: false })).toBeUndefined();

    const b = await startTestApp();
    await seed(b, { seed: 7, pins: 300, force: false });
    const fa = await fingerprint(a);
    expect(fa).toEqual(await fingerprint(b));
    const c = await startTestApp();
    await seed(c, { seed: 8, pins: 300, force: false });
    expect((await fingerprint(c)).pins).not.toEqual(fa.pins);

    // Saves point at pins of the same topic board vocabulary, and at public boards only.
    const { rows: bad } = await sql<{ n: string }>`
      select count(*)::text as n from pins p join pins pp on pp.id = p.parent_pin_id
        join boards b on b.id = pp.board_id where b.privacy = 'SECRET'`.execute(a.deps.db);
    expect(bad[0]!.n).toBe('0');
    // Popularity is heavy-tailed: the most-saved pin has several times the median saves of saved pins.
    const { rows: saves } = await sql<{ n: number }>`
      select count(*)::int as n from pins where parent_pin_id is not null group by parent_pin_id order by 1 desc`.execute(
      a.deps.db,
    );
    const median = saves[Math.floor(saves.length / 2)]!.n;
    expect(saves[0]!.n).toBeGreaterThanOrEqual(4 * median);
    // Every pin has a processed image with the spec's sizes.
    const demo = await a.product.accounts.byUsername('demo');
    expect(demo).toBeDefined();
    const token = await a.product.oauth.devToken(demo!.id, ['boards:read', 'pins:read'], 1);
    const res = await a.http.inject({
      method: 'GET',
      url: '/v5/pins?page_size=5',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    for (const pin of res.json().items) expect(Object.keys(pin.media.images)).toHaveLength(4);
  }, 120_000);
});
