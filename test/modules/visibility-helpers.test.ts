import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import {
  discoverable,
  isDiscoverable,
  mayRead,
  ownedBy,
  ownListPrivacies,
  privacyIn,
  readsSecret,
  visibleBoards,
} from '../../src/modules/boards/index.js';
import type { Privacy } from '../../src/platform/db/schema.js';
import type { Principal } from '../../src/platform/principal.js';
import { startTestApp } from '../helpers/app.js';
import { FULL, makeBoard, makeUser, PUBLIC_ONLY } from '../helpers/factories.js';
import { testMode } from '../helpers/mode.js';

const PRIVACIES: Privacy[] = ['PUBLIC', 'PROTECTED', 'SECRET'];

/**
 * The visibility rule is written twice, in TypeScript (mayRead, isDiscoverable) and as query helpers;
 * these check, on a real database, that both give the same answer for every viewer and privacy.
 */
describe(`visibility helpers agree with the rule in TypeScript (${testMode()})`, () => {
  let app: App;
  const boards: { id: string; owner_id: string; privacy: Privacy }[] = [];
  const viewers: [string, Principal][] = [];

  beforeAll(async () => {
    app = await startTestApp();
    const owner = await makeUser(app);
    const other = await makeUser(app);
    for (const user of [owner, other])
      for (const privacy of PRIVACIES)
        boards.push({ id: (await makeBoard(app, user, { privacy })).id, owner_id: user.id, privacy });
    viewers.push(
      ['owner', { userId: owner.id, appId: '1', scopes: new Set(FULL) }],
      ['owner without secret scopes', { userId: owner.id, appId: '1', scopes: new Set(PUBLIC_ONLY) }],
      ['someone else', { userId: '123', appId: '1', scopes: new Set(FULL) }],
    );
  });

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
  const query = () =>
    app.database.db
      .selectFrom('boards as b')
      .select('b.id')
      .where(
        'b.id',
        'in',
        boards.map((b) => b.id),
      );

  it('visibleBoards keeps exactly the boards mayRead allows', async () => {
    for (const [name, viewer] of viewers)
      for (const kind of ['boards', 'pins'] as const) {
        const want = boards.filter((b) => mayRead(viewer, b.owner_id, b.privacy, kind)).map((b) => b.id);
        expect(
          ids(
            await query()
              .$call(visibleBoards(viewer, kind, 'b'))
              .execute(),
          ),
          `${name} ${kind}`,
        ).toEqual(want.sort());
      }
  });

  it('discoverable keeps exactly the boards isDiscoverable allows', async () => {
    const want = boards.filter((b) => isDiscoverable(b.privacy)).map((b) => b.id);
    expect(ids(await query().$call(discoverable('b')).execute())).toEqual(want.sort());
  });

  it('ownedBy and privacyIn(ownListPrivacies) keep the viewer’s own readable boards', async () => {
    for (const [name, viewer] of viewers) {
      const want = boards
        .filter((b) => b.owner_id === viewer.userId && mayRead(viewer, b.owner_id, b.privacy, 'boards'))
        .map((b) => b.id)
        .sort();
      const secret = { secret: readsSecret(viewer, 'boards') };
      expect(
        ids(
          await query()
            .$call(ownedBy(viewer.userId, 'b.owner_id', secret, 'b'))
            .execute(),
        ),
        name,
      ).toEqual(want);
      expect(
        ids(
          await query()
            .where('b.owner_id', '=', viewer.userId)
            .$call(privacyIn('b', ownListPrivacies(viewer, 'boards')))
            .execute(),
        ),
        name,
      ).toEqual(want);
    }
  });

  it('a helper on a query without the boards alias does not compile', () => {
    const q = app.database.db.selectFrom('pins as p').select('p.id');
    // @ts-expect-error: the query has no table b
    expect(() => q.$call(discoverable('b')).compile()).not.toThrow();
  });

  it('mayRead: secret only for its owner holding the scope of its kind', () => {
    const owner: Principal = { userId: '1', appId: '1', scopes: new Set(['pins:read_secret']) };
    expect(mayRead(owner, '1', 'SECRET', 'pins')).toBe(true);
    expect(mayRead(owner, '1', 'SECRET', 'boards')).toBe(false);
    expect(mayRead(owner, '2', 'SECRET', 'pins')).toBe(false);
    expect(mayRead(owner, '2', 'PROTECTED', 'boards')).toBe(true);
    expect(mayRead(owner, '2', 'PUBLIC', 'boards')).toBe(true);
  });
});
