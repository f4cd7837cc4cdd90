import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makePin, makeUser, savePin } from '../../helpers/factories.js';
import { membersOf } from './audience-helpers.js';
import { call, makeAdAccount } from './helpers.js';

describe('audiences that follow activity', () => {
  it('are recomputed by the periodic refresh once their members are old, and not before', async () => {
    const app = await startTestApp({ runJobs: false });
    const [advertiser, first, second] = await Promise.all([makeUser(app), makeUser(app), makeUser(app)]);
    const account = await makeAdAccount(app, advertiser);
    const pin = await makePin(app, advertiser, (await makeBoard(app, advertiser)).id);
    const made = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/audiences`, {
      name: 'Savers',
      audience_type: 'ENGAGEMENT',
      rule: { engagement_type: 'save' },
    });
    expect(made.statusCode, made.body).toBe(200);
    const audience = made.json().id as string;
    expect(await membersOf(app, audience)).toEqual([]);

    const refresh = app.product.modules.find((m) => m.name === 'ads')!.periodic!(app.deps).find(
      (t) => t.name === 'ads.audiences.refresh',
    )!;
    await savePin(app, first, pin, (await makeBoard(app, first)).id);
    // Computed just now: the refresh leaves it.
    await refresh.run();
    expect(await membersOf(app, audience)).toEqual([]);
    // An hour later, it is recomputed, and the time of its members moves on.
    const aged = new Date(Date.now() - 2 * 3_600_000);
    await app.deps.db
      .updateTable('ad_audiences')
      .set({ members_at: aged })
      .where('id', '=', audience)
      .execute();
    await refresh.run();
    expect(await membersOf(app, audience)).toEqual([first.id]);
    const row = await app.deps.db
      .selectFrom('ad_audiences')
      .select('members_at')
      .where('id', '=', audience)
      .executeTakeFirstOrThrow();
    expect(new Date(row.members_at).getTime()).toBeGreaterThan(aged.getTime());
    await savePin(app, second, pin, (await makeBoard(app, second)).id);
    await refresh.run();
    expect(await membersOf(app, audience)).toEqual([first.id]);
    await app.close();
  });
});
