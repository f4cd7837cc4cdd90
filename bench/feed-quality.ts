/**
 * `npx tsx bench/feed-quality.ts`: offline quality of the home feed's first page.
 *
 * Seeds a world (`corkboard seed --pins BENCH_QUALITY_PINS`, 20k by default) into its own schema, holds
 * out each person's last BENCH_HOLDOUT (2) saves (deleted, so nothing downstream sees them), then asks
 * the feed for each person's first page of 25 and counts how many held-out saves (as the pins they were
 * saved from) it holds: recall@25. Baseline: the 25 most popular pins (the same popular pool, not
 * personalised), leaving out what each person already has. Target: at least twice the baseline.
 *
 * BENCH_WALK=1 plugs the related-pins random walk (src/modules/related) in as the feed's recommender,
 * as the lead will wire it; without it the feed has no related pins. PostgreSQL + Redis only.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../src/app.js';
import type { feedModule, WalkRecommender } from '../src/modules/feed/index.js';
import { loadConfig } from '../src/platform/config.js';
import { runBench, runCommand } from './processes.js';
import { dropRedisPrefix, envFlag, envNumber, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'feed-quality.json');
const SCHEMA = 'bench_feed_quality';
const REDIS_PREFIX = 'bench_feed_quality:';
const DATA_DIR = join(tmpdir(), 'corkboard-bench-feed-quality');
const K = 25;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis'))
    throw new Error('bench/feed-quality.ts needs DATABASE_URL=postgres://... and REDIS_URL=redis://...');
  const pins = envNumber('BENCH_QUALITY_PINS', 20_000, 100);
  const holdout = envNumber('BENCH_HOLDOUT', 2, 1);
  const maxUsers = envNumber('BENCH_QUALITY_USERS', 400, 1);
  const withWalk = envFlag('BENCH_WALK');
  const env = servicesEnv(
    { databaseUrl, redisUrl, schema: SCHEMA, redisPrefix: REDIS_PREFIX, dataDir: DATA_DIR },
    { FEED_SNAPSHOT_SECONDS: '0', LOG_LEVEL: 'error' },
  );

  // A fresh world every run: holding out deletes rows.
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await db.query(`drop schema if exists ${SCHEMA} cascade`);
  await dropRedisPrefix(redisUrl, REDIS_PREFIX);
  await rm(DATA_DIR, { recursive: true, force: true });
  await mkdir(DATA_DIR, { recursive: true });
  log(`Seed: corkboard seed --pins ${pins} --seed 1 into ${SCHEMA} ...`);
  await runCommand(
    'corkboard seed',
    ['src/main.ts', 'seed', '--pins', String(pins), '--seed', '1'],
    env,
    1_800_000,
  );

  // Each person's last `holdout` saves, if they have at least holdout + 1 (something to learn from).
  const held = await db.query<{ user_id: string; pin_id: string; parent: string }>(
    `select user_id::text, pin_id::text, parent::text from (
       select p.owner_id as user_id, p.id as pin_id, p.parent_pin_id as parent,
              row_number() over (partition by p.owner_id order by p.created_at desc, p.id desc) as n,
              count(*) over (partition by p.owner_id) as saves
         from ${SCHEMA}.pins p where p.parent_pin_id is not null) t
      where n <= $1 and saves > $1
      order by user_id`,
    [holdout],
  );
  const heldBy = new Map<string, Set<string>>();
  for (const r of held.rows) heldBy.set(r.user_id, (heldBy.get(r.user_id) ?? new Set()).add(r.parent));
  await db.query(`delete from ${SCHEMA}.pins where id = any($1::bigint[])`, [held.rows.map((r) => r.pin_id)]);
  await db.query(`analyze ${SCHEMA}.pins, ${SCHEMA}.follows, ${SCHEMA}.board_follows, ${SCHEMA}.boards`);
  const users = [...heldBy.keys()].slice(0, maxUsers);
  log(`Held out ${held.rows.length} saves of ${heldBy.size} people; measuring ${users.length}`);

  const app = await createApp(loadConfig(env as Record<string, string>), { runJobs: false });
  try {
    const feed = app.product.modules.find((m) => m.name === 'feed') as ReturnType<typeof feedModule>;
    if (withWalk) {
      const related = app.product.modules.find((m) => m.name === 'related') as
        | { service?: WalkRecommender }
        | undefined;
      if (!related?.service) throw new Error('BENCH_WALK=1 but there is no related module');
      feed.service.useRecommender(related.service);
      log('Recommender: the related-pins random walk');
    } else log('Recommender: none (BENCH_WALK=1 to use the related-pins walk)');
    const pool = await feed.pool.get();
    const totals = { feed: 0, baseline: 0, held: 0, byReason: {} as Record<string, number> };
    const started = performance.now();
    for (const userId of users) {
      const principal = { userId, appId: '0', scopes: new Set(['boards:read', 'pins:read']) };
      const target = heldBy.get(userId)!;
      totals.held += target.size;
      const page = await feed.service.home(principal, K, undefined, 'quality');
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
      const top = pool.filter((p) => !has.has(p.canonical) && p.ownerId !== userId).slice(0, K);
      for (const p of top) if (target.has(p.canonical)) totals.baseline++;
    }
    const seconds = (performance.now() - started) / 1000;
    const recall = totals.feed / totals.held;
    const baseline = totals.baseline / totals.held;
    const ratio = baseline > 0 ? recall / baseline : Number.POSITIVE_INFINITY;
    log('');
    log(
      `recall@${K}  feed ${recall.toFixed(4)}  popular baseline ${baseline.toFixed(4)}  ratio ${ratio.toFixed(2)}`,
    );
    log(
      `hits by reason: ${JSON.stringify(totals.byReason)}  (${totals.feed} of ${totals.held} held-out saves)`,
    );
    log(
      `${users.length} first pages in ${seconds.toFixed(1)} s; target: ratio ≥ 2 — ${ratio >= 2 ? 'met' : 'NOT met'}`,
    );
    await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(
      RESULTS,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          pins,
          holdout,
          users: users.length,
          withWalk,
          k: K,
          recall,
          baseline,
          ratio,
          totals,
        },
        null,
        2,
      )}\n`,
    );
    log(`JSON: ${RESULTS}`);
  } finally {
    await app.close();
    await db.end();
  }
}

await runBench(main);
