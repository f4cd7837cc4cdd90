/**
 * `npx tsx bench/feed.ts`: the home feed's first page, GET /v5/feeds/home, on PostgreSQL + Redis only.
 *
 * On a seeded world (`corkboard seed --pins N`, 100k by default, in its own schema), a `corkboard serve`
 * answers the first page of the home feed under 50 connections, in two ways:
 *
 * 1. reopened: one reader asks again and again: the first page ranked last is served (its pins read
 *    and served with fresh impression tokens), re-ranked in the background every FEED_SNAPSHOT_SECONDS;
 * 2. readers: BENCH_READERS (50) readers in turn, the same settings;
 * 3. ranked: the same readers with FEED_SNAPSHOT_SECONDS=0, so every request ranks a new session while
 *    the reader waits: following list, followed heavy sources, saves, seeds, interests, facts.
 *
 * Both next to a raw node:http server answering a first page's bytes. The walk recommender is whatever
 * the server wires (none yet: related pins stay empty). Results: stdout and bench/results/feed.json.
 * The offline quality measurement is bench/quality.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { type LoadOptions, measure, type Sample } from './measure.js';
import { type Child, freePort, runBench, startChild, stopAll } from './processes.js';
import { compare, fmt, formatTable, log, type RouteResult, writeResults } from './report.js';
import { seedWorld } from './seed-world.js';
import { envFlag, envNumber, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'feed.json');
const START_TIMEOUT_MS = 60_000;
const SCHEMA = 'bench_feed';
const REDIS_PREFIX = 'bench_feed:';
const DATA_DIR = join(tmpdir(), 'corkboard-bench-feed');
const SCOPES = ['boards:read', 'pins:read'];
const P99_TARGET_MS = 50;
const PATH = '/v5/feeds/home';

interface Settings {
  databaseUrl: string;
  redisUrl: string;
  pins: number;
  reseed: boolean;
  readers: number;
  load: LoadOptions;
  rounds: number;
  modes: Mode[];
}

const MODES = ['reopened', 'readers', 'ranked'] as const;
type Mode = (typeof MODES)[number];

function settings(): Settings {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis')) {
    throw new Error(
      'bench/feed.ts runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://... and REDIS_URL=redis://...',
    );
  }
  return {
    databaseUrl,
    redisUrl,
    pins: envNumber('BENCH_PINS', 100_000, 100),
    reseed: envFlag('BENCH_RESEED'),
    readers: envNumber('BENCH_READERS', 50, 1),
    load: {
      durationS: envNumber('BENCH_DURATION', 5, 1),
      warmupS: envNumber('BENCH_WARMUP', 1, 0),
      connections: envNumber('BENCH_CONNECTIONS', 50, 1),
    },
    rounds: envNumber('BENCH_ROUNDS', 2, 1),
    modes: (process.env.BENCH_MODES ?? MODES.join(',')).split(',').map((m) => {
      if (!(MODES as readonly string[]).includes(m.trim())) throw new Error(`BENCH_MODES: unknown "${m}"`);
      return m.trim() as Mode;
    }),
  };
}

function env(s: Settings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return servicesEnv(
    {
      databaseUrl: s.databaseUrl,
      redisUrl: s.redisUrl,
      schema: SCHEMA,
      redisPrefix: REDIS_PREFIX,
      dataDir: DATA_DIR,
    },
    extra,
  );
}

/** Planner statistics as autovacuum would leave them (see bench/pins.ts). */
async function analyze(db: pg.Pool): Promise<void> {
  const tables = ['users', 'boards', 'pins', 'pin_images', 'images', 'follows', 'board_follows'];
  await db.query(`analyze ${tables.map((t) => `${SCHEMA}.${t}`).join(', ')}`);
}

/** Seeds the bench schema unless it already holds about BENCH_PINS pins (BENCH_RESEED=1 forces it). */
async function ensureSeeded(s: Settings, db: pg.Pool): Promise<{ seeded: boolean; pinRows: number }> {
  const world = await seedWorld(db, {
    schema: SCHEMA,
    redisUrl: s.redisUrl,
    redisPrefix: REDIS_PREFIX,
    dataDir: DATA_DIR,
    pins: s.pins,
    reseed: s.reseed,
    env: env(s),
    timeoutMs: 30 * 60_000,
    log,
  });
  await analyze(db);
  if (world.seeded) log(`Seed: ${world.pins} pins in ${fmt(world.seconds ?? 0, 1)} s`);
  return { seeded: world.seeded, pinRows: world.pins };
}

/** Access tokens of the first `n` people (demo first), made in-process on the bench schema. */
async function readerTokens(s: Settings, db: pg.Pool): Promise<{ username: string; token: string }[]> {
  const people = await db.query<{ id: string; username: string }>(
    `select id::text as id, username from ${SCHEMA}.users order by id limit $1`,
    [s.readers],
  );
  const config = loadConfig(env(s) as Record<string, string>);
  const app = await createApp(config, { runJobs: false, api: false });
  try {
    const out: { username: string; token: string }[] = [];
    for (const p of people.rows)
      out.push({ username: p.username, token: await app.product.oauth.devToken(p.id, SCOPES, 1) });
    return out;
  } finally {
    await app.close();
  }
}

async function firstPage(url: string, token: string): Promise<{ body: string; contentType: string }> {
  const res = await fetch(url + PATH, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${PATH} answered ${res.status}: ${body.slice(0, 300)}`);
  return { body, contentType: res.headers.get('content-type') ?? 'application/json' };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.process.kill('SIGKILL'), 5000);
    child.process.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.process.kill('SIGTERM');
  });
}

type FeedResult = RouteResult & { p99TargetMs: number; meetsP99Target: boolean };

async function main(): Promise<void> {
  const s = settings();
  log(
    `Corkboard home feed bench — services mode (schema ${SCHEMA}), RATE_LIMITS=off, LOG_LEVEL=warn\n${s.load.connections} connections, ${s.load.warmupS} s warm-up + ${s.load.durationS} s per run, ${s.rounds} alternating rounds, ${availableParallelism()} CPUs, Node ${process.version}\n`,
  );
  const db = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
  const tmp = await mkdtemp(join(tmpdir(), 'corkboard-bench-feed-'));
  try {
    const seed = await ensureSeeded(s, db);
    const readers = await readerTokens(s, db);
    const demo = readers[0]!;
    log(`Readers: ${readers.length} (${demo.username} first)`);
    const results: FeedResult[] = [];
    const bodies: Record<string, number> = {};
    for (const mode of s.modes) {
      const server = await startChild(
        `corkboard server (${mode})`,
        ['src/main.ts', 'serve'],
        env(s, {
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          ...(mode === 'ranked' ? { FEED_SNAPSHOT_SECONDS: '0' } : {}),
        }),
        START_TIMEOUT_MS,
      );
      // Every reader once: following lists built, readers marked active, the popular pool made.
      for (const r of readers) await firstPage(server.url, r.token);
      const answer = await firstPage(server.url, demo.token);
      bodies[mode] = Buffer.byteLength(answer.body);
      const routesFile = join(tmp, `baseline-${mode}.json`);
      await writeFile(routesFile, JSON.stringify({ [PATH]: answer }));
      const baseline = await startChild(
        'baseline server',
        ['bench/baseline-server.ts'],
        { ...process.env, PORT: String(await freePort()), BASELINE_ROUTES: routesFile },
        START_TIMEOUT_MS,
      );
      const load: LoadOptions = { ...s.load, headers: { authorization: `Bearer ${demo.token}` } };
      const b: Sample[] = [];
      const sv: Sample[] = [];
      for (let i = 0; i < s.rounds; i++) {
        b.push(await measure(baseline.url + PATH, load));
        sv.push(
          mode === 'reopened'
            ? await measure(server.url + PATH, load)
            : // Each request carries the next reader's token in turn.
              await measure(server.url + PATH, {
                ...s.load,
                vary: (n) => ({ headers: { authorization: `Bearer ${readers[n % readers.length]!.token}` } }),
              }),
        );
        log(`  ${mode} round ${i + 1}/${s.rounds} done`);
      }
      const route = {
        name: `GET ${PATH} (${mode})`,
        path: PATH,
        note:
          mode === 'reopened'
            ? 'one reader, first page again and again (re-ranked in the background every 30 s)'
            : mode === 'readers'
              ? `${readers.length} readers in turn (each re-ranked in the background every 30 s)`
              : `${readers.length} readers in turn, every first page ranked anew (FEED_SNAPSHOT_SECONDS=0)`,
        sameBodyAsBaseline: mode === 'reopened',
      };
      const r = compare(route, b, sv);
      results.push({ ...r, p99TargetMs: P99_TARGET_MS, meetsP99Target: r.server.p99Ms < P99_TARGET_MS });
      await stop(baseline);
      await stop(server);
    }
    log(`\n${formatTable(results)}`);
    for (const r of results) {
      const verdict = r.meetsP99Target ? 'meets' : 'is ABOVE';
      log(`${r.route.name}: p99 ${fmt(r.server.p99Ms, 1)} ms ${verdict} the target of ${P99_TARGET_MS} ms`);
    }
    log(`First page body: ${JSON.stringify(bodies)} bytes. p99 has 1 ms resolution (autocannon).`);
    await writeResults(RESULTS, {
      date: new Date().toISOString(),
      mode: 'services',
      node: process.version,
      cpus: availableParallelism(),
      schema: SCHEMA,
      load: s.load,
      rounds: s.rounds,
      readers: readers.length,
      seed,
      bodies,
      routes: results,
    });
    log(`\nJSON: ${RESULTS}`);
  } finally {
    await stopAll();
    await db.end();
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench(main);
