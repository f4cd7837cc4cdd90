/**
 * `npx tsx bench/experiments-sim.ts`: the experiments platform end to end on synthetic people whose
 * saving behaviour depends on the feed they see. Embedded mode by default; services mode when
 * DATABASE_URL and REDIS_URL are set (DB_SCHEMA names the schema, `bench_xsim_<random>` if unset,
 * dropped at the end with its Redis keys).
 *
 * World: `corkboard seed --pins BENCH_PINS --seed 1`. The app runs in this process (`createApp`, its job
 * consumers included); everything goes through its routes (`app.http.inject`).
 *
 * Each synthetic person signs up, follows BENCH_SIM_FOLLOWS of the world's most prolific creators (the
 * people they like), opens their home feed (first page of 25, GET /v5/feeds/home), and reports what
 * they saw through POST /v5/events with the served impression tokens: an IMPRESSION of every item, a
 * close-up (PIN_CLICK) with probability 0.30 for a pin of a creator they follow and 0.08 for any other,
 * and, after a close-up, a save (POST /v5/pins/{id}/save) with probability 0.6. So a feed that blends in
 * more of the followed creators truly causes more close-ups and saves; nothing else differs.
 *
 * 1. effect: an experiment on the feed's blend, `control` (feed.share.following 1, related 1, popular 4)
 *    against `following` (4, 1, 1), BENCH_SIM_PEOPLE people. Expected: saves and close-ups per person
 *    detected higher in `following` (Welch's test after Holm's correction, with its interval), SRM
 *    quiet; the sequential (mSPRT) p-value is printed beside it and, at one look, is the more
 *    conservative.
 * 2. A/A: the first experiment stopped, another in its own layer whose two variants set the same shares,
 *    BENCH_SIM_PEOPLE new people. Expected: nothing detected, SRM quiet.
 *
 * The experiments are defined, started and stopped through /v5/experiments and read through
 * GET /v5/experiments/{key}/results (JSON, and ?format=text, printed) by an operator. Every person is
 * simulated on one day (the sequential test has one look). Results: stdout and
 * bench/results/experiments-sim.json.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Static } from 'typebox';
import { type App, createApp } from '../src/app.js';
import type { Results } from '../src/modules/experiments/results/results.schemas.js';
import { loadConfig } from '../src/platform/config.js';
import { prng } from './prng.js';
import { runBench } from './processes.js';
import { fmt, log, writeResults } from './report.js';
import { dropBenchPlace, envNumber, modeEnv, modePlace, seedPins } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'experiments-sim.json');
const PAGE = 25;
/** Close-up probability of a pin by a creator the person follows, and of any other. */
const CLICK_LIKED = 0.3;
const CLICK_OTHER = 0.08;
/** Save probability after a close-up. */
const SAVE_AFTER_CLICK = 0.6;
const OPERATOR = 'sim_operator';
const PERSON_SCOPES = [
  'boards:read',
  'boards:write',
  'pins:read',
  'pins:write',
  'user_accounts:read',
  'user_accounts:write',
];

/** Where this run keeps its data (services: schema and Redis prefix too), dropped at the end. */
const place = modePlace('xsim');
const services = place.databaseUrl !== undefined;
const { schema, dataDir } = place;

const S = {
  pins: envNumber('BENCH_PINS', 2_000, 100),
  people: envNumber('BENCH_SIM_PEOPLE', 180, 20),
  follows: envNumber('BENCH_SIM_FOLLOWS', 4, 1),
  concurrency: envNumber('BENCH_SIM_CONCURRENCY', 4, 1),
  seed: envNumber('BENCH_SIM_SEED', 1, 0),
};

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return modeEnv(place, extra);
}

interface Caller {
  app: App;
  token: string;
}

/** One call through the app's routes; the parsed JSON (or text) of a 2xx, else an error naming the call. */
async function call(
  c: Caller,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<{ status: number; body: string; json: () => unknown }> {
  const res = await c.app.http.inject({
    method,
    url,
    headers: { authorization: `Bearer ${c.token}` },
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return { status: res.statusCode, body: res.body, json: () => res.json() };
}

type Shares = { following: number; related: number; popular: number };

/** Creates, in its own layer, and starts an experiment on the feed's shares, through the API. */
async function defineExperiment(op: Caller, key: string, variants: Record<string, Shares>): Promise<void> {
  await call(op, 'POST', '/v5/experiments/layers', { key: `layer-${key}`, holdout: 0 });
  await call(op, 'POST', '/v5/experiments', {
    key,
    layer: `layer-${key}`,
    description: 'Home feed blend (bench/experiments-sim.ts)',
    buckets: [{ start: 0, end: 10_000 }],
    ramp: 10_000,
    variants: Object.entries(variants).map(([k, shares]) => ({
      key: k,
      weight: 1,
      parameters: Object.entries(shares).map(([source, value]) => ({
        name: `feed.share.${source}`,
        type: 'number',
        value,
      })),
    })),
  });
  await call(op, 'POST', `/v5/experiments/${key}/start`);
}

interface FeedItem {
  id: string;
  impression_token: string;
  board_owner: { username: string };
  reason: string;
}

interface Tally {
  people: number;
  impressions: number;
  closeups: number;
  saves: number;
  liked: number;
}

/** One synthetic person: signs up, follows, opens the feed, reacts to it through the API. */
async function person(
  app: App,
  rand: () => number,
  creators: string[],
  tag: string,
  t: Tally,
): Promise<void> {
  const username = `sim_${tag}`;
  const user = await app.product.accounts.signUp({
    username,
    email: `${username}@example.org`,
    password: 'password123',
  });
  const me: Caller = { app, token: await app.product.oauth.devToken(user.id, PERSON_SCOPES, 1) };
  const liked = new Set<string>();
  while (liked.size < Math.min(S.follows, creators.length))
    liked.add(creators[Math.floor(rand() * creators.length)]!);
  for (const c of liked) await call(me, 'POST', `/v5/user_account/following/${c}`, {});
  const page = (await call(me, 'GET', `/v5/feeds/home?page_size=${PAGE}`)).json() as { items: FeedItem[] };
  const now = new Date().toISOString();
  const events: object[] = [];
  const saves: string[] = [];
  page.items.forEach((item, position) => {
    const likes = liked.has(item.board_owner.username);
    if (likes) t.liked++;
    const base = { impression_token: item.impression_token, pin_id: item.id, time: now, app_type: 'WEB' };
    events.push({
      ...base,
      event_id: `${tag}-i${position}`,
      kind: 'IMPRESSION',
      surface: 'HOME_FEED',
      position,
    });
    if (rand() < (likes ? CLICK_LIKED : CLICK_OTHER)) {
      events.push({
        ...base,
        event_id: `${tag}-c${position}`,
        kind: 'PIN_CLICK',
        surface: 'HOME_FEED',
        position,
      });
      if (rand() < SAVE_AFTER_CLICK) saves.push(item.id);
    }
  });
  const posted = (await call(me, 'POST', '/v5/events', { events })).json() as { accepted: number };
  if (posted.accepted !== events.length)
    throw new Error(`events: ${posted.accepted} of ${events.length} accepted`);
  if (saves.length > 0) {
    const board = (await call(me, 'POST', '/v5/boards', { name: 'Saved ideas' })).json() as { id: string };
    for (const id of saves) await call(me, 'POST', `/v5/pins/${id}/save`, { board_id: board.id });
  }
  t.people++;
  t.impressions += page.items.length;
  t.closeups += events.length - page.items.length;
  t.saves += saves.length;
}

/** BENCH_SIM_PEOPLE people, a few at a time. */
async function population(app: App, creators: string[], run: string, seed: number): Promise<Tally> {
  const t: Tally = { people: 0, impressions: 0, closeups: 0, saves: 0, liked: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= S.people) return;
      await person(app, prng(seed * 1_000_003 + i), creators, `${run}${i}`, t);
      if ((i + 1) % 100 === 0)
        log(`  ${run}: ${i + 1} people (${fmt((performance.now() - started) / 1000, 1)} s)`);
    }
  };
  await Promise.all(Array.from({ length: S.concurrency }, worker));
  return t;
}

/** Waits until every exposure is written and the job consumers have nothing left. */
async function quiet(app: App): Promise<void> {
  await app.product.exposures.flush();
  const until = Date.now() + 300_000;
  let calm = 0;
  while (calm < 3) {
    const text = await app.metrics.registry.metrics();
    const busy = /^corkboard_(outbox_unpublished|job_backlog)\{[^}]*\} ([1-9]\d*)/m.test(text);
    calm = busy ? 0 : calm + 1;
    if (Date.now() > until) throw new Error('the job consumers did not catch up within 300 s');
    await sleep(200);
  }
}

interface Summary {
  metric: string;
  variant: string;
  control: number | null;
  treatment: number | null;
  difference: number | null;
  interval: [number | null, number | null];
  relative: number | null;
  pValue: number | null;
  holmPValue: number | null;
  significant: boolean;
  sequentialPValue: number | null;
  sequentialSignificant: boolean;
}

/** The comparisons of the metrics a person's feed drives, from the results JSON. */
type ExperimentResults = Static<typeof Results>;

function summarise(results: ExperimentResults, metrics: readonly string[]): Summary[] {
  const out: Summary[] = [];
  for (const m of results.metrics) {
    if (!metrics.includes(m.metric)) continue;
    const mean = (v: string) => m.variants.find((x) => x.variant === v)?.mean ?? null;
    for (const c of m.comparisons)
      out.push({
        metric: m.metric,
        variant: c.variant,
        control: mean(c.against),
        treatment: mean(c.variant),
        difference: c.fixed_horizon.difference,
        interval: [c.fixed_horizon.interval.lower, c.fixed_horizon.interval.upper],
        relative: c.fixed_horizon.relative.estimate,
        pValue: c.fixed_horizon.p_value,
        holmPValue: c.fixed_horizon.holm_p_value,
        significant: c.fixed_horizon.significant,
        sequentialPValue: c.sequential.p_value,
        sequentialSignificant: c.sequential.significant,
      });
  }
  return out;
}

const num = (x: number | null, d = 3) => (x === null ? '–' : x.toFixed(d));
const p = (x: number | null) => (x === null ? '–' : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));

async function runExperiment(
  app: App,
  op: Caller,
  creators: string[],
  name: string,
  key: string,
  variants: Record<string, Shares>,
  seed: number,
) {
  log(`\n${name}: experiment ${key}, ${JSON.stringify(variants)}`);
  await defineExperiment(op, key, variants);
  const started = performance.now();
  const tally = await population(app, creators, key.replace(/[^a-z]/g, ''), seed);
  await quiet(app);
  const seconds = (performance.now() - started) / 1000;
  const results = (await call(op, 'GET', `/v5/experiments/${key}/results`)).json() as ExperimentResults;
  const text = (await call(op, 'GET', `/v5/experiments/${key}/results?format=text`)).body;
  await call(op, 'POST', `/v5/experiments/${key}/stop`);
  const rows = summarise(results, ['saves_per_user', 'closeups_per_user', 'impressions_per_user']);
  const srm = results.exposures.srm;
  log(
    `${tally.people} people in ${fmt(seconds, 1)} s: ${tally.impressions} impressions (${tally.liked} of followed creators), ${tally.closeups} close-ups, ${tally.saves} saves`,
  );
  log(
    `exposures: ${results.exposures.variants.map((v) => `${v.variant} ${v.units}`).join(', ')}; SRM p ${p(srm.p_value)}${srm.alarm ? ' ALARM' : ' (quiet)'}`,
  );
  log(
    '| metric | variant vs control | control mean | variant mean | difference [95% CI] | relative | p (Welch) | Holm p | sequential p |',
  );
  log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    log(
      `| ${r.metric} | ${r.variant} | ${num(r.control)} | ${num(r.treatment)} | ${num(r.difference)} [${num(r.interval[0])}, ${num(r.interval[1])}] | ${r.relative === null ? '–' : `${(r.relative * 100).toFixed(1)}%`} | ${p(r.pValue)} | ${p(r.holmPValue)}${r.significant ? ' *' : ''} | ${p(r.sequentialPValue)}${r.sequentialSignificant ? ' *' : ''} |`,
    );
  log(`\nThe report (GET /v5/experiments/${key}/results?format=text):\n${text}`);
  return { key, variants, seconds, tally, srm, exposures: results.exposures.variants, rows, results };
}

async function main(): Promise<void> {
  log(
    `Experiments simulation — ${services ? `services mode (schema ${schema})` : `embedded mode (${dataDir})`}, ` +
      `${S.people} people a run, ${availableParallelism()} CPUs, Node ${process.version}`,
  );
  await seedPins(place, S.pins);
  const config = loadConfig(
    env({ EXPERIMENT_ADMINS: OPERATOR, FEED_SNAPSHOT_SECONDS: '0' }) as Record<string, string>,
  );
  const app = await createApp(config, { runJobs: true });
  try {
    // The people liked: the creators with the most public pins.
    const top = await sql<{ username: string }>`
      select u.username from users u join pins p on p.owner_id = u.id join boards b on b.id = p.board_id
       where b.privacy = 'PUBLIC' group by u.username order by count(*) desc, u.username limit 30`.execute(
      app.deps.db,
    );
    const creators = top.rows.map((r) => r.username);
    const operator = await app.product.accounts.signUp({
      username: OPERATOR,
      email: `${OPERATOR}@example.org`,
      password: 'password123',
    });
    const op: Caller = {
      app,
      token: await app.product.oauth.devToken(operator.id, ['experiments:read', 'experiments:write'], 1),
    };
    const effect = await runExperiment(
      app,
      op,
      creators,
      '1. A variant that is truly better',
      'sim-blend',
      {
        control: { following: 1, related: 1, popular: 4 },
        following: { following: 4, related: 1, popular: 1 },
      },
      S.seed,
    );
    const aa = await runExperiment(
      app,
      op,
      creators,
      '2. A/A: two identical variants',
      'sim-aa',
      { a: { following: 1, related: 1, popular: 4 }, b: { following: 1, related: 1, popular: 4 } },
      S.seed + 1,
    );
    const saves = effect.rows.find((r) => r.metric === 'saves_per_user')!;
    // Detected: the fixed-horizon test after Holm's correction, with the SRM check quiet. The sequential
    // test is reported beside it: with one look it is the more conservative (it pays for peeking).
    const detected = saves.significant && !effect.srm.alarm;
    const aaQuiet = aa.rows.every((r) => !r.significant && !r.sequentialSignificant) && !aa.srm.alarm;
    log(
      `\nTrue effect on saves per person: ${detected ? 'detected' : 'NOT detected'} (Holm p ${p(saves.holmPValue)}; ` +
        `sequential p ${p(saves.sequentialPValue)}, ${saves.sequentialSignificant ? 'significant' : 'not significant'} at one look; ` +
        `SRM ${effect.srm.alarm ? 'alarm' : 'quiet'}).`,
    );
    log(
      `A/A: ${aaQuiet ? 'nothing detected' : 'SOMETHING DETECTED'} (SRM ${aa.srm.alarm ? 'alarm' : 'quiet'}).`,
    );
    const strip = ({ results: _r, ...rest }: Awaited<ReturnType<typeof runExperiment>>) => rest;
    await writeResults(RESULTS, {
      date: new Date().toISOString(),
      mode: services ? 'services' : 'embedded',
      node: process.version,
      cpus: availableParallelism(),
      settings: S,
      behaviour: {
        clickLiked: CLICK_LIKED,
        clickOther: CLICK_OTHER,
        saveAfterClick: SAVE_AFTER_CLICK,
        page: PAGE,
      },
      effect: { ...strip(effect), detected },
      aa: { ...strip(aa), quiet: aaQuiet },
    });
    log(`JSON: ${RESULTS}`);
  } finally {
    await app.close();
    await dropBenchPlace(place);
  }
}

await runBench(main);
