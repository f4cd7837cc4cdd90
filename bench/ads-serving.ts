/**
 * `npx tsx bench/ads-serving.ts`: promoted pins on the served paths, embedded (default) or services mode
 * (DATABASE_URL and REDIS_URL set; DB_SCHEMA names the schema, `bench_ads_<random>` if unset, dropped at
 * the end with its Redis keys).
 *
 * World: `corkboard seed --pins BENCH_PINS --seed 1`, then BENCH_ADVERTISERS advertisers (one ad account,
 * campaign, ad group and ad each, as the demo seed makes them) promoting public pins of as many owners,
 * with budgets large enough that no reservation is refused during the runs.
 *
 * 1. feed: GET /v5/feeds/home, first page, BENCH_READERS readers' tokens in turn at BENCH_CONNECTIONS, on
 *    `corkboard serve` with ADS_SERVING=false and with ADS_SERVING=true on the same world:
 *    BENCH_FEED_PROCESSES (2) servers of each, all started and past their first pass (every reader's page
 *    served once; the ads-on pages of that pass are counted, share with an `is_promoted` item) before
 *    BENCH_FEED_ROUNDS (6) rounds of one run each on an ads-off and an ads-on server, the order swapped every
 *    round: the two settings' runs interleave in time (see feedPart). The promoted pins laid in during a
 *    run are read from `corkboard_ads_served_total`, the server's CPU per request (and its main thread's)
 *    from /proc, and in services mode Redis's commands per request from INFO commandstats. Target: ads-on
 *    p99 ≤ 1.2 × ads-off p99 (medians of the runs). In each page setting of BENCH_FEED_PAGES
 *    (`reused,ranked`): `reused` keeps a reader's first page and serves it again, as the server does for
 *    FEED_SNAPSHOT_SECONDS (30 by default; 600 here, so that none comes due during a run); `ranked` sets
 *    FEED_SNAPSHOT_SECONDS=0, so every request ranks its first page, as a reader's visit does when they
 *    have not opened the feed in the last half minute.
 * 2. billing: POST /v5/events, BENCH_BILLING_BATCHES batches of 1,000 PIN_CLICK events, 4 calls at a time,
 *    in process (`createApp` with its job consumers, listening on loopback). Promoted: every click carries
 *    its own promoted token (a hold out of its ad group's budget block, as the ad server takes it, then
 *    `issuePromoted`), so each records an ad charge that the billing consumer settles; organic: the same clicks with organic tokens.
 *    Reported: ingestion events/s of each, and billing events/s (from the first call until no charge is
 *    pending), and where a billing delivery's time goes. Then a backlog: a round's promoted clicks
 *    ingested with the job consumers stopped, then the consumers started, billed events/s until none is
 *    pending (billing as a worker catching up meets it). Target: billing ≥ ingestion of the same events
 *    without ads.
 *
 * 3. exposure: GET /v5/feeds/home as in 1 with ADS_SERVING=false and FEED_SNAPSHOT_SECONDS=0 (every
 *    request ranks a first page, so every request reads the ranker's parameters), with a running experiment
 *    over every reader whose two variants set feed.share.* to the configured values (the same ranking
 *    work, so only reading and logging exposures differ) and with no experiment, alternating rounds (the
 *    order swapped every round; each round's experiment is new, so its exposures are written anew). The
 *    readers' first pass (each reader's first exposure of the run) and the job consumers' work on it
 *    (the metrics consumer's first-exposure recomputation) finish before the measured run: the run
 *    measures the steady state, where every request reads the parameters and finds its exposure logged
 *    already today. Target: experiment p99 ≤ 1.05 × no-experiment p99.
 *
 * BENCH_PARTS (`feed,billing,exposure`) picks parts. Results: stdout and bench/results/ads-serving.json.
 */
import { cp, rm } from 'node:fs/promises';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type App, createApp } from '../src/app.js';
import { seedAdvertisers } from '../src/cli/seed/advertisers.js';
import { adBillingConsumer } from '../src/modules/ads/billing/ad-billing.consumer.js';
import { billingTestHooks } from '../src/modules/ads/index.js';
import { BudgetBlocks } from '../src/modules/ads/serving/budget-blocks.js';
import { budgetCaps, reserveAmount } from '../src/modules/ads/serving/budget-keys.js';
import { EVENTS_BATCH_TOPIC } from '../src/modules/events/index.js';
import { loadConfig } from '../src/platform/config.js';
import { createMetrics } from '../src/platform/metrics.js';
import { type LoadOptions, measure, median, type Sample } from './measure.js';
import { postEvents } from './post-events.js';
import { type Child, cpuSeconds, freePort, runBench, startChild, stopAll } from './processes.js';
import { fmt, log, writeResults } from './report.js';
import {
  dropBenchPlace,
  dropRedisPrefix,
  envNumber,
  modeEnv,
  modePlace,
  percentile,
  redisCommandCounts,
  seedPins,
} from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'ads-serving.json');
const PATH = '/v5/feeds/home';
const SCOPES = ['boards:read', 'pins:read'];
const BATCH = 1000;
const CONCURRENCY = 4;
/** What a click is charged (0.10); the reservation holds the same. */
const PRICE = 100_000;
/** Budgets no run can spend: reservations are held for ADS_RESERVATION_MINUTES. */
const HUGE_BUDGET = 1_000_000_000_000_000;

/** Where this run keeps its data (services: schema and Redis prefix too), dropped at the end. */
const place = modePlace('ads');
const services = place.databaseUrl !== undefined;
const { schema, dataDir } = place;

const S = {
  pins: envNumber('BENCH_PINS', 10_000, 100),
  advertisers: envNumber('BENCH_ADVERTISERS', 60, 1),
  readers: envNumber('BENCH_READERS', 50, 1),
  load: {
    durationS: envNumber('BENCH_DURATION', 5, 1),
    warmupS: envNumber('BENCH_WARMUP', 1, 0),
    connections: envNumber('BENCH_CONNECTIONS', 50, 1),
  },
  rounds: envNumber('BENCH_ROUNDS', 2, 1),
  /** The feed part's rounds, and its servers of each setting (see feedPart). */
  feedRounds: envNumber('BENCH_FEED_ROUNDS', 6, 1),
  feedProcesses: envNumber('BENCH_FEED_PROCESSES', 2, 1),
  billingBatches: envNumber('BENCH_BILLING_BATCHES', 30, 1),
  parts: (process.env.BENCH_PARTS ?? 'feed,billing,exposure').split(',').map((p) => p.trim()),
  feedPages: (process.env.BENCH_FEED_PAGES ?? 'reused,ranked').split(',').map((p) => p.trim()),
};

/** Environment of every Corkboard process of this bench (children and the in-process app). */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return modeEnv(place, extra);
}

/** The app on the bench's world, in this process (embedded: only while no child server holds it). */
async function openApp(runJobs: boolean, port = 0): Promise<App> {
  const config = loadConfig(env({ PORT: String(port), HOST: '127.0.0.1' }) as Record<string, string>);
  return createApp(config, { runJobs, api: runJobs });
}

interface Reader {
  id: string;
  token: string;
}

interface World {
  readers: Reader[];
  ads: { adId: string; adGroupId: string; campaignId: string; pinId: string }[];
}

/** Seeds the world, adds the advertisers and makes the readers' tokens. */
async function makeWorld(): Promise<World> {
  await seedPins(place, S.pins);
  const app = await openApp(false);
  try {
    const db = app.deps.db;
    // One promoted pin per owner, from public boards, spread over the pins (every topic gets some).
    const picked = await sql<{ pin_id: string; owner_id: string; topic: string }>`
      select pin_id, owner_id, topic from (
        select distinct on (p.owner_id) p.id::text as pin_id, p.owner_id::text as owner_id,
          lower(split_part(b.name, ' ', 1)) as topic, p.id % 997 as spread
        from pins p join boards b on b.id = p.board_id
        where b.privacy = 'PUBLIC' and p.owner_id <> (select min(id) from users)
        order by p.owner_id, p.id % 997
      ) o order by spread limit ${S.advertisers}`.execute(db);
    const made = await seedAdvertisers(
      db,
      app.deps.ids,
      picked.rows.map((r) => ({ ownerId: r.owner_id, pinId: r.pin_id, topic: r.topic })),
    );
    await db.updateTable('ad_groups').set({ budget: HUGE_BUDGET }).execute();
    await db.updateTable('ad_campaigns').set({ daily_spend_cap: HUGE_BUDGET }).execute();
    const ads = await db
      .selectFrom('ads')
      .select(['id as adId', 'ad_group_id as adGroupId', 'campaign_id as campaignId', 'pin_id as pinId'])
      .execute();
    const people = await db.selectFrom('users').select('id').orderBy('id').limit(S.readers).execute();
    const readers: Reader[] = [];
    for (const p of people)
      readers.push({ id: p.id, token: await app.product.oauth.devToken(p.id, SCOPES, 1) });
    log(`World: ${made} advertisers added (${ads.length} ads in all), ${readers.length} readers`);
    return {
      readers,
      ads: ads.map((a) => ({
        adId: String(a.adId),
        adGroupId: String(a.adGroupId),
        campaignId: String(a.campaignId),
        pinId: String(a.pinId),
      })),
    };
  } finally {
    await app.close();
  }
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
    child.process.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.process.kill('SIGTERM');
  });
}

/** Promoted pins laid into home-feed pages so far (`corkboard_ads_served_total`). */
async function adsServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^corkboard_ads_served_total\{surface="HOME_FEED"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

interface FeedRun extends Sample {
  /** Share of the readers' first pages (the pass before the run) with a promoted item. */
  pagesWithAds: number;
  promotedPerPage: number;
  /** Promoted pins laid in per request during the run (warm-up included). */
  adsPerRequest: number;
  /** Server CPU (user + system) per request during the run, warm-up included: steadier than req/s. */
  cpuUsPerRequest: number;
  /** The same, of the server's main thread alone (JavaScript runs there; GC helpers and libuv's pool do not). */
  mainCpuUsPerRequest: number;
  /** Services mode: Redis commands per request during the run (any client), in all and by command. */
  redisPerRequest?: number;
  redisByCommand?: Record<string, number>;
}

/** BENCH_CPU_PROF=<dir>: the servers run with `node --cpu-prof` into that directory. */
const profDir = process.env.BENCH_CPU_PROF;

/** Waits until the server's job consumers have nothing left (its /metrics, three readings in a row). */
async function serverQuiet(url: string): Promise<void> {
  const until = Date.now() + 120_000;
  for (let calm = 0; calm < 3; ) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const busy = text.match(/^corkboard_(outbox_unpublished|job_backlog)\{[^}]*\} [1-9]\d*$/gm);
    calm = busy ? 0 : calm + 1;
    if (Date.now() > until)
      throw new Error(`the server's job consumers did not catch up within 120 s: ${busy?.join('; ')}`);
    await sleep(250);
  }
}

/** A `corkboard serve` of the feed parts, after its readers' first pass. */
interface FeedServer {
  child: Child;
  ads: boolean;
  /** Share of the readers' first pages with a promoted item, and promoted items a page, in that pass. */
  pagesWithAds: number;
  promotedPerPage: number;
}

/**
 * Starts a server (ADS_SERVING=`ads`; `dataDir`: embedded mode's copy of the world for it) and serves
 * every reader's first page once: the pages it keeps, the auctions it keeps and its first ranking are
 * done before anything is measured.
 */
async function startFeedServer(
  world: World,
  ads: boolean,
  extra: NodeJS.ProcessEnv,
  dataDir?: string,
): Promise<FeedServer> {
  const child = await startChild(
    `corkboard server (ads ${ads ? 'on' : 'off'})`,
    [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), 'src/main.ts', 'serve'],
    env({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      ADS_SERVING: String(ads),
      ...(dataDir ? { DATA_DIR: dataDir, MEDIA_DIR: join(dataDir, 'media') } : {}),
      ...extra,
    }),
    120_000,
  );
  let withAds = 0;
  let promoted = 0;
  try {
    for (const r of world.readers) {
      const res = await fetch(child.url + PATH, { headers: { authorization: `Bearer ${r.token}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${PATH}: ${res.status} ${body.slice(0, 300)}`);
      const n = body.split('"is_promoted":true').length - 1;
      promoted += n;
      if (n > 0) withAds++;
    }
  } catch (err) {
    await stop(child);
    throw err;
  }
  return {
    child,
    ads,
    pagesWithAds: withAds / world.readers.length,
    promotedPerPage: promoted / world.readers.length,
  };
}

/** Commands between two INFO commandstats readings, per request (the readings themselves left out). */
function perRequest(before: Map<string, number>, after: Map<string, number>, requests: number) {
  const byCommand: Record<string, number> = {};
  let all = 0;
  for (const [command, calls] of after) {
    const n = calls - (before.get(command) ?? 0) - (command === 'info' ? 1 : 0);
    if (n <= 0) continue;
    byCommand[command] = Number((n / requests).toFixed(3));
    all += n;
  }
  return { all: all / requests, byCommand };
}

/** One measured run (warm-up, then BENCH_DURATION seconds) of the readers' first pages on `server`. */
async function feedSlice(server: FeedServer, world: World): Promise<FeedRun> {
  const { url } = server.child;
  const pid = server.child.process.pid!;
  const before = await adsServed(url);
  const redisBefore = place.redisUrl ? await redisCommandCounts(place.redisUrl) : undefined;
  const cpuBefore = cpuSeconds(pid);
  const mainBefore = cpuSeconds(pid, true);
  const load: LoadOptions = {
    ...S.load,
    vary: (n) => ({
      headers: { authorization: `Bearer ${world.readers[n % world.readers.length]!.token}` },
    }),
  };
  const sample = await measure(url + PATH, load);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const mainCpu = cpuSeconds(pid, true) - mainBefore;
  const redisAfter = place.redisUrl ? await redisCommandCounts(place.redisUrl) : undefined;
  const served = (await adsServed(url)) - before;
  const requests = sample.requests + sample.rps * S.load.warmupS;
  const redis = redisBefore && redisAfter ? perRequest(redisBefore, redisAfter, requests) : undefined;
  return {
    ...sample,
    pagesWithAds: server.pagesWithAds,
    promotedPerPage: server.promotedPerPage,
    adsPerRequest: served / requests,
    cpuUsPerRequest: (cpu * 1e6) / requests,
    mainCpuUsPerRequest: (mainCpu * 1e6) / requests,
    ...(redis && { redisPerRequest: redis.all, redisByCommand: redis.byCommand }),
  };
}

/**
 * One server on its own, for one measured run (the exposure part). `settle`: after the first pass, wait
 * for its exposures to be written and its jobs done before measuring.
 */
async function feedRun(
  world: World,
  ads: boolean,
  extra: NodeJS.ProcessEnv = {},
  settle = false,
): Promise<FeedRun> {
  // Every server starts with none of its readers' first pages held, as an embedded one does (its store is
  // in process): each ranks them in its first pass.
  if (place.redisUrl) await dropRedisPrefix(place.redisUrl, `${place.redisPrefix}feed:c:`);
  const server = await startFeedServer(world, ads, extra);
  try {
    if (settle) {
      await sleep(1_500); // the exposure buffer writes a second after its first exposure
      // An embedded server runs the job consumers too; a services-mode API process leaves them to workers
      // (RUN_JOBS defaults to false there), so there is nothing of its own to wait for.
      if (!services) await serverQuiet(server.child.url);
    }
    return await feedSlice(server, world);
  } finally {
    await stop(server.child);
  }
}

/**
 * The feed part in each page setting of BENCH_FEED_PAGES: `reused` (a reader's first page is kept and
 * served again, as the server does for FEED_SNAPSHOT_SECONDS, by default 30; here for the whole part, so
 * no kept page comes due for its background ranking during a run; with 50 readers reloading at thousands
 * of requests a second every organic page is a copy and the auction is most of the work) and `ranked`
 * (FEED_SNAPSHOT_SECONDS=0: every request ranks its first page, as a visit does when the reader has not
 * opened the feed in the last half minute).
 */
async function feedParts(world: World) {
  const out: Record<string, Awaited<ReturnType<typeof feedPart>>> = {};
  for (const pages of S.feedPages) {
    if (pages !== 'reused' && pages !== 'ranked')
      throw new Error(`BENCH_FEED_PAGES: "${pages}" is not reused or ranked`);
    log(
      `Home feed, first pages ${pages === 'reused' ? 'reused (kept, as by default)' : 'ranked on every request'}:`,
    );
    // Reused: pages kept through the part, where the default keeps them 30 s. The readers' pages, ranked
    // in one first pass, would come due for their background ranking together, 50 rankings in one run.
    out[pages] = await feedPart(world, { FEED_SNAPSHOT_SECONDS: pages === 'ranked' ? '0' : '600' });
  }
  return out;
}

/**
 * BENCH_FEED_PROCESSES servers of each setting, all started (each with its first pass) before the first
 * run, then BENCH_FEED_ROUNDS rounds of one run on an ads-off and one on an ads-on server, the order
 * swapped every round, the servers taken in turn. The runs of both settings are interleaved in time, a
 * few seconds apart, so both meet the machine as it is: on this shared machine a process's CPU speed
 * drifts by a quarter over tens of seconds (bench/README.md), which made a setting measured in its own
 * stretch of time look faster or slower than the other. Embedded mode: a server holds its database
 * (PGlite) alone, so each server but the first runs on a copy of the world made before any starts.
 */
async function feedPart(world: World, extra: NodeJS.ProcessEnv) {
  const on: FeedRun[] = [];
  const off: FeedRun[] = [];
  const servers: { on: FeedServer[]; off: FeedServer[] } = { on: [], off: [] };
  const copies: string[] = [];
  try {
    // None of the readers' first pages held (services mode keeps them in Redis, from an earlier part).
    if (place.redisUrl) await dropRedisPrefix(place.redisUrl, `${place.redisPrefix}feed:c:`);
    const settings: boolean[] = [];
    for (let i = 0; i < S.feedProcesses; i++) settings.push(false, true);
    const dirs = settings.map((_, i) => (services || i === 0 ? undefined : `${dataDir}-copy-${i}`));
    for (const dir of dirs)
      if (dir) {
        await cp(dataDir, dir, { recursive: true });
        copies.push(dir);
      }
    for (let i = 0; i < settings.length; i++) {
      const ads = settings[i]!;
      (ads ? servers.on : servers.off).push(await startFeedServer(world, ads, extra, dirs[i]));
    }
    for (let r = 0; r < S.feedRounds; r++) {
      for (const ads of r % 2 === 0 ? [false, true] : [true, false]) {
        const group = ads ? servers.on : servers.off;
        const run = await feedSlice(group[r % group.length]!, world);
        (ads ? on : off).push(run);
        log(
          `  round ${r + 1} ads ${ads ? 'on ' : 'off'}: ${fmt(run.rps)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
            `non-2xx ${run.non2xx}, pages with ads ${fmt(run.pagesWithAds * 100)}% (${fmt(run.promotedPerPage, 2)} a page), ` +
            `ads laid in per request during the run ${fmt(run.adsPerRequest, 2)}, ` +
            `server CPU ${fmt(run.cpuUsPerRequest)} µs a request (main thread ${fmt(run.mainCpuUsPerRequest)})` +
            (run.redisPerRequest === undefined
              ? ''
              : `, Redis commands a request ${fmt(run.redisPerRequest, 2)} (${Object.entries(
                  run.redisByCommand ?? {},
                )
                  .map(([c, n]) => `${c} ${n}`)
                  .join(', ')})`),
        );
      }
    }
  } finally {
    for (const s of [...servers.off, ...servers.on]) await stop(s.child);
    for (const dir of copies) await rm(dir, { recursive: true, force: true });
  }
  type Figure =
    | 'rps'
    | 'p50Ms'
    | 'p99Ms'
    | 'pagesWithAds'
    | 'adsPerRequest'
    | 'cpuUsPerRequest'
    | 'mainCpuUsPerRequest';
  const med = (runs: FeedRun[], k: Figure) => median(runs.map((x) => x[k]));
  const summary = (runs: FeedRun[]) => ({
    rps: med(runs, 'rps'),
    p50Ms: med(runs, 'p50Ms'),
    p99Ms: med(runs, 'p99Ms'),
    pagesWithAds: med(runs, 'pagesWithAds'),
    adsPerRequest: med(runs, 'adsPerRequest'),
    cpuUsPerRequest: med(runs, 'cpuUsPerRequest'),
    mainCpuUsPerRequest: med(runs, 'mainCpuUsPerRequest'),
  });
  const result = { on: summary(on), off: summary(off), runs: { on, off } };
  const ratio = result.on.p99Ms / result.off.p99Ms;
  log('');
  log(
    `| GET ${PATH} (first page) | req/s | p50 | p99 | CPU a request | main thread | pages with ads | ads a request |`,
  );
  log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, x] of [
    ['ADS_SERVING=false', result.off],
    ['ADS_SERVING=true', result.on],
  ] as const)
    log(
      `| ${name} | ${fmt(x.rps)} | ${x.p50Ms} ms | ${x.p99Ms} ms | ${fmt(x.cpuUsPerRequest)} µs | ${fmt(x.mainCpuUsPerRequest)} µs | ${fmt(x.pagesWithAds * 100)}% | ${fmt(x.adsPerRequest, 2)} |`,
    );
  log(
    `\nads-on p99 / ads-off p99 = ${ratio.toFixed(2)} (target ≤ 1.2); req/s ratio ${(result.on.rps / result.off.rps).toFixed(2)}; ` +
      `CPU a request ratio ${(result.on.cpuUsPerRequest / result.off.cpuUsPerRequest).toFixed(2)}\n`,
  );
  return { ...result, p99Ratio: ratio };
}

// ---- exposure ------------------------------------------------------------------------------------------

/**
 * Starts (`key` given) an experiment over every bucket of a layer of its own, two variants setting the
 * feed's shares to the configured ones, or stops every running one (`key` null); in process, while no
 * server holds the world. Answers the EXPOSURE rows stored so far.
 */
async function setExperiment(key: string | null): Promise<number> {
  const app = await openApp(false);
  try {
    const svc = app.product.experiments;
    for (const e of (await svc.listExperiments({ status: 'running', page_size: 100 })).items)
      await svc.stopExperiment('cli:bench', e.key);
    if (key) {
      const shares = app.config.feedShares;
      const parameters = Object.entries(shares).map(([source, value]) => ({
        name: `feed.share.${source}`,
        type: 'number' as const,
        value,
      }));
      await svc.createLayer('cli:bench', { key: `layer-${key}`, holdout: 0 });
      await svc.createExperiment('cli:bench', {
        key,
        layer: `layer-${key}`,
        buckets: [{ start: 0, end: 10_000 }],
        ramp: 10_000,
        variants: [
          { key: 'a', weight: 1, parameters },
          { key: 'b', weight: 1, parameters },
        ],
      });
      await svc.startExperiment('cli:bench', key);
    }
    const r = await sql<{
      n: string;
    }>`select count(*)::text as n from events where kind = 'EXPOSURE'`.execute(app.deps.db);
    return Number(r.rows[0]!.n);
  } finally {
    await app.close();
  }
}

async function exposurePart(world: World) {
  const withX: FeedRun[] = [];
  const without: FeedRun[] = [];
  const exposures: number[] = [];
  for (let r = 0; r < S.rounds; r++) {
    for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
      const before = await setExperiment(on ? `bench-exposure-${r}` : null);
      const run = await feedRun(world, false, { FEED_SNAPSHOT_SECONDS: '0' }, true);
      (on ? withX : without).push(run);
      const after = await setExperiment(null);
      if (on) exposures.push(after - before);
      log(
        `  round ${r + 1} experiment ${on ? 'on ' : 'off'}: ${fmt(run.rps)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ` +
          `non-2xx ${run.non2xx}, server CPU ${fmt(run.cpuUsPerRequest)} µs a request` +
          (on ? `, exposures stored ${after - before}` : ''),
      );
    }
  }
  const summary = (runs: FeedRun[]) => ({
    rps: median(runs.map((x) => x.rps)),
    p50Ms: median(runs.map((x) => x.p50Ms)),
    p99Ms: median(runs.map((x) => x.p99Ms)),
    cpuUsPerRequest: median(runs.map((x) => x.cpuUsPerRequest)),
  });
  const result = { experiment: summary(withX), none: summary(without) };
  const ratio = result.experiment.p99Ms / result.none.p99Ms;
  log('');
  log(`| GET ${PATH} (first page ranked on every request) | req/s | p50 | p99 | CPU a request |`);
  log('| --- | --- | --- | --- | --- |');
  for (const [name, x] of [
    ['no experiment', result.none],
    ['experiment on feed.share.* (every reader)', result.experiment],
  ] as const)
    log(`| ${name} | ${fmt(x.rps)} | ${x.p50Ms} ms | ${x.p99Ms} ms | ${fmt(x.cpuUsPerRequest)} µs |`);
  log(
    `\nexperiment p99 / no-experiment p99 = ${ratio.toFixed(2)} (target ≤ 1.05); exposures stored a round: ${exposures.join(', ')}\n`,
  );
  return {
    ...result,
    p99Ratio: ratio,
    exposuresStored: exposures,
    runs: { experiment: withX, none: without },
  };
}

// ---- billing ---------------------------------------------------------------------------------------------

interface PostRun {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  /** Promoted runs: until no charge of the run is pending. */
  billedSeconds?: number;
  billedEventsPerSecond?: number;
  phases?: { batches: number; settleMs: number; sqlMs: number; periodMs: number };
}

/** Batches of click events; `promoted` mints a budget reservation and a promoted token per click. */
/** A run's request bodies, and what finds its charges: its ads, and when its first token was minted. */
interface Batches {
  bodies: string[];
  adIds: string[];
  mintedFrom: Date;
}

async function clickBatches(
  app: App,
  world: World,
  viewer: Reader,
  tag: string,
  promoted: boolean,
): Promise<Batches> {
  // Tokens carry their issue time in whole seconds; earlier runs' charges are all settled when a run starts.
  const mintedFrom = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
  const tokens = app.product.impressionTokens;
  const now = Date.now();
  const caps = new Map(
    world.ads.map((a) => [
      a.adId,
      budgetCaps(
        {
          adGroupId: a.adGroupId,
          campaignId: a.campaignId,
          budgetType: 'DAILY',
          budgetMicro: HUGE_BUDGET,
          campaignDailyCapMicro: HUGE_BUDGET,
          campaignLifetimeCapMicro: null,
        },
        now,
      ),
    ]),
  );
  // Promoted tokens are minted as the ad server mints them: each click's hold is a part of its ad group's
  // budget block on this node.
  const blocks = new BudgetBlocks(app.deps.spend);
  const bodies: string[] = [];
  let n = 0;
  for (let b = 0; b < S.billingBatches; b++) {
    const events = [];
    for (let i = 0; i < BATCH; i++) {
      const k = n + i;
      const ad = world.ads[k % world.ads.length]!;
      const item = {
        viewerUserId: viewer.id,
        pinId: ad.pinId,
        surface: 'HOME_FEED' as const,
        position: k % 25,
        requestId: `${tag}-${Math.floor(k / 25)}`,
      };
      let token: string;
      if (promoted) {
        const [held] = await blocks.reserveMany(
          [{ caps: caps.get(ad.adId)!, amount: reserveAmount('CLICKTHROUGH', PRICE), ttlMs: 3_600_000 }],
          Date.now(),
        );
        if (!held?.ok) throw new Error('the budget refused a reservation');
        token = tokens.issuePromoted({
          ...item,
          ad: {
            adId: ad.adId,
            chargeMicro: PRICE,
            holdMicro: PRICE,
            billableEvent: 'CLICKTHROUGH',
            reservationId: held.reservationId,
          },
        });
      } else token = tokens.issue(item);
      events.push({
        event_id: `${tag}-${k}`,
        kind: 'PIN_CLICK',
        time: new Date().toISOString(),
        impression_token: token,
        pin_id: ad.pinId,
        app_type: 'WEB',
      });
    }
    n += BATCH;
    bodies.push(JSON.stringify({ events }));
  }
  await blocks.close(Date.now());
  return { bodies, adIds: world.ads.map((a) => a.adId), mintedFrom };
}

/** A run's charges not settled yet (found by the index on ad and time of serving). */
async function pendingCharges(app: App, run: Batches): Promise<number> {
  const r = await sql<{ n: string }>`
    select count(*)::text as n from ad_charges c
     where c.ad_id = any(${run.adIds}::bigint[]) and c.served_at >= ${run.mintedFrom}
       and not exists (select 1 from ad_charge_settles s where s.token_id = c.token_id)`.execute(app.deps.db);
  return Number(r.rows[0]!.n);
}

/** Waits until the job consumers have nothing left (outbox relayed, every delivery done). */
async function quiet(app: App): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    const text = await app.metrics.registry.metrics();
    const busy = /^corkboard_(outbox_unpublished|job_backlog)\{[^}]*\} ([1-9]\d*)/m.test(text);
    if (!busy) return;
    if (Date.now() > until) throw new Error('the job consumers did not catch up within 120 s');
    await sleep(100);
  }
}

async function postAll(
  app: App,
  url: URL,
  viewer: Reader,
  batches: Batches,
  promoted: boolean,
  settle: 'wait' | 'leave' = 'wait',
) {
  const { bodies } = batches;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t = performance.now();
        await postEvents(agent, url, viewer.token, body, BATCH);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const events = bodies.length * BATCH;
  const run: PostRun = {
    eventsPerSecond: events / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    seconds,
  };
  if (settle === 'leave') return run;
  if (promoted) {
    // Every accepted click recorded its charge with it (accepted = BATCH is checked per call), so billing
    // is done when none is pending.
    const until = Date.now() + 300_000;
    for (;;) {
      const pending = await pendingCharges(app, batches);
      if (pending === 0) break;
      if (Date.now() > until) throw new Error(`billing did not finish: ${pending} charges pending`);
      await sleep(20);
    }
    run.billedSeconds = (performance.now() - started) / 1000;
    run.billedEventsPerSecond = events / run.billedSeconds;
  }
  await quiet(app);
  return run;
}

/**
 * Where a billing delivery's time goes, per batch of charges: the spend store's settles (its settleMany
 * calls, first call to last answer), the SQL that records them (last settle to the hook that runs before the commit), and
 * the period between two batches' hooks while charges wait (everything: delivery, pending charges, commit).
 */
function billingPhases(app: App) {
  const settleMs: number[] = [];
  const sqlMs: number[] = [];
  const periodMs: number[] = [];
  let inFlight = 0;
  let started = 0;
  let lastSettled = 0;
  let lastHook = 0;
  const spend = app.deps.spend;
  const settle = spend.settleMany.bind(spend);
  spend.settleMany = async (...args: Parameters<typeof settle>) => {
    if (inFlight++ === 0) started = performance.now();
    try {
      return await settle(...args);
    } finally {
      if (--inFlight === 0) {
        lastSettled = performance.now();
        settleMs.push(lastSettled - started);
      }
    }
  };
  billingTestHooks.afterSettle = async () => {
    const now = performance.now();
    sqlMs.push(now - lastSettled);
    if (lastHook > 0 && now - lastHook < 2000) periodMs.push(now - lastHook);
    lastHook = now;
  };
  return {
    reset() {
      settleMs.length = 0;
      sqlMs.length = 0;
      periodMs.length = 0;
      lastHook = 0;
    },
    summary() {
      return {
        batches: settleMs.length,
        settleMs: median(settleMs),
        sqlMs: median(sqlMs),
        periodMs: periodMs.length ? median(periodMs) : Number.NaN,
      };
    },
  };
}

/** One keep-alive connection for calls made one at a time. */
const agent1 = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** Runs `f` on each item in turn; the median of their times, ms. */
async function oneAtATime<T>(items: readonly T[], f: (item: T) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (const item of items) {
    const t = performance.now();
    await f(item);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** The newest outbox row's id (rows written later have larger ones once committed). */
async function newestOutbox(app: App): Promise<string> {
  const r = await sql<{ id: string }>`select coalesce(max(id), 0)::text as id from outbox`.execute(
    app.deps.db,
  );
  return r.rows[0]!.id;
}

/** The events.batch payloads written after outbox row `after`. */
async function batchPayloads(app: App, after: string): Promise<unknown[]> {
  const r = await sql<{ payload: unknown }>`
    select payload from outbox where id > ${after}::bigint and topic = ${EVENTS_BATCH_TOPIC} order by id`.execute(
    app.deps.db,
  );
  return r.rows.map((x) => x.payload);
}

/** One billing delivery of a batch, as the job system runs it: in a transaction of its own. */
async function billOne(app: App, payload: unknown): Promise<void> {
  billingConsumer ??= adBillingConsumer(app.deps.spend, createMetrics());
  const consumer = billingConsumer;
  await app.deps.db.transaction().execute((trx) =>
    consumer.handle(payload as never, {
      trx,
      eventId: 'bench',
      topic: EVENTS_BATCH_TOPIC,
      attempt: 1,
      log: app.log,
      afterCommit: () => {},
    }),
  );
}
let billingConsumer: ReturnType<typeof adBillingConsumer> | undefined;

async function billingPart(world: World) {
  const port = await freePort();
  const app = await openApp(true, port);
  const phases = billingPhases(app);
  try {
    await app.listen();
    const url = new URL(`http://127.0.0.1:${port}/v5/events`);
    const viewer = world.readers[0]!;
    // Today's partition and the consumers' first deliveries, before timing.
    await postAll(app, url, viewer, await clickBatches(app, world, viewer, 'warm-o', false), false);
    await postAll(app, url, viewer, await clickBatches(app, world, viewer, 'warm-p', true), true);
    const organic: PostRun[] = [];
    const promoted: PostRun[] = [];
    for (let r = 0; r < S.rounds; r++) {
      for (const ads of r % 2 === 0 ? [false, true] : [true, false]) {
        const bodies = await clickBatches(app, world, viewer, `r${r}-${ads ? 'p' : 'o'}`, ads);
        phases.reset();
        const run = await postAll(app, url, viewer, bodies, ads);
        if (ads) run.phases = phases.summary();
        (ads ? promoted : organic).push(run);
        log(
          `  round ${r + 1} ${ads ? 'promoted' : 'organic '}: ingest ${fmt(run.eventsPerSecond)} events/s ` +
            `(p50 ${fmt(run.p50Ms, 1)} ms, p99 ${fmt(run.p99Ms, 1)} ms a call)` +
            (run.billedEventsPerSecond
              ? `, billed ${fmt(run.billedEventsPerSecond)} events/s end to end`
              : '') +
            (run.phases
              ? `; a billing delivery (medians): spend store settles ${fmt(run.phases.settleMs, 1)} ms, ` +
                `SQL ${fmt(run.phases.sqlMs, 1)} ms, one every ${fmt(run.phases.periodMs, 1)} ms`
              : ''),
        );
      }
    }
    // Billing as a worker meets it: a round's promoted clicks ingested while no consumer runs, then the
    // consumers started: events billed per second until no charge is pending (every consumer of those
    // events runs meanwhile, as on a worker).
    const drains: number[] = [];
    for (let r = 0; r < S.rounds; r++) {
      const batches = await clickBatches(app, world, viewer, `d${r}`, true);
      await app.jobs.stop();
      await postAll(app, url, viewer, batches, true, 'leave');
      const started = performance.now();
      await app.jobs.start();
      const until = Date.now() + 300_000;
      while ((await pendingCharges(app, batches)) > 0) {
        if (Date.now() > until) throw new Error('the billing backlog did not drain within 300 s');
        await sleep(20);
      }
      drains.push((batches.bodies.length * BATCH) / ((performance.now() - started) / 1000));
      log(`  round ${r + 1} backlog: billed ${fmt(drains.at(-1)!)} events/s from a standing start`);
      await quiet(app);
    }
    // Each stage alone, one batch at a time, nothing else running: ingestion of organic clicks (job
    // consumers stopped), then billing of promoted clicks (their billing delivery run directly, the other
    // consumers stopped). Milliseconds per 1,000 events.
    const alone = { ingestMs: [] as number[], billMs: [] as number[] };
    for (let r = 0; r < S.rounds; r++) {
      const organicRun = await clickBatches(app, world, viewer, `ai${r}`, false);
      await app.jobs.stop();
      alone.ingestMs.push(
        await oneAtATime(organicRun.bodies, (b) => postEvents(agent1, url, viewer.token, b, BATCH)),
      );
      await app.jobs.start();
      await quiet(app);
      const promotedRun = await clickBatches(app, world, viewer, `ab${r}`, true);
      await app.jobs.stop();
      const firstOutbox = await newestOutbox(app);
      await postAll(app, url, viewer, promotedRun, true, 'leave');
      const payloads = await batchPayloads(app, firstOutbox);
      alone.billMs.push(await oneAtATime(payloads, (payload) => billOne(app, payload)));
      await app.jobs.start();
      await quiet(app);
      log(
        `  round ${r + 1} alone, one batch at a time: ingestion ${fmt(alone.ingestMs.at(-1)!, 1)} ms, ` +
          `billing ${fmt(alone.billMs.at(-1)!, 1)} ms (medians per 1,000 events)`,
      );
    }
    const aloneRatio = median(alone.ingestMs) / median(alone.billMs);
    const med = (runs: PostRun[], k: Exclude<keyof PostRun, 'phases'>) =>
      median(runs.map((x) => x[k] ?? Number.NaN));
    const drain = median(drains);
    const o = { eventsPerSecond: med(organic, 'eventsPerSecond'), p99Ms: med(organic, 'p99Ms') };
    const p = {
      eventsPerSecond: med(promoted, 'eventsPerSecond'),
      p99Ms: med(promoted, 'p99Ms'),
      billedEventsPerSecond: med(promoted, 'billedEventsPerSecond'),
    };
    const billing = p.billedEventsPerSecond / o.eventsPerSecond;
    const ingest = p.eventsPerSecond / o.eventsPerSecond;
    log('');
    log(
      '| POST /v5/events, 1,000 clicks a call | ingest events/s | p99 call | billed events/s (end to end) |',
    );
    log('| --- | --- | --- | --- |');
    log(`| organic tokens | ${fmt(o.eventsPerSecond)} | ${fmt(o.p99Ms, 1)} ms | – |`);
    log(
      `| promoted tokens | ${fmt(p.eventsPerSecond)} | ${fmt(p.p99Ms, 1)} ms | ${fmt(p.billedEventsPerSecond)} |`,
    );
    log(
      `\nbilling / organic ingestion = ${billing.toFixed(2)} (target ≥ 1.0); promoted ingestion / organic ingestion = ${ingest.toFixed(2)}`,
    );
    log(
      `billing a backlog (every consumer running): ${fmt(drain)} events/s = ${(drain / o.eventsPerSecond).toFixed(2)} of organic ingestion`,
    );
    log(
      `each stage alone, one batch at a time: billing speed / organic ingestion speed = ${aloneRatio.toFixed(2)} ` +
        `(${fmt(median(alone.ingestMs), 1)} ms vs ${fmt(median(alone.billMs), 1)} ms per 1,000 events; target ≥ 1.0)\n`,
    );
    return {
      alone: { ingestMs: median(alone.ingestMs), billMs: median(alone.billMs), ratio: aloneRatio },
      organic: o,
      promoted: p,
      backlogBilledEventsPerSecond: drain,
      backlogRatio: drain / o.eventsPerSecond,
      billingRatio: billing,
      ingestRatio: ingest,
      runs: { organic, promoted },
    };
  } finally {
    billingTestHooks.afterSettle = undefined;
    await app.close();
  }
}

async function main(): Promise<void> {
  log(
    `Ads serving bench — ${services ? `services mode (schema ${schema})` : `embedded mode (${dataDir})`}, ` +
      `${S.load.connections} connections, ${S.load.warmupS} s warm-up + ${S.load.durationS} s a run, ` +
      `${S.rounds} alternating rounds, ${availableParallelism()} CPUs, Node ${process.version}\n`,
  );
  try {
    const world = await makeWorld();
    const feed = S.parts.includes('feed') ? await feedParts(world) : null;
    const billing = S.parts.includes('billing') ? await billingPart(world) : null;
    const exposure = S.parts.includes('exposure') ? await exposurePart(world) : null;
    await writeResults(RESULTS, {
      date: new Date().toISOString(),
      mode: services ? 'services' : 'embedded',
      node: process.version,
      cpus: availableParallelism(),
      settings: S,
      advertisers: world.ads.length,
      feed,
      billing,
      exposure,
    });
    log(`JSON: ${RESULTS}`);
  } finally {
    await stopAll();
    await dropBenchPlace(place);
  }
}

await runBench(main);
