import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { termsRepository } from '../../../src/modules/discovery-search/terms.repository.js';
import { addDays } from '../../../src/modules/discovery-search/trends.js';
import { eventually, startTestApp } from '../../helpers/app.js';
import { FULL, makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { addSearches, discovery, get, makePin, searchPins, word } from './helpers.js';

let app: App;
let alice: TestUser;
let bob: TestUser;
let board: string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await makeUser(app);
  bob = await makeUser(app);
  board = (await makeBoard(app, alice, { name: 'Pantry' })).id;
});

const refresh = async () => {
  await discovery(app).index.reconcile();
  await discovery(app).terms.refresh();
};

async function suggested(term: string, limit?: number) {
  const res = await get(app, bob, '/v5/terms/suggested', { term, limit }, { specPath: '/terms/suggested' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as string[];
}

describe('GET /v5/terms/suggested', () => {
  it('completes a prefix with public terms, most searched first, then by how many pins carry them', async () => {
    const w = word('qa');
    await makePin(app, alice, board, { title: `${w} soup` });
    await makePin(app, alice, board, { title: `${w} salad` });
    await makePin(app, alice, board, { title: `${w} salad` });
    await makePin(app, alice, board, { title: `${w} stew` });
    await addSearches(app, `${w} stew`, 1, 40);
    await addSearches(app, `${w} stew`, 3, 2);
    await addSearches(app, `${w} soup`, 2, 10);
    await refresh();
    // stew: 2 ln 43 + ln 2; soup: 2 ln 11 + ln 2; salad: ln 3.
    expect(await suggested(w, 10)).toEqual([`${w} stew`, `${w} soup`, `${w} salad`]);
    expect(await suggested(`${w} s`, 2)).toEqual([`${w} stew`, `${w} soup`]);
    expect(await suggested(`${w.toUpperCase()}  SA`)).toEqual([`${w} salad`]);
    expect(await suggested(w.slice(0, 2), 10)).not.toContain('motor stew');
  });

  it('answers 4 suggestions by default and only terms beginning with the input', async () => {
    const w = word('qb');
    for (const t of ['a', 'b', 'c', 'd', 'e']) await makePin(app, alice, board, { title: `${w} ${t}` });
    await makePin(app, alice, board, { title: `other ${w}` });
    await refresh();
    const got = await suggested(w);
    expect(got).toHaveLength(4);
    for (const t of got) expect(t.startsWith(w)).toBe(true);
  });

  it('never suggests terms found only in secret content, however often searched', async () => {
    const w = word('qc');
    const secret = (await makeBoard(app, alice, { name: `${w} board`, privacy: 'SECRET' })).id;
    await makePin(app, alice, secret, { title: `${w} hidden` });
    await addSearches(app, `${w} hidden`, 1, 500);
    await refresh();
    expect(await suggested(w, 10)).toEqual([]);
    // Once the words occur in public content, the searched term may be suggested.
    await makePin(app, bob, (await makeBoard(app, bob)).id, { title: `${w} hidden gem` });
    await refresh();
    expect(await suggested(w, 10)).toEqual([`${w} hidden`, `${w} hidden gem`]);
  });

  it('stops suggesting titles and board names once the board is secret or the pin deleted', async () => {
    const w = word('qg');
    const shy = (await makeBoard(app, alice, { name: `${w} board` })).id;
    await makePin(app, alice, shy, { title: `${w} hush` });
    const gone = await makePin(app, alice, board, { title: `${w} gone` });
    await makePin(app, alice, board, { title: `${w} stays` });
    await refresh();
    expect(new Set(await suggested(w, 10))).toEqual(
      new Set([`${w} board`, `${w} hush`, `${w} gone`, `${w} stays`]),
    );
    const patch = await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${shy}`,
      headers: await alice.auth(),
      payload: { privacy: 'SECRET' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const del = await app.http.inject({
      method: 'DELETE',
      url: `/v5/pins/${gone}`,
      headers: await alice.auth(),
    });
    expect(del.statusCode).toBe(204);
    // The index consumer takes them out of the vocabulary in its own transaction; the typeahead index
    // (rebuilt here at once, every 30 s in a server) never sees them again, without a full refresh.
    await eventually(async () => {
      const { rows } = await sql`select term from search_vocabulary where term like ${`${w}%`}`.execute(
        app.database.db,
      );
      return rows.length === 1;
    });
    await discovery(app).terms.refresh();
    expect(await suggested(w, 10)).toEqual([`${w} stays`]);
    // Public again: back at once too.
    await app.http.inject({
      method: 'PATCH',
      url: `/v5/boards/${shy}`,
      headers: await alice.auth(),
      payload: { privacy: 'PUBLIC' },
    });
    await eventually(async () => {
      await discovery(app).terms.refresh();
      return (await suggested(w, 10)).length === 3;
    });
    expect(new Set(await suggested(w, 10))).toEqual(new Set([`${w} board`, `${w} hush`, `${w} stays`]));
  });

  it('counts searches made through global search (SEARCH events rolled up per day)', async () => {
    const w = word('qd');
    await makePin(app, alice, board, { title: `${w} pie` });
    await makePin(app, alice, board, { title: `${w} tart` });
    await makePin(app, alice, board, { title: `${w} tart` });
    await refresh();
    expect(await suggested(w, 10)).toEqual([`${w} tart`, `${w} pie`]);
    const searched = (n: number) =>
      eventually(async () => {
        const { rows } = await sql<{ searches: string }>`
          select searches from search_term_daily where term = ${`${w} pie`}`.execute(app.database.db);
        return rows[0]?.searches === String(n);
      });
    for (let i = 0; i < 3; i++) await searchPins(app, bob, `${w}   PIE`);
    await searchPins(app, alice, `${w} pie`);
    await searched(4);
    await refresh();
    // Searched by two people: their searches do not count yet (see the next test).
    expect(await suggested(w, 10)).toEqual([`${w} tart`, `${w} pie`]);
    await searchPins(app, await makeUser(app), `${w} pie`);
    await searched(5);
    await refresh();
    expect(await suggested(w, 10)).toEqual([`${w} pie`, `${w} tart`]);
  });

  it('suggests a searched query only once three people have searched it, however often one did', async () => {
    const w = word('qk');
    await makePin(app, alice, board, { title: `${w} crumble` });
    await makePin(app, alice, board, { title: `${w} custard` });
    await refresh();
    const query = `${w} custard crumble`;
    const searchers = async (n: number) =>
      eventually(async () => {
        const { rows } = await sql<{ n: string }>`
          select count(*)::text as n from search_term_searchers where term = ${query}`.execute(
          app.database.db,
        );
        return rows[0]?.n === String(n);
      });
    for (let i = 0; i < 5; i++) await searchPins(app, bob, query);
    await searchers(1);
    await refresh();
    expect(await suggested(`${w} cu`, 10)).toEqual([`${w} custard`]);
    await searchPins(app, alice, query);
    await searchers(2);
    await refresh();
    expect(await suggested(`${w} cu`, 10)).toEqual([`${w} custard`]);
    await searchPins(app, await makeUser(app), query);
    await searchers(3);
    await refresh();
    expect(await suggested(`${w} cu`, 10)).toEqual([query, `${w} custard`]);
  });

  it('refuses bad input with 400 {code, message}, and needs ads:read', async () => {
    for (const params of [
      { term: '' },
      { term: ' ' },
      { term: 'x'.repeat(101) },
      { term: 'a', limit: 11 },
      {},
    ]) {
      const res = await get(app, bob, '/v5/terms/suggested', params, { specPath: '/terms/suggested' });
      expect(res.statusCode, JSON.stringify(params)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
    const scopes = FULL.filter((s) => s !== 'ads:read');
    expect((await get(app, bob, '/v5/terms/suggested', { term: 'a' }, { scopes })).statusCode).toBe(403);
    expect((await get(app, undefined, '/v5/terms/suggested', { term: 'a' })).statusCode).toBe(401);
  });
});

describe('privacy changes reach typeahead and related terms at the next request, on the same node', () => {
  it('with the job worker paused: a board made secret, a pin deleted, a pin moved to a secret board', async () => {
    const w = word('qp');
    const shy = (await makeBoard(app, alice, { name: `${w} shy board` })).id;
    await makePin(app, alice, shy, { title: `${w} shy pin` });
    const gone = await makePin(app, alice, board, { title: `${w} gone pin` });
    const moved = await makePin(app, alice, board, { title: `${w} moved pin` });
    await makePin(app, alice, board, { title: `${w} stays` });
    // A popular query whose words only the board made secret carries.
    await addSearches(app, `${w} shy`, 1, 50);
    const hideaway = (await makeBoard(app, alice, { name: 'Hideaway', privacy: 'SECRET' })).id;
    await refresh();
    const hidden = [`${w} shy board`, `${w} shy pin`, `${w} shy`, `${w} gone pin`, `${w} moved pin`];
    const related = async () =>
      (await get(app, bob, '/v5/terms/related', { terms: [w] })).json().related_terms_list[0]
        .related_terms as string[];
    expect(new Set(await suggested(w, 10))).toEqual(new Set([...hidden, `${w} stays`]));
    expect(await related()).toEqual(expect.arrayContaining(hidden));

    // No consumer runs from here on: the vocabulary and this node's index keep the old terms.
    await app.jobs.stop();
    try {
      const as = async (method: 'PATCH' | 'DELETE', url: string, payload?: object) => {
        const res = await app.http.inject({ method, url, headers: await alice.auth(), payload });
        expect(res.statusCode, res.body).toBeLessThan(300);
      };
      await as('PATCH', `/v5/boards/${shy}`, { privacy: 'SECRET' });
      await as('DELETE', `/v5/pins/${gone}`);
      await as('PATCH', `/v5/pins/${moved}`, { board_id: hideaway });
      expect(await suggested(w, 10)).toEqual([`${w} stays`]);
      expect(await suggested(`${w} s`, 10)).toEqual([`${w} stays`]);
      const now = await related();
      for (const t of hidden) expect(now).not.toContain(t);
      expect(now).toContain(`${w} stays`);
      const { rows } = await sql`select term from search_vocabulary where term = ${`${w} shy pin`}`.execute(
        app.database.db,
      );
      expect(rows).toHaveLength(1); // still in the vocabulary: only the read-time check left it out
    } finally {
      await app.jobs.start();
    }
  });
});

describe('GET /v5/terms/related', () => {
  it('lists terms containing the input and titles found with it on public boards', async () => {
    const w = word('qe');
    const x = word('qf');
    const b1 = (await makeBoard(app, alice, { name: 'Weekday' })).id;
    await makePin(app, alice, b1, { title: `${w} workout` });
    await makePin(app, alice, b1, { title: `${x} stretches` });
    await addSearches(app, `yoga ${w}`, 1, 5);
    await makePin(app, bob, (await makeBoard(app, bob)).id, { title: `yoga ${w}` });
    const secret = (await makeBoard(app, alice, { name: 'Mine', privacy: 'SECRET' })).id;
    await makePin(app, alice, secret, { title: `${w} secretly` });
    await refresh();
    const res = await get(
      app,
      bob,
      '/v5/terms/related',
      { terms: [`${w}`, 'nothingatallhere'] },
      { specPath: '/terms/related' },
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.id).toBe(w);
    const first = body.related_terms_list[0];
    expect(first.term).toBe(w);
    expect(first.related_terms.slice(0, 2)).toEqual([`yoga ${w}`, `${w} workout`]);
    expect(first.related_terms).toContain(`${x} stretches`);
    expect(first.related_terms.join(' ')).not.toContain('secretly');
    expect(body.related_terms_list[1]).toEqual({ term: 'nothingatallhere', related_terms: [] });
    expect(body.related_term_count).toBe(first.related_terms.length);
    // Comma-separated, as Pinterest's example writes it.
    const comma = await get(app, bob, '/v5/terms/related', { terms: `${w},other` });
    expect(comma.json().related_terms_list.map((l: { term: string }) => l.term)).toEqual([w, 'other']);
  });

  it('never lists titles from a board made secret, even before the index hears of it', async () => {
    const w = word('qh');
    const b1 = (await makeBoard(app, alice, { name: 'Soon hidden' })).id;
    await makePin(app, alice, b1, { title: `${w} anchor` });
    await makePin(app, alice, b1, { title: 'zqneighbour private' });
    await refresh();
    const related = async () =>
      (await get(app, bob, '/v5/terms/related', { terms: [w] })).json().related_terms_list[0].related_terms;
    expect(await related()).toContain('zqneighbour private');
    // No event: the index still has the board's pins; the query must look at the board now.
    await sql`update boards set privacy = 'SECRET' where id = ${b1}`.execute(app.database.db);
    expect((await related()).join('|')).not.toContain('zqneighbour');
  });

  it('refuses missing, empty and too many terms', async () => {
    for (const terms of [undefined, '', ' , ', Array.from({ length: 11 }, (_, i) => `t${i}`)]) {
      const res = await get(app, bob, '/v5/terms/related', { terms }, { specPath: '/terms/related' });
      expect(res.statusCode, String(terms)).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    }
  });
});

type Trend = {
  keyword: string;
  pct_growth_wow: number;
  pct_growth_mom: number;
  pct_growth_yoy: number;
  time_series: Record<string, number>;
};

async function trends(
  type: string,
  params: Record<string, string | number | boolean | string[]> = {},
  region = 'US',
) {
  const res = await get(app, bob, `/v5/trends/keywords/${encodeURIComponent(region)}/top/${type}`, params, {
    specPath: '/trends/keywords/{region}/top/{trend_type}',
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { trends: Trend[] }).trends;
}

describe('GET /v5/trends/keywords/{region}/top/{trend_type}', () => {
  const today = new Date().toISOString().slice(0, 10);
  let k: {
    rising: string;
    steady: string;
    seasonal: string;
    hidden: string;
    lonely: string;
    stale: string;
    w: string;
  };

  beforeAll(async () => {
    const w = word('qt');
    k = {
      w,
      rising: `${w} rising`,
      steady: `${w} steady`,
      seasonal: `${w} seasonal`,
      hidden: `${w} hidden`,
      lonely: `${w} lonely`,
      stale: `${w} stale`,
    };
    const pub = (await makeBoard(app, alice, { name: 'Trends' })).id;
    for (const t of [k.rising, k.steady, k.seasonal, k.lonely, k.stale])
      await makePin(app, alice, pub, { title: t });
    const secret = (await makeBoard(app, alice, { name: 'Mine', privacy: 'SECRET' })).id;
    await makePin(app, alice, secret, { title: `${k.hidden} zzsecretonlyword` });
    // rising: 30 this week (day 0), 2 per week in the four weeks before (days 7, 14, 21, 28).
    await addSearches(app, k.rising, 0, 30);
    for (const d of [7, 14, 21, 28]) await addSearches(app, k.rising, d, 2);
    // steady: 10 a week for a year (days 0, 7, ..., 357): 520 in the last 365 days.
    for (let d = 0; d < 364; d += 7) await addSearches(app, k.steady, d, 10);
    // seasonal: 12 in the last 30 days (day 5), 3 in the 30 before (day 40); a year ago: 60 in the same
    // 30 days (day 370) and 13 more in that year (day 500).
    await addSearches(app, k.seasonal, 5, 12);
    await addSearches(app, k.seasonal, 40, 3);
    await addSearches(app, k.seasonal, 370, 60);
    await addSearches(app, k.seasonal, 500, 13);
    await addSearches(app, `${k.hidden} zzsecretonlyword`, 0, 1000);
    // lonely: public words, searched a thousand times this week, but by two people only.
    await addSearches(app, k.lonely, 0, 1000, 2);
    // stale: three people searched it 40 days ago; this week one of them, 1,000 times.
    await addSearches(app, k.stale, 40, 30, 3);
    await addSearches(app, k.stale, 0, 1000, 1);
    await discovery(app).index.reconcile();
  });

  const mine = (list: Trend[]) => list.filter((t) => t.keyword.startsWith(k.w));

  it('growing: this week against the mean of the four weeks before, smoothed', async () => {
    const list = mine(await trends('growing', { include_keywords: [k.w] }));
    // rising: (30 + 5) / (8 / 4 + 5) = 5; seasonal (12 on day 5): (12 + 5) / (0 + 5) = 3.4; steady: 10 this
    // week against a mean of 10, not growing.
    expect(list.map((t) => t.keyword)).toEqual([k.rising, k.seasonal]);
    const rising = list[0] as Trend;
    expect(rising.pct_growth_wow).toBe(1400); // 30 vs 2
    expect(rising.pct_growth_mom).toBe(10001); // 38 vs 0 in the month before
    expect(rising.pct_growth_yoy).toBe(10001);
    expect(Object.keys(rising.time_series)).toHaveLength(52);
    expect(rising.time_series[today]).toBe(100);
    expect(rising.time_series[addDays(today, -7)]).toBe(7); // 2 / 30
  });

  it('monthly and yearly: volume in the last 30 and 365 days', async () => {
    // monthly: steady 10 × 5 weeks (days 0..28) = 50, rising 38, seasonal 12.
    expect(mine(await trends('monthly', { include_keywords: [k.w] })).map((t) => t.keyword)).toEqual([
      k.steady,
      k.rising,
      k.seasonal,
    ]);
    // yearly: steady 520, rising 38, seasonal 15.
    const yearly = mine(await trends('yearly', { include_keywords: [k.w] }));
    expect(yearly.map((t) => t.keyword)).toEqual([k.steady, k.rising, k.seasonal]);
    expect(yearly[2]?.pct_growth_yoy).toBe(-79); // 15 vs 73
    expect(yearly[0]?.pct_growth_wow).toBe(0);
  });

  it('seasonal: growing this month, and the same month last year above that year’s mean', async () => {
    // seasonal: (12 + 5) / (3 + 5) × (60 + 5) / (73 × 30 / 365 + 5) > 1; steady: no growth; rising: no
    // searches a year ago, (0 + 5) / (0 + 5) = 1, not above.
    expect(mine(await trends('seasonal', { include_keywords: [k.w] })).map((t) => t.keyword)).toEqual([
      k.seasonal,
    ]);
  });

  it('normalises each series to its own peak, or to the group’s', async () => {
    const own = mine(await trends('monthly', { include_keywords: [k.w] }));
    expect(Math.max(...Object.values(own.find((t) => t.keyword === k.rising)?.time_series ?? {}))).toBe(100);
    const group = mine(await trends('monthly', { include_keywords: [k.w], normalize_against_group: true }));
    const rising = group.find((t) => t.keyword === k.rising)?.time_series ?? {};
    const steady = group.find((t) => t.keyword === k.steady)?.time_series ?? {};
    expect(rising[today]).toBe(100); // 30, the peak of all
    expect(steady[today]).toBe(33); // 10 / 30
  });

  it('filters by keyword and limit, never shows terms only secret content has, answers every region alike', async () => {
    const all = await trends('yearly', { limit: 50 });
    expect(all.map((t) => t.keyword).join('|')).not.toContain('zzsecretonlyword');
    // Fewer than three people searched it: never trending, however often.
    expect(all.map((t) => t.keyword)).not.toContain(k.lonely);
    expect(await trends('yearly', { include_keywords: ['lonely'] })).toEqual([]);
    // Three people, but only one in the last 30 days: one person's searches make no trend.
    expect(all.map((t) => t.keyword)).not.toContain(k.stale);
    expect(await trends('growing', { include_keywords: ['stale'] })).toEqual([]);
    expect(
      mine(await trends('yearly', { include_keywords: ['steady'], limit: 1 })).map((t) => t.keyword),
    ).toEqual([k.steady]);
    expect(await trends('yearly', { include_keywords: ['nothing-like-it'] })).toEqual([]);
    expect(mine(await trends('yearly', { include_keywords: [k.w] }, 'GB+IE'))).toEqual(
      mine(await trends('yearly', { include_keywords: [k.w] })),
    );
  });

  it('refuses unknown regions, trend types, interests and bad limits', async () => {
    const bad = async (path: string, params: Record<string, string | number | string[]> = {}) => {
      const res = await get(app, bob, path, params);
      expect(res.statusCode, `${path} ${JSON.stringify(params)}`).toBe(400);
      expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
    };
    await bad('/v5/trends/keywords/XX/top/growing');
    await bad('/v5/trends/keywords/us/top/growing');
    await bad('/v5/trends/keywords/DE%20AT%20CH/top/growing');
    await bad('/v5/trends/keywords/US/top/GROWING');
    await bad('/v5/trends/keywords/US/top/growing', { normalize_against_group: 'maybe' });
    await bad('/v5/trends/keywords/US/top/growing', { limit: 0 });
    await bad('/v5/trends/keywords/US/top/growing', { include_keywords: [''] });
    await bad('/v5/trends/keywords/US/top/growing', {
      include_keywords: Array.from({ length: 51 }, (_, i) => `k${i}`),
    });
    // One readable message, not one per allowed value.
    const region = await get(app, bob, '/v5/trends/keywords/XX/top/growing', {});
    expect(region.json().message).toMatch(/region/);
    expect(region.json().message).not.toMatch(/constant.*constant/);
    expect((await get(app, bob, '/v5/trends/keywords/DE%2BAT%2BCH/top/growing', {})).statusCode).toBe(200);
    await bad('/v5/trends/keywords/US/top/daily');
    await bad('/v5/trends/keywords/US/top/growing', { interests: ['cooking'] });
    await bad('/v5/trends/keywords/US/top/growing', { genders: ['robot'] });
    await bad('/v5/trends/keywords/US/top/growing', { limit: 51 });
    await bad('/v5/trends/keywords/US/top/growing', { include_keywords: ['x'.repeat(101)] });
    expect(
      (await get(app, bob, '/v5/trends/keywords/US/top/growing', { interests: ['beauty'], ages: ['65+'] }))
        .statusCode,
    ).toBe(200);
    const scopes = FULL.filter((s) => s !== 'user_accounts:read');
    expect((await get(app, bob, '/v5/trends/keywords/US/top/growing', {}, { scopes })).statusCode).toBe(403);
  });
});

describe('search-term rollup', () => {
  it('counts a batch once however often it is delivered', async () => {
    const w = word('qr');
    await makePin(app, alice, board, { title: w });
    await searchPins(app, bob, w);
    await searchPins(app, bob, w);
    const count = async () => {
      const { rows } = await sql<{ n: string }>`
        select coalesce(sum(searches), 0)::text as n from search_term_daily where term = ${w}`.execute(
        app.database.db,
      );
      return Number(rows[0]?.n);
    };
    await eventually(async () => (await count()) === 2);
    // Deliver one of those batches again to the consumer, in a transaction of its own.
    const { rows } = await sql<{ batch_id: string; day: string }>`
      select batch_id::text, day::text from events where kind = 'SEARCH' and query = ${w} limit 1`.execute(
      app.database.db,
    );
    const consumer = discovery(app)
      .consumers?.(app.deps)
      .find((c) => c.name === 'discovery-search.search-terms');
    if (!consumer) throw new Error('no search-terms consumer');
    await app.database.db
      .transaction()
      .execute((trx) =>
        consumer.handle(
          { batchId: rows[0]?.batch_id, days: [rows[0]?.day] },
          { trx, eventId: '0', topic: 'events.batch', attempt: 2, log: app.log, afterCommit: () => {} },
        ),
      );
    expect(await count()).toBe(2);
  });
});

describe('SEARCH events of global search', () => {
  const written = async (w: string) => {
    const { rows } = await sql<{ query: string }>`
      select query from events where kind = 'SEARCH' and query like ${`${w}%`} order by query`.execute(
      app.database.db,
    );
    return rows.map((r) => r.query);
  };

  it('are written before the search answers, one per first page', async () => {
    const carol = await makeUser(app);
    const w = word('qs');
    for (let i = 0; i < 3; i++) await searchPins(app, carol, `${w} ${i}`);
    expect(await written(w)).toEqual([0, 1, 2].map((i) => `${w} ${i}`));
  });

  it('are all written, each once, when many searches answer at once (written together)', async () => {
    const carol = await makeUser(app);
    const w = word('qm');
    const terms = Array.from({ length: 30 }, (_, i) => `${w} ${String(i).padStart(2, '0')}`);
    await Promise.all(terms.map((t) => searchPins(app, carol, t)));
    expect(await written(w)).toEqual(terms);
  });
});

describe('searchers of a term', () => {
  it('are forgotten 30 days after their last search of it (the popularity window)', async () => {
    const w = word('qp');
    await sql`insert into search_term_searchers (term, user_id, last_day) values
      (${w}, -1, current_date - 31), (${w}, -2, current_date - 30), (${w}, -3, current_date - 29)`.execute(
      app.database.db,
    );
    await termsRepository.pruneSearchers(app.database.db);
    const { rows } = await sql<{ user_id: string }>`
      select user_id::text from search_term_searchers where term = ${w}`.execute(app.database.db);
    expect(rows).toEqual([{ user_id: '-3' }]);
  });
});
