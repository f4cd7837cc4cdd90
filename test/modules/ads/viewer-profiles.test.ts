import { describe, expect, it } from 'vitest';
import { ViewerProfiles } from '../../../src/modules/ads/serving/viewer-profiles.js';
import { INTERESTS } from '../../../src/modules/interests/index.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser } from '../../helpers/factories.js';
import { emailHash } from './audience-helpers.js';
import { call, makeAdAccount } from './helpers.js';

const id = (key: string) => INTERESTS.find((i) => i.key === key)!.id;

describe('what the ad server knows of a viewer', () => {
  it('is the interests of their public content, the demographics they gave and their audiences', async () => {
    const app = await startTestApp({ runJobs: false });
    const [viewer, advertiser] = await Promise.all([makeUser(app), makeUser(app)]);
    await makeBoard(app, viewer, { name: 'Living room decor', description: 'sofa and lamp ideas' });
    await makeBoard(app, viewer, { name: 'Vegetable garden', privacy: 'SECRET' });
    await app.http.inject({
      method: 'PATCH',
      url: '/v5/user_account/demographics',
      headers: await viewer.auth(),
      payload: { country: 'GB', locale: 'en-GB', gender: 'male', birth_year: 1980 },
    });
    const account = await makeAdAccount(app, advertiser);
    const list = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/customer_lists`, {
      name: 'L',
      list_type: 'EMAIL',
      records: emailHash(viewer.username),
    });
    const audience = await call(app, advertiser, 'POST', `/v5/ad_accounts/${account}/audiences`, {
      name: 'A',
      audience_type: 'CUSTOMER_LIST',
      rule: { customer_list_id: list.json().id },
    });
    expect(audience.statusCode, audience.body).toBe(200);

    const profiles = new ViewerProfiles(app.deps.db, app.deps.cache, () =>
      Date.parse('2026-12-03T00:00:00Z'),
    );
    // Nothing held before the first load: `held` does not load.
    expect(profiles.held(viewer.id, 'web')).toBeUndefined();
    const p = await profiles.of(viewer.id, 'web');
    // Once loaded, the node answers without a round trip, with the very same profile.
    expect(profiles.held(viewer.id, 'web')).toBe(p);
    expect(profiles.held(viewer.id, 'iphone')).toMatchObject({ userId: viewer.id, appType: 'iphone' });
    expect(p.interests.has(id('home decor'))).toBe(true);
    expect(p.interests.has(id('gardening'))).toBe(false); // a secret board tells nothing
    expect(p).toMatchObject({
      country: 'GB',
      locale: 'en-GB',
      gender: 'male',
      ageBucket: '45-49',
      appType: 'web',
    });
    expect([...p.audiences]).toEqual([audience.json().id]);
    const signedOut = await profiles.of(null, 'iphone');
    expect(signedOut).toMatchObject({ userId: null, country: null, ageBucket: null, appType: 'iphone' });
    expect(signedOut.interests.size).toBe(0);
    await app.close();
  });
});
