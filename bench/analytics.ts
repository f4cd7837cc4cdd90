/**
 * `npx tsx bench/analytics.ts`: the analytics query benchmark of issue #4, on PostgreSQL + Redis only.
 *
 * A creator with BENCH_PINS (10,000) pins and BENCH_HISTORY_DAYS (120) days of daily rollup rows per pin
 * and app type (skewed per-pin activity, written straight into the rollup tables with generate_series),
 * among other creators' rows; then `corkboard serve` is loaded with autocannon on
 *   GET /v5/user_account/analytics            over 90 days (target: p99 < 50 ms)
 *   GET /v5/user_account/analytics/top_pins   over 90 days (num_of_pins=50)
 * the first at each of BENCH_CONNECTION_LIST (1,10,50) connections for BENCH_DURATION (5) s, top_pins at
 * BENCH_TOP_CONNECTION_LIST (1,10) for BENCH_TOP_DURATION (20) s. No baseline server: the target is absolute.
 * Each answer is checked once against sums computed from the tables. Then EXPLAIN (ANALYZE, BUFFERS) of
 * both endpoints' queries, as the repository writes them.
 *
 * Results: stdout and bench/results/analytics.json. See bench/README.md for the settings.
 */
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { encodeId, IdType } from '../src/platform/ids.js';
import { type LoadOptions, measure, median, type Sample } from './measure.js';
import { freePort, runBench, runCommand, startChild, stopAll } from './processes.js';
import { fmt, log, writeResults } from './report.js';
import { dropRedisPrefix, envFlag, envNumber, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'analytics.json');
const START_TIMEOUT_MS = 60_000;
const SCHEMA = 'bench_analytics';
const REDIS_PREFIX = 'bench_analytics:';
const DATA_DIR = join(tmpdir(), 'corkboard-bench-analytics');
const CREATOR = 'analytics_creator';
const SCOPES = 'user_accounts:read,pins:read,boards:read';
const P99_TARGET_MS = 50;
/** Ids the bench makes itself carry this shard, so they never meet ids from the server's sequence. */
const BENCH_SHARD = 65_000;

interface Settings {
  databaseUrl: string;
  redisUrl: string;
  pins: number;
  historyDays: number;
  otherCreators: number;
  otherPins: number;
  reseed: boolean;
  connections: number[];
  durationS: number;
  topConnections: number[];
  topDurationS: number;
  warmupS: number;
  rounds: number;
}

function settings(): Settings {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis')) {
    throw new Error(
      'bench/analytics.ts runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://... and REDIS_URL=redis://...',
    );
  }
  const list = (name: string, fallback: string) => {
    const values = (process.env[name] || fallback).split(',').map((c) => Number(c.trim()));
    if (values.some((c) => !Number.isInteger(c) || c < 1))
      throw new Error(`${name} must list positive integers, e.g. ${fallback}`);
    return values;
  };
  return {
    databaseUrl,
    redisUrl,
    pins: envNumber('BENCH_PINS', 10_000, 1),
    historyDays: envNumber('BENCH_HISTORY_DAYS', 120, 91),
    otherCreators: envNumber('BENCH_OTHER_CREATORS', 20, 0),
    otherPins: envNumber('BENCH_OTHER_PINS', 1_000, 1),
    reseed: envFlag('BENCH_RESEED'),
    connections: list('BENCH_CONNECTION_LIST', '1,10,50'),
    durationS: envNumber('BENCH_DURATION', 5, 1),
    topConnections: list('BENCH_TOP_CONNECTION_LIST', '1,10'),
    topDurationS: envNumber('BENCH_TOP_DURATION', 20, 1),
    warmupS: envNumber('BENCH_WARMUP', 1, 0),
    rounds: envNumber('BENCH_ROUNDS', 2, 1),
  };
}

/** Environment of every corkboard child: services mode in the bench schema and Redis prefix. */
function corkboardEnv(s: Settings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const place = {
    databaseUrl: s.databaseUrl,
    redisUrl: s.redisUrl,
    schema: SCHEMA,
    redisPrefix: REDIS_PREFIX,
  };
  return servicesEnv({ ...place, dataDir: DATA_DIR }, extra);
}

async function token(s: Settings): Promise<string> {
  const out = await runCommand(
    'corkboard token',
    ['src/main.ts', 'token', '--user', CREATOR, '--scopes', SCOPES, '--create'],
    corkboardEnv(s),
    START_TIMEOUT_MS,
  );
  return out.trim().split('\n').pop()!.trim();
}

// ---------------------------------------------------------------------------------------------------
// Seeding

interface SeedInfo {
  seeded: boolean;
  seconds: number | null;
  creatorId: string;
  creatorPins: number;
  pinDailyRows: number;
  creatorPinDailyRows: number;
  creatorDailyRows: number;
}

async function counts(db: pg.Pool, creatorId: string) {
  const r = await db.query<{ pins: string; all_rows: string; creator_rows: string; creator_days: string }>(
    `select (select count(*) from ${SCHEMA}.pins where owner_id = $1)::text as pins,
            (select count(*) from ${SCHEMA}.pin_daily_rollups)::text as all_rows,
            (select count(*) from ${SCHEMA}.pin_daily_rollups where owner_id = $1)::text as creator_rows,
            (select count(*) from ${SCHEMA}.creator_daily_rollups where user_id = $1)::text as creator_days`,
    [creatorId],
  );
  const row = r.rows[0]!;
  return {
    creatorPins: Number(row.pins),
    pinDailyRows: Number(row.all_rows),
    creatorPinDailyRows: Number(row.creator_rows),
    creatorDailyRows: Number(row.creator_days),
  };
}

async function creatorId(db: pg.Pool): Promise<string | undefined> {
  try {
    const r = await db.query<{ id: string }>(
      `select id::text as id from ${SCHEMA}.users where username = $1`,
      [CREATOR],
    );
    return r.rows[0]?.id;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return undefined;
    throw err;
  }
}

/** The SQL bigint of a bench id: shard BENCH_SHARD, the given type, local id `local` (an SQL expression). */
function benchId(type: keyof typeof IdType, local: string): string {
  const base = BigInt(encodeId(BENCH_SHARD, IdType[type], 0n));
  return `(${base}::bigint + (${local}))`;
}

/**
 * Rollup rows as the rollup would have written them. Each pin gets an activity level (the share of days it
 * is seen at all, squared uniform: most pins quiet, a few busy) and a reach (impressions per active day,
 * fourth power of uniform: a long tail); each app type a share of the traffic. A pin, day (from the pin's
 * creation on) and app type has a row with probability activity × share; its counts follow reach × share with clicks, saves and outbound
 * clicks a few percent of impressions.
 */
async function seedRollups(db: pg.Pool, s: Settings, owners: string[], pinsPer: number[]): Promise<void> {
  await db.query(
    `with owners as (
       select o.id, o.n from unnest($1::bigint[], $2::int[]) as o(id, n)
     ), pp as (
       select p.id, p.owner_id, p.created_at,
              0.05 + 0.9 * power(random(), 2) as act,
              1 + floor(400 * power(random(), 4)) as reach
         from ${SCHEMA}.pins p join owners o on o.id = p.owner_id
     )
     insert into ${SCHEMA}.pin_daily_rollups
       (pin_id, day, app_type, owner_id, impressions, pin_clicks, saves, outbound_clicks)
     select pp.id, d::date, a.app_type, pp.owner_id,
            greatest(1, floor(pp.reach * a.share * (0.5 + random()))),
            floor(pp.reach * a.share * 0.06 * random()),
            floor(pp.reach * a.share * 0.02 * random()),
            floor(pp.reach * a.share * 0.01 * random())
       from pp
      cross join generate_series(current_date - $3::int, current_date - 1, interval '1 day') d
      cross join (values ('MOBILE', 0.7), ('WEB', 0.5), ('TABLET', 0.15), ('OTHER', 0.05)) a(app_type, share)
      where d >= date_trunc('day', pp.created_at)
        -- d in the expression keeps the draw per row (pushed down to pp × a, it would be one per pin and app type)
        and random() + 0 * extract(epoch from d) < pp.act * a.share`,
    [owners, pinsPer, s.historyDays],
  );
  await db.query(
    `insert into ${SCHEMA}.creator_daily_rollups
       (user_id, day, app_type, impressions, pin_clicks, saves, outbound_clicks)
     select owner_id, day, app_type, sum(impressions), sum(pin_clicks), sum(saves), sum(outbound_clicks)
       from ${SCHEMA}.pin_daily_rollups group by 1, 2, 3`,
  );
  await db.query(
    `insert into ${SCHEMA}.app_type_daily_rollups
       (day, app_type, impressions, pin_clicks, saves, outbound_clicks)
     select r.day, r.app_type, sum(r.impressions), sum(r.pin_clicks), sum(r.saves), sum(r.outbound_clicks)
       from ${SCHEMA}.pin_daily_rollups r
       join ${SCHEMA}.pins p on p.id = r.pin_id
       join ${SCHEMA}.boards b on b.id = p.board_id
      where b.privacy <> 'SECRET'
      group by 1, 2`,
  );
}

/**
 * Seeds the bench schema unless it already holds the creator with about BENCH_PINS pins and rollups
 * (BENCH_RESEED=1 forces it): schema from `corkboard token --create` (migrations and the creator), then
 * users, boards and pins (5% of the creator's on a secret board) and the rollup rows, all in SQL.
 */
async function ensureSeeded(s: Settings, db: pg.Pool): Promise<SeedInfo> {
  const existing = await creatorId(db);
  if (existing && !s.reseed) {
    const c = await counts(db, existing);
    if (c.creatorPins === s.pins && c.creatorDailyRows > 0) {
      log(`Seed: reusing schema ${SCHEMA} (${c.creatorPins} pins; BENCH_RESEED=1 to seed again)`);
      return { seeded: false, seconds: null, creatorId: existing, ...c };
    }
  }
  log(`Seed: dropping schema ${SCHEMA} and Redis keys ${REDIS_PREFIX}*`);
  await db.query(`drop schema if exists ${SCHEMA} cascade`);
  await dropRedisPrefix(s.redisUrl, REDIS_PREFIX);
  const started = performance.now();
  await token(s); // migrates the schema and makes the creator
  const id = await creatorId(db);
  if (!id) throw new Error(`corkboard token --create did not make ${CREATOR}`);

  // Other creators: users with one public board each.
  await db.query(
    `insert into ${SCHEMA}.users (id, username, email, password_hash)
     select ${benchId('user', 'g')}, 'bench_creator_' || g, 'bench_creator_' || g || '@bench.invalid', 'x'
       from generate_series(1, $1::int) g`,
    [s.otherCreators],
  );
  // Boards: 1 public and 2 secret for the creator; 1 public per other creator.
  await db.query(
    `insert into ${SCHEMA}.boards (id, owner_id, name, privacy)
     values (${benchId('board', '1')}, $1, 'Everything', 'PUBLIC'),
            (${benchId('board', '2')}, $1, 'Drafts', 'SECRET')`,
    [id],
  );
  await db.query(
    `insert into ${SCHEMA}.boards (id, owner_id, name)
     select ${benchId('board', '100 + g')}, ${benchId('user', 'g')}, 'Board ' || g
       from generate_series(1, $1::int) g`,
    [s.otherCreators],
  );
  // The creator's pins over the last year (every 20th on the secret board); the others' likewise.
  await db.query(
    `insert into ${SCHEMA}.pins (id, owner_id, board_id, title, created_at)
     select ${benchId('pin', 'g')}, $1,
            case when g % 20 = 0 then ${benchId('board', '2')} else ${benchId('board', '1')} end,
            'Pin ' || g, now() - (365 - 365.0 * g / $2) * interval '1 day'
       from generate_series(1, $2::int) g`,
    [id, s.pins],
  );
  await db.query(
    `insert into ${SCHEMA}.pins (id, owner_id, board_id, title, created_at)
     select ${benchId('pin', '1000000 + c * $2 + g')}, ${benchId('user', 'c')}, ${benchId('board', '100 + c')},
            'Pin ' || c || '/' || g, now() - (365 - 365.0 * g / $2) * interval '1 day'
       from generate_series(1, $1::int) c, generate_series(1, $2::int) g`,
    [s.otherCreators, s.otherPins],
  );
  const others = await db.query<{ id: string }>(
    `select id::text as id from ${SCHEMA}.users where username like 'bench_creator_%' order by id`,
  );
  log(
    `Seed: ${s.pins} pins for ${CREATOR}, ${s.otherCreators} × ${s.otherPins} for other creators; rollups over ${s.historyDays} days ...`,
  );
  await seedRollups(
    db,
    s,
    [id, ...others.rows.map((r) => r.id)],
    [s.pins, ...others.rows.map(() => s.otherPins)],
  );
  // As autovacuum would leave them (it is off on this machine): statistics, and the visibility map that
  // index-only scans need.
  await db.query(
    `vacuum analyze ${[
      'users',
      'boards',
      'pins',
      'pin_daily_rollups',
      'creator_daily_rollups',
      'app_type_daily_rollups',
    ]
      .map((t) => `${SCHEMA}.${t}`)
      .join(', ')}`,
  );
  const seconds = (performance.now() - started) / 1000;
  const c = await counts(db, id);
  log(
    `Seed: ${c.pinDailyRows} pin-day rows (${c.creatorPinDailyRows} of ${CREATOR}), ${c.creatorDailyRows} creator-day rows, in ${fmt(seconds, 1)} s`,
  );
  return { seeded: true, seconds, creatorId: id, ...c };
}

// ---------------------------------------------------------------------------------------------------
// Checks, load and plans

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function getJson(url: string, tok: string): Promise<{ body: unknown; bytes: number }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${tok}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return { body: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

/** The answers must be the tables' sums: a fast wrong answer would prove nothing. */
async function check(
  db: pg.Pool,
  creator: string,
  start: string,
  end: string,
  user: unknown,
  top: unknown,
): Promise<void> {
  const sums = await db.query<{ impressions: string; saves: string }>(
    `select sum(impressions)::text as impressions, sum(saves)::text as saves
       from ${SCHEMA}.creator_daily_rollups where user_id = $1 and day between $2 and $3`,
    [creator, start, end],
  );
  const summary = (user as { all: { summary_metrics: Record<string, number>; daily_metrics: unknown[] } })
    .all;
  const want = { IMPRESSION: Number(sums.rows[0]!.impressions), SAVE: Number(sums.rows[0]!.saves) };
  if (summary.summary_metrics.IMPRESSION !== want.IMPRESSION || summary.summary_metrics.SAVE !== want.SAVE)
    throw new Error(
      `user_account/analytics summary ${JSON.stringify(summary.summary_metrics)} is not the table's ${JSON.stringify(want)}`,
    );
  if (summary.daily_metrics.length !== 90)
    throw new Error(`expected 90 daily_metrics, got ${summary.daily_metrics.length}`);
  const best = await db.query<{ pin_id: string; impressions: string }>(
    `select r.pin_id::text as pin_id, sum(r.impressions)::text as impressions
       from ${SCHEMA}.pin_daily_rollups r
       join ${SCHEMA}.pins p on p.id = r.pin_id join ${SCHEMA}.boards b on b.id = p.board_id
      where r.owner_id = $1 and r.day between $2 and $3 and b.privacy <> 'SECRET'
      group by r.pin_id order by sum(r.impressions) desc, r.pin_id desc limit 1`,
    [creator, start, end],
  );
  const first = (top as { pins: { pin_id: string; metrics: Record<string, number> }[] }).pins[0];
  if (
    first?.pin_id !== best.rows[0]!.pin_id ||
    first.metrics.IMPRESSION !== Number(best.rows[0]!.impressions)
  )
    throw new Error(
      `top_pins first is ${JSON.stringify(first)}, the table says ${JSON.stringify(best.rows[0])}`,
    );
}

interface RouteRun {
  route: string;
  path: string;
  connections: number;
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  samples: Sample[];
  bodyBytes: number;
  p99TargetMs: number | null;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the endpoints' queries, as analytics.repository.ts writes them. */
async function explain(db: pg.Pool, creator: string, start: string, end: string) {
  const sums = `coalesce(sum(impressions), 0)::float8 as impressions,
  coalesce(sum(pin_clicks), 0)::float8 as pin_clicks,
  coalesce(sum(saves), 0)::float8 as saves,
  coalesce(sum(outbound_clicks), 0)::float8 as outbound_clicks`;
  const plans: Record<string, string> = {};
  const client = await db.connect();
  try {
    await client.query(`set search_path to ${SCHEMA}`);
    const run = async (name: string, text: string, params: unknown[]) => {
      // Twice: the first warms the cache; the second is the steady state the load sees.
      await client.query(`explain (analyze, buffers) ${text}`, params);
      const r = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text}`, params);
      plans[name] = r.rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    await run(
      'user_account/analytics (creatorDays)',
      `select day::text as day, app_type, ${sums}
         from creator_daily_rollups
        where user_id = $1 and day between $2 and $3
        group by day, app_type`,
      [creator, start, end],
    );
    await run(
      'user_account/analytics/top_pins (topPins)',
      `select r.pin_id::text as pin_id, p.created_at,
              sum(r.impressions)::float8 as impressions, sum(r.pin_clicks)::float8 as pin_clicks,
              sum(r.saves)::float8 as saves, sum(r.outbound_clicks)::float8 as outbound_clicks
         from pin_daily_rollups r
         join pins p on p.id = r.pin_id
         join boards b on b.id = p.board_id
        where r.owner_id = $1 and r.day between $2 and $3 and b.privacy <> 'SECRET'
        group by r.pin_id, p.created_at
        order by sum(r.impressions) desc, r.pin_id desc
        limit 50`,
      [creator, start, end],
    );
  } finally {
    client.release();
  }
  return plans;
}

async function main(): Promise<void> {
  const s = settings();
  log(
    `Corkboard analytics bench — services mode (schema ${SCHEMA}, Redis prefix ${REDIS_PREFIX}), RATE_LIMITS=off, LOG_LEVEL=warn\nconnections ${s.connections.join(', ')} (top_pins ${s.topConnections.join(', ')}); ${s.warmupS} s warm-up + ${s.durationS} s per run (top_pins ${s.topDurationS} s), ${s.rounds} rounds, ${availableParallelism()} CPUs, Node ${process.version}\n`,
  );
  const db = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
  try {
    const seed = await ensureSeeded(s, db);
    const tok = await token(s);
    const server = await startChild(
      'corkboard server',
      ['src/main.ts', 'serve'],
      corkboardEnv(s, { PORT: String(await freePort()), HOST: '127.0.0.1' }),
      START_TIMEOUT_MS,
    );
    // 90 days ending yesterday (UTC).
    const start = day(-90);
    const end = day(-1);
    const routes = [
      {
        route: 'GET /v5/user_account/analytics',
        path: `/v5/user_account/analytics?start_date=${start}&end_date=${end}`,
        p99TargetMs: P99_TARGET_MS as number | null,
        connections: s.connections,
        durationS: s.durationS,
        warmupS: s.warmupS,
      },
      {
        route: 'GET /v5/user_account/analytics/top_pins',
        path: `/v5/user_account/analytics/top_pins?start_date=${start}&end_date=${end}&sort_by=IMPRESSION&num_of_pins=50`,
        p99TargetMs: null,
        // Hundreds of ms a call: fewer connections and longer runs, or nothing completes in a run.
        connections: s.topConnections,
        durationS: s.topDurationS,
        warmupS: 0,
      },
    ];
    const answers = await Promise.all(routes.map((r) => getJson(server.url + r.path, tok)));
    await check(db, seed.creatorId, start, end, answers[0]!.body, answers[1]!.body);
    log(`Checked: both answers agree with the rollup tables (${start} .. ${end})`);

    const loadBefore = loadavg()[0]!;
    log(
      `Load average before the runs: ${fmt(loadBefore, 2)} (${availableParallelism()} CPUs; other work on the machine skews every figure)`,
    );
    const runs: RouteRun[] = [];
    for (const [i, r] of routes.entries()) {
      for (const connections of r.connections) {
        const load: LoadOptions = {
          durationS: r.durationS,
          warmupS: r.warmupS,
          connections,
          headers: { authorization: `Bearer ${tok}` },
        };
        const samples: Sample[] = [];
        for (let k = 0; k < s.rounds; k++) {
          samples.push(await measure(server.url + r.path, load));
          // Calls cut off at the end of a run may still be running in the server: wait them out.
          await getJson(server.url + r.path, tok);
        }
        const run: RouteRun = {
          route: r.route,
          path: r.path,
          p99TargetMs: r.p99TargetMs,
          connections,
          rps: median(samples.map((x) => x.rps)),
          p99Ms: median(samples.map((x) => x.p99Ms)),
          non2xx: samples.reduce((n, x) => n + x.non2xx, 0),
          errors: samples.reduce((n, x) => n + x.errors, 0),
          samples,
          bodyBytes: answers[i]!.bytes,
        };
        runs.push(run);
        log(`  ${r.route} c=${connections}: ${fmt(run.rps)} req/s, p99 ${fmt(run.p99Ms, 1)} ms`);
      }
    }
    await stopAll();
    const loadAfter = loadavg()[0]!;

    const plans = await explain(db, seed.creatorId, start, end);
    log('');
    const head = ['route', 'conns', 'requests', 'req/s', 'p99 ms', 'target'];
    const rows = runs.map((r) => [
      r.route,
      String(r.connections),
      String(r.samples.reduce((n, x) => n + x.requests, 0)),
      fmt(r.rps),
      fmt(r.p99Ms, 1),
      r.p99TargetMs === null
        ? '-'
        : `${r.p99Ms < r.p99TargetMs ? 'meets' : 'MISSES'} p99 < ${r.p99TargetMs} ms`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    log([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
    for (const r of runs)
      if (r.non2xx + r.errors > 0)
        log(`WARNING ${r.route} c=${r.connections}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    log(`Bodies: ${routes.map((r, i) => `${r.route} ${answers[i]!.bytes} bytes`).join('; ')}`);
    log('p99 has 1 ms resolution (autocannon histogram); requests: completed in the measured runs.');
    log(`Load average (1 min): ${fmt(loadBefore, 2)} before, ${fmt(loadAfter, 2)} after the runs`);
    for (const [name, plan] of Object.entries(plans)) log(`\nEXPLAIN (ANALYZE, BUFFERS) ${name}:\n${plan}`);

    await writeResults(RESULTS, {
      date: new Date().toISOString(),
      mode: 'services',
      node: process.version,
      cpus: availableParallelism(),
      schema: SCHEMA,
      rateLimits: 'off',
      range: { start, end },
      loadAverage: { before: loadBefore, after: loadAfter },
      settings: { ...s, databaseUrl: undefined, redisUrl: undefined },
      seed,
      runs,
      plans,
    });
    log(`\nJSON: ${RESULTS}`);
  } finally {
    await stopAll();
    await db.end();
  }
}

await runBench(main);
