import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { DiscoverySearchModule } from '../../../src/modules/discovery-search/index.js';
import { MIN_SEARCHERS } from '../../../src/modules/discovery-search/terms.repository.js';
import { expectResponseMatchesSpec } from '../../contract/spec.js';
import { FULL, type TestUser } from '../../helpers/factories.js';

export { makePin } from '../../helpers/factories.js';

/** The discovery-search module of an app (its services, for driving the index in tests). */
export function discovery(app: App): DiscoverySearchModule {
  const mod = app.product.modules.find((m) => m.name === 'discovery-search');
  if (!mod) throw new Error('discovery-search module not registered');
  return mod as DiscoverySearchModule;
}

/** A made-up word no other test uses (letters only, so it survives stemming as itself or nearly). */
export function word(prefix = 'zo'): string {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const bytes = randomBytes(7);
  let out = prefix;
  for (const b of bytes) out += letters[b % letters.length];
  return `${out}a`;
}

/** A misspelling of a word from word(): its first two differing neighbouring letters from the fourth on swapped. */
export function swapTypo(w: string): string {
  for (let i = 3; i + 1 < w.length; i++) {
    if (w[i] !== w[i + 1]) return `${w.slice(0, i)}${w[i + 1]}${w[i]}${w.slice(i + 2)}`;
  }
  throw new Error(`no two neighbouring letters of ${w} differ`);
}

/** GET a path with a query, as `user`; the response is checked against the spec when `specPath` is given. */
export async function get(
  app: App,
  user: TestUser | undefined,
  path: string,
  params: Record<string, string | number | boolean | readonly string[] | undefined>,
  opts: { scopes?: readonly string[]; specPath?: string } = {},
) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) qs.append(k, x);
    else qs.set(k, String(v));
  }
  const res = await app.http.inject({
    method: 'GET',
    url: `${path}?${qs}`,
    headers: user ? await user.auth(opts.scopes ?? FULL) : {},
  });
  if (opts.specPath) expectResponseMatchesSpec('GET', opts.specPath, res.statusCode, res.json());
  return res;
}

/** One page of /v5/search/partner/pins: ids and bookmark. */
export async function searchPins(
  app: App,
  user: TestUser,
  term: string,
  extra: Record<string, string | number> = {},
) {
  const res = await get(
    app,
    user,
    '/v5/search/partner/pins',
    { term, country_code: 'US', ...extra },
    { specPath: '/search/partner/pins' },
  );
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { items: { id: string }[]; bookmark: string | null };
  return { ids: body.items.map((i) => i.id), bookmark: body.bookmark };
}

/** Sets a pin's creation time (freshness tests) and reindexes it. */
export async function backdate(app: App, pinId: string, daysAgo: number): Promise<void> {
  await sql`update pins set created_at = now() - make_interval(days => ${daysAgo}) where id = ${pinId}`.execute(
    app.database.db,
  );
  await app.database.db.transaction().execute((trx) => discovery(app).index.reconcileIds(trx, [pinId]));
}

/** Adds `n` searches of `term` by `searchers` people on the day `daysAgo` days before today (UTC) to the rollups. */
export async function addSearches(
  app: App,
  term: string,
  daysAgo: number,
  n: number,
  searchers = MIN_SEARCHERS,
): Promise<void> {
  await sql`insert into search_term_daily (term, day, searches)
    values (${term}, (now() at time zone 'UTC')::date - ${daysAgo}::int, ${n})
    on conflict (term, day) do update set searches = search_term_daily.searches + excluded.searches`.execute(
    app.database.db,
  );
  // `searchers` people (ids -1, -2, ...: none is a real person's) searched it that day.
  await sql`insert into search_term_searchers (term, user_id, last_day)
    select ${term}, -g, (now() at time zone 'UTC')::date - ${daysAgo}::int from generate_series(1, ${searchers}::int) g
    on conflict (term, user_id) do update
    set last_day = greatest(search_term_searchers.last_day, excluded.last_day)`.execute(app.database.db);
}
