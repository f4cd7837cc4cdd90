/**
 * `npx tsx bench/events.ts`: event ingestion of issue #4, on PostgreSQL + Redis only.
 *
 * `corkboard serve` takes batches of 1,000 impressions through POST /v5/events (each with a valid
 * impression token, minted in this process with the server's own secret); the baseline inserts the same
 * rows into the same partitioned `events` table from Node with one multi-row INSERT per batch (pg pool,
 * same concurrency). Runs alternate (baseline, server, ...) and the report gives medians: events/s, p99 of
 * one call, and the ratio. Targets: ratio ≥ 0.5 and ≥ 20,000 events/s.
 *
 * Results: stdout and bench/results/events.json. See bench/README.md for the settings.
 */
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ImpressionTokens } from '../src/modules/events/impression-tokens.js';
import { median } from './measure.js';
import { postEvents } from './post-events.js';
import { freePort, runBench, runCommand, startChild, stopAll } from './processes.js';
import { log, writeResults } from './report.js';
import { dropRedisPrefix, envNumber, percentile, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'events.json');
const SCHEMA = 'bench_events';
const REDIS_PREFIX = 'bench_events:';
const BATCH = 1000;

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

interface Run {
  eventsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  calls: number;
  seconds: number;
}

/** Runs `work` over `items` with `concurrency` workers; events/s and call latencies. */
async function drive<T>(items: T[], concurrency: number, work: (item: T) => Promise<number>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  let events = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const t = performance.now();
        // Not `events += await work(item)`: that reads `events` before the await, so concurrent workers
        // would overwrite each other's counts.
        const n = await work(item);
        events += n;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    eventsPerSecond: events / seconds,
    p99Ms: percentile(latencies, 99),
    p50Ms: percentile(latencies, 50),
    calls: latencies.length,
    seconds,
  };
}

interface Batch {
  body: string;
  /** The same events as rows, for the baseline (its own ids). */
  rows: unknown[];
}

const COLUMNS = [
  'day',
  'id',
  'kind',
  'occurred_at',
  'user_id',
  'app_id',
  'pin_id',
  'surface',
  'position',
  'app_type',
  'request_id',
  'batch_id',
] as const;

/** Batches of BATCH impressions over `pins`, each event with its own token; `tag` keeps ids apart. */
function makeBatches(
  count: number,
  tag: string,
  tokens: ImpressionTokens,
  userId: string,
  appId: string,
  pins: string[],
): Batch[] {
  const batches: Batch[] = [];
  let n = 0;
  for (let b = 0; b < count; b++) {
    const events = [];
    const rows: unknown[] = [];
    const now = new Date();
    const time = now.toISOString();
    const day = time.slice(0, 10);
    for (let i = 0; i < BATCH; i++, n++) {
      const pinId = pins[n % pins.length]!;
      const position = n % 100;
      const eventId = `${tag}-${n}`;
      events.push({
        event_id: eventId,
        kind: 'IMPRESSION',
        time,
        impression_token: tokens.issue({
          viewerUserId: userId,
          pinId,
          surface: 'HOME_FEED',
          position,
          requestId: 'bench-1',
        }),
        pin_id: pinId,
        surface: 'HOME_FEED',
        position,
        app_type: 'WEB',
      });
      rows.push(
        day,
        `u${userId}:b${eventId}`,
        'IMPRESSION',
        time,
        userId,
        appId,
        pinId,
        'HOME_FEED',
        position,
        'WEB',
        'bench-1',
        String(b + 1),
      );
    }
    batches.push({ body: JSON.stringify({ events }), rows });
  }
  return batches;
}

const INSERT_SQL = (() => {
  const tuples: string[] = [];
  for (let r = 0; r < BATCH; r++) {
    const p = COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`);
    tuples.push(`(${p.join(',')})`);
  }
  return `insert into ${SCHEMA}.events (${COLUMNS.join(', ')}) values ${tuples.join(',')}`;
})();

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis'))
    throw new Error(
      'bench/events.ts runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://... and REDIS_URL=redis://...',
    );
  const batches = envNumber('BENCH_EVENT_BATCHES', 150, 10);
  const concurrency = envNumber('BENCH_CONCURRENCY', 4, 1);
  const rounds = envNumber('BENCH_ROUNDS', 2, 1);
  const env = servicesEnv({
    databaseUrl,
    redisUrl,
    schema: SCHEMA,
    redisPrefix: REDIS_PREFIX,
    dataDir: join(tmpdir(), 'corkboard-bench-events'),
  });
  const db = new pg.Pool({ connectionString: databaseUrl, max: concurrency });
  try {
    log(
      `Events bench: ${rounds} rounds of ${batches} batches × ${BATCH} events, ${concurrency} at a time, ${availableParallelism()} CPUs, Node ${process.version}`,
    );
    await db.query(`drop schema if exists ${SCHEMA} cascade`);
    await dropRedisPrefix(redisUrl, REDIS_PREFIX);
    log('Setup: corkboard seed --pins 200 ...');
    await runCommand(
      'corkboard seed',
      ['src/main.ts', 'seed', '--pins', '200', '--seed', '1'],
      env,
      10 * 60_000,
    );
    const token = (
      await runCommand(
        'corkboard token',
        ['src/main.ts', 'token', '--user', 'demo', '--scopes', 'pins:read'],
        env,
        120_000,
      )
    )
      .trim()
      .split('\n')
      .pop()!;
    const profDir = process.env.BENCH_CPU_PROF;
    const server = await startChild(
      'corkboard server',
      [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), 'src/main.ts', 'serve'],
      { ...env, PORT: String(await freePort()), HOST: '127.0.0.1' },
      60_000,
    );
    const key = await db.query<{ value: string }>(
      `select value from ${SCHEMA}.instance_secrets where name = 'impression-tokens'`,
    );
    const who = await db.query<{ user_id: string; app_id: string }>(
      `select t.user_id::text, t.app_id::text from ${SCHEMA}.oauth_tokens t join ${SCHEMA}.users u on u.id = t.user_id where u.username = 'demo' order by t.id desc limit 1`,
    );
    const pins = (
      await db.query<{ id: string }>(`select id::text from ${SCHEMA}.pins order by id limit 200`)
    ).rows.map((r) => r.id);
    const { user_id: userId, app_id: appId } = who.rows[0]!;
    const tokens = new ImpressionTokens(Buffer.from(key.rows[0]!.value, 'base64'));
    const url = new URL('/v5/events', server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    // Today's partition exists before timing starts on both sides (the server would make it on demand).
    await postEvents(agent, url, token, makeBatches(1, 'warm', tokens, userId, appId, pins)[0]!.body, BATCH);

    const server_: Run[] = [];
    const baseline: Run[] = [];
    for (let r = 0; r < rounds; r++) {
      const work = makeBatches(batches, `r${r}`, tokens, userId, appId, pins);
      baseline.push(
        await drive(work, concurrency, async (b) => {
          await db.query(INSERT_SQL, b.rows);
          return BATCH;
        }),
      );
      log(
        `  round ${r + 1}: baseline ${fmt(baseline[r]!.eventsPerSecond)} events/s, p99 ${fmt(baseline[r]!.p99Ms, 1)} ms`,
      );
      server_.push(await drive(work, concurrency, (b) => postEvents(agent, url, token, b.body, BATCH)));
      log(
        `  round ${r + 1}: server   ${fmt(server_[r]!.eventsPerSecond)} events/s, p99 ${fmt(server_[r]!.p99Ms, 1)} ms`,
      );
    }
    agent.destroy();
    const stored = await db.query<{ n: string }>(
      `select count(*)::text as n from ${SCHEMA}.events where batch_id <> 0 and id not like 'u%:b%'`,
    );
    const med = (runs: Run[], k: keyof Run) => median(runs.map((x) => x[k]));
    const s = {
      eventsPerSecond: med(server_, 'eventsPerSecond'),
      p99Ms: med(server_, 'p99Ms'),
      p50Ms: med(server_, 'p50Ms'),
    };
    const b = {
      eventsPerSecond: med(baseline, 'eventsPerSecond'),
      p99Ms: med(baseline, 'p99Ms'),
      p50Ms: med(baseline, 'p50Ms'),
    };
    const ratio = s.eventsPerSecond / b.eventsPerSecond;
    log('');
    log('| Path | events/s | p50 call | p99 call |');
    log('| --- | --- | --- | --- |');
    log(
      `| POST /v5/events (1,000 a call) | ${fmt(s.eventsPerSecond)} | ${fmt(s.p50Ms, 1)} ms | ${fmt(s.p99Ms, 1)} ms |`,
    );
    log(
      `| raw multi-row INSERT (1,000 rows) | ${fmt(b.eventsPerSecond)} | ${fmt(b.p50Ms, 1)} ms | ${fmt(b.p99Ms, 1)} ms |`,
    );
    log('');
    log(
      `Ratio ${ratio.toFixed(2)} (target ≥ 0.5); ${fmt(s.eventsPerSecond)} events/s (target ≥ 20,000). Server rows stored: ${stored.rows[0]!.n}.`,
    );
    const meta = { date: new Date().toISOString(), node: process.version, cpus: availableParallelism() };
    await writeResults(RESULTS, {
      ...meta,
      batches,
      concurrency,
      rounds,
      server: s,
      baseline: b,
      ratio,
      runs: { server: server_, baseline },
    });
  } finally {
    await stopAll();
    await db.end();
  }
}

await runBench(main);
