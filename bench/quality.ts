/**
 * `npx tsx bench/quality.ts`: offline quality of discovery on the seeded world. PostgreSQL + Redis only.
 *
 * 1. Seeds a fresh world (`corkboard seed --pins BENCH_QUALITY_PINS --seed BENCH_QUALITY_SEED`, 20k and 1)
 *    into its own schema, then holds out each person's last BENCH_HOLDOUT (2) saves when they have more
 *    (the rows are deleted, so neither the graph nor the feed sees them).
 * 2. Related pins, precision@20: for BENCH_RELATED_QUERIES (200) query pins drawn (by seed) from the public
 *    original pins saved at least once (pins the graph links beyond their own board), asks
 *    `GET /v5/pins/{id}/related?page_size=20` and counts the results of the query pin's planted topic. The
 *    seed writes every pin's link as `https://example.org/<topic>/<n>`, so a served pin's topic is read
 *    off its `link`. Baseline: the 20 most saved public pins, the query pin left out.
 * 3. Home feed, recall@25: the first page of `GET /v5/feeds/home` (FeedService.home) for up to
 *    BENCH_QUALITY_USERS (400) people with held-out saves; a hit is a held-out save's pin (the pin saved
 *    from) on the page. Baseline: the 25 most saved public pins the person has not saved or made; the
 *    feed's own popular pool (decayed saves, not personalised) is shown too.
 *
 * Targets: precision@20 ≥ 0.8 and ≥ 2× its baseline; recall@25 ≥ 2× its baseline. FEED_SHARE_* and the other
 * settings pass through to the app. Output: stdout and bench/results/quality.json.
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { Random } from '../src/cli/seed/random.js';
import type { feedModule } from '../src/modules/feed/index.js';
import type { relatedModule } from '../src/modules/related/index.js';
import { loadConfig } from '../src/platform/config.js';
import { runBench, runCommand } from './processes.js';
import { log, writeResults } from './report.js';
import { dropRedisPrefix, envFlag, envNumber, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'quality.json');
const SCHEMA = 'bench_quality';
const REDIS_PREFIX = 'bench_quality:';
const DATA_DIR = join(tmpdir(), 'corkboard-bench-quality');
const FEED_K = 25;
const RELATED_K = 20;

/** The planted topic of a seeded pin, from the link the seed gives it. */
function topicOf(link: string | null | undefined): string | undefined {
  return /^https:\/\/example\.org\/([a-z]+)\/\d+$/.exec(link ?? '')?.[1];
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis'))
    throw new Error('bench/quality.ts needs DATABASE_URL=postgres://... and REDIS_URL=redis://...');
  const pins = envNumber('BENCH_QUALITY_PINS', 20_000, 100);
  const worldSeed = envNumber('BENCH_QUALITY_SEED', 1, 0);
  const holdout = envNumber('BENCH_HOLDOUT', 2, 1);
  const relatedQueries = envNumber('BENCH_RELATED_QUERIES', 200, 0);
  const feedUsers = envNumber('BENCH_QUALITY_USERS', 400, 0);
  const reuse = envFlag('BENCH_QUALITY_REUSE');
  const env = servicesEnv(
    { databaseUrl, redisUrl, schema: SCHEMA, redisPrefix: REDIS_PREFIX, dataDir: DATA_DIR },
    { FEED_SNAPSHOT_SECONDS: '0', LOG_LEVEL: 'error', RELATED_REBUILD_MINUTES: '0' },
  );

  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // The world as held out, kept in the schema: BENCH_QUALITY_REUSE=1 measures it again (same seed and
  // size) without seeding; otherwise a fresh world (holding out deletes rows).
  const reusable = reuse
    ? (
        await db
          .query<{ pins: number; seed: number; holdout: number }>(
            `select pins, seed, holdout from ${SCHEMA}.quality_world limit 1`,
          )
          .catch(() => ({ rows: [] }))
      ).rows[0]
    : undefined;
  let seedSeconds = 0;
  if (!reusable || reusable.pins !== pins || reusable.seed !== worldSeed || reusable.holdout !== holdout) {
    await db.query(`drop schema if exists ${SCHEMA} cascade`);
    await rm(DATA_DIR, { recursive: true, force: true });
    await mkdir(DATA_DIR, { recursive: true });
    log(`Seed: corkboard seed --pins ${pins} --seed ${worldSeed} into ${SCHEMA} ...`);
    const seedStarted = performance.now();
    await runCommand(
      'corkboard seed',
      ['src/main.ts', 'seed', '--pins', String(pins), '--seed', String(worldSeed)],
      env,
      1_800_000,
    );
    seedSeconds = (performance.now() - seedStarted) / 1000;
    // Each person's last `holdout` saves, if they have at least holdout + 1 (something to learn from).
    await db.query(
      `create table ${SCHEMA}.quality_held as
       select user_id, pin_id, parent from (
         select p.owner_id as user_id, p.id as pin_id, p.parent_pin_id as parent,
                row_number() over (partition by p.owner_id order by p.created_at desc, p.id desc) as n,
                count(*) over (partition by p.owner_id) as saves
           from ${SCHEMA}.pins p where p.parent_pin_id is not null) t
        where n <= ${holdout} and saves > ${holdout}`,
    );
    await db.query(`delete from ${SCHEMA}.pins where id in (select pin_id from ${SCHEMA}.quality_held)`);
    await db.query(`analyze ${SCHEMA}.pins, ${SCHEMA}.follows, ${SCHEMA}.board_follows, ${SCHEMA}.boards`);
    await db.query(
      `create table ${SCHEMA}.quality_world as select ${pins}::int as pins, ${worldSeed}::int as seed, ${holdout}::int as holdout`,
    );
  } else log(`Reusing the world in ${SCHEMA} (BENCH_QUALITY_REUSE=1)`);
  // Feed sessions, lists and the graph's snapshot start afresh either way.
  await dropRedisPrefix(redisUrl, REDIS_PREFIX);
  const held = await db.query<{ user_id: string; pin_id: string; parent: string }>(
    `select user_id::text, pin_id::text, parent::text from ${SCHEMA}.quality_held order by user_id`,
  );
  const heldBy = new Map<string, Set<string>>();
  for (const r of held.rows) heldBy.set(r.user_id, (heldBy.get(r.user_id) ?? new Set()).add(r.parent));
  const users = [...heldBy.keys()].slice(0, feedUsers);
  log(
    `${seedSeconds ? `Seeded in ${seedSeconds.toFixed(1)} s. ` : ''}Held out ${held.rows.length} saves of ${heldBy.size} people; feed measured for ${users.length}`,
  );

  // The most saved public pins (after the hold-out), with their topics: both baselines.
  const popular = (
    await db.query<{ id: string; owner: string; link: string | null }>(
      `select p.id::text, p.owner_id::text as owner, p.link from (
         select parent_pin_id as id, count(*) as n from ${SCHEMA}.pins
          where parent_pin_id is not null group by parent_pin_id) s
         join ${SCHEMA}.pins p on p.id = s.id join ${SCHEMA}.boards b on b.id = p.board_id
        where b.privacy = 'PUBLIC' order by s.n desc, p.id desc limit 2000`,
    )
  ).rows;

  // Related-pin queries: public originals saved at least once, drawn by seed.
  const queryable = (
    await db.query<{ id: string; link: string | null }>(
      `select p.id::text, p.link from ${SCHEMA}.pins p join ${SCHEMA}.boards b on b.id = p.board_id
        where p.parent_pin_id is null and b.privacy = 'PUBLIC'
          and exists (select 1 from ${SCHEMA}.pins s where s.parent_pin_id = p.id)
        order by p.id`,
    )
  ).rows;
  const queries = new Random(worldSeed + 17).sample(queryable, relatedQueries);

  const app = await createApp(loadConfig(env as Record<string, string>), { runJobs: false });
  try {
    const feed = app.product.modules.find((m) => m.name === 'feed') as ReturnType<typeof feedModule>;
    const related = app.product.modules.find((m) => m.name === 'related') as ReturnType<typeof relatedModule>;
    const graphStarted = performance.now();
    await related.graph.current();
    const graphSeconds = (performance.now() - graphStarted) / 1000;
    const viewer = await app.product.accounts.byUsername('demo');
    const token = await app.product.oauth.devToken(viewer!.id, ['boards:read', 'pins:read'], 1);

    // Related pins.
    const rel = { served: 0, returned: 0, inTopic: 0, baseServed: 0, baseInTopic: 0, short: 0 };
    let started = performance.now();
    for (const q of queries) {
      const topic = topicOf(q.link);
      const res = await app.http.inject({
        method: 'GET',
        url: `/v5/pins/${q.id}/related?page_size=${RELATED_K}`,
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.statusCode !== 200) throw new Error(`related ${q.id}: ${res.statusCode} ${res.body}`);
      const items = (res.json() as { items: { link?: string | null }[] }).items.slice(0, RELATED_K);
      if (items.length < RELATED_K) rel.short++;
      // Precision over the 20 slots: a short list counts its empty slots as misses.
      rel.served += RELATED_K;
      rel.returned += items.length;
      rel.inTopic += items.filter((it) => topicOf(it.link) === topic).length;
      const base = popular.filter((p) => p.id !== q.id).slice(0, RELATED_K);
      rel.baseServed += RELATED_K;
      rel.baseInTopic += base.filter((p) => topicOf(p.link) === topic).length;
    }
    const relatedSeconds = (performance.now() - started) / 1000;
    const precision = rel.inTopic / rel.served;
    const precisionBase = rel.baseInTopic / rel.baseServed;

    // Home feed.
    const pool = await feed.pool.get();
    const totals = { feed: 0, baseline: 0, pool: 0, held: 0, byReason: {} as Record<string, number> };
    started = performance.now();
    for (const userId of users) {
      const principal = { userId, appId: '0', scopes: new Set(['boards:read', 'pins:read']) };
      const target = heldBy.get(userId)!;
      totals.held += target.size;
      const page: { items: { id: string; parent_pin_id: string | null; reason: string }[] } = JSON.parse(
        (await feed.service.home(principal, FEED_K, undefined, 'quality')).toString(),
      );
      for (const item of page.items) {
        const canonical = item.parent_pin_id ?? item.id;
        if (target.has(canonical)) {
          totals.feed++;
          totals.byReason[item.reason] = (totals.byReason[item.reason] ?? 0) + 1;
        }
      }
      const own = await db.query<{ c: string }>(
        `select coalesce(parent_pin_id, id)::text as c from ${SCHEMA}.pins where owner_id = $1`,
        [userId],
      );
      const has = new Set(own.rows.map((r) => r.c));
      const top = popular.filter((p) => !has.has(p.id) && p.owner !== userId).slice(0, FEED_K);
      for (const p of top) if (target.has(p.id)) totals.baseline++;
      const topPool = pool.filter((p) => !has.has(p.canonical) && p.ownerId !== userId).slice(0, FEED_K);
      for (const p of topPool) if (target.has(p.canonical)) totals.pool++;
    }
    const feedSeconds = (performance.now() - started) / 1000;
    const recall = totals.feed / totals.held;
    const recallBase = totals.baseline / totals.held;
    const recallPool = totals.pool / totals.held;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
    const relatedRatio = ratio(precision, precisionBase);
    const feedRatio = ratio(recall, recallBase);

    log('');
    log(`Graph ready in ${graphSeconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)}`);
    log(
      `related precision@${RELATED_K}  walk ${precision.toFixed(3)}  most-saved baseline ${precisionBase.toFixed(3)}  ratio ${relatedRatio.toFixed(2)}  (${queries.length} queries, ${rel.short} lists short of ${RELATED_K}: ${(rel.inTopic / Math.max(1, rel.returned)).toFixed(3)} of the ${rel.returned} served; ${relatedSeconds.toFixed(1)} s)`,
    );
    log(
      `feed recall@${FEED_K}        feed ${recall.toFixed(3)}  most-saved baseline ${recallBase.toFixed(3)}  ratio ${feedRatio.toFixed(2)}  (popular pool ${recallPool.toFixed(3)}; ${totals.feed} of ${totals.held} held-out saves; ${users.length} pages in ${feedSeconds.toFixed(1)} s)`,
    );
    log(`feed hits by reason: ${JSON.stringify(totals.byReason)}`);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    log(
      `targets: precision ≥ 0.8 and ≥ 2× baseline — ${met(precision >= 0.8 && relatedRatio >= 2)}; recall ≥ 2× baseline — ${met(feedRatio >= 2)}`,
    );
    await writeResults(RESULTS, {
      date: new Date().toISOString(),
      load: loadavg()[0],
      pins,
      worldSeed,
      holdout,
      shares: app.config.feedShares,
      related: { k: RELATED_K, queries: queries.length, precision, baseline: precisionBase, ...rel },
      feed: { k: FEED_K, users: users.length, recall, baseline: recallBase, pool: recallPool, totals },
    });
    log(`JSON: ${RESULTS}`);
  } finally {
    await app.close();
    await db.end();
  }
}

await runBench(main);
