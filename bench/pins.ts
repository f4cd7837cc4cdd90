/**
 * `npx tsx bench/pins.ts`: the pin benchmarks of issue #3, on PostgreSQL + Redis only.
 *
 * 1. Reads: GET /v5/pins/{pin_id}, GET /v5/boards/{board_id}/pins and GET /v5/pins/{pin_id}/related on a
 *    seeded database (100k pins by default), each compared with a raw node:http server answering the
 *    exact same body on the same path.
 * 2. Creation: POST /v5/pins with image_base64 JPEGs (1200×900) through a `corkboard worker` until every
 *    image is processed; pins/s and images processed per second per core, next to an in-process loop of
 *    processImage on the same images.
 *
 * Results: a table on stdout and bench/results/pins.json. See bench/README.md for the settings.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import sharp from 'sharp';
import { Random } from '../src/cli/seed/random.js';
import { processImage } from '../src/platform/images/process-image.js';
import { type LoadOptions, measure, type Sample } from './measure.js';
import { cpuSeconds, freePort, runBench, runCommand, startChild, stopAll } from './processes.js';
import { compare, fmt, formatTable, log, type RouteResult, writeResults } from './report.js';
import type { BenchRoute } from './routes.js';
import { seedWorld } from './seed-world.js';
import { envFlag, envNumber, percentile, servicesEnv } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'pins.json');
const START_TIMEOUT_MS = 60_000;
const SCHEMA = 'bench_pins';
const REDIS_PREFIX = 'bench_pins:';
/** Blobs (seeded and uploaded images) are kept here between runs, like the seeded schema. */
const DATA_DIR = join(tmpdir(), 'corkboard-bench-pins');
const READ_SCOPES = 'boards:read,pins:read';
const WRITE_SCOPES = 'boards:read,boards:write,pins:read,pins:write';
const P99_TARGET_MS = 10;
const IMAGE_LIMITS = { maxInputBytes: 10 * 1024 * 1024, maxPixels: 50_000_000 };

interface Settings {
  databaseUrl: string;
  redisUrl: string;
  pins: number;
  reseed: boolean;
  parts: Set<string>;
  load: LoadOptions;
  rounds: number;
  createPins: number;
  createConcurrency: number;
  createTimeoutS: number;
  imageLoop: number;
  cpuProfDir: string | undefined;
}

function settings(): Settings {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl?.startsWith('postgres') || !redisUrl?.startsWith('redis')) {
    throw new Error(
      'bench/pins.ts runs on PostgreSQL + Redis only: set DATABASE_URL=postgres://... and REDIS_URL=redis://...',
    );
  }
  const parts = new Set((process.env.BENCH_PARTS ?? 'reads,create').split(',').map((p) => p.trim()));
  for (const p of parts)
    if (p !== 'reads' && p !== 'create') throw new Error(`BENCH_PARTS: unknown part "${p}"`);
  return {
    databaseUrl,
    redisUrl,
    pins: envNumber('BENCH_PINS', 100_000, 100),
    reseed: envFlag('BENCH_RESEED'),
    parts,
    load: {
      durationS: envNumber('BENCH_DURATION', 5, 1),
      warmupS: envNumber('BENCH_WARMUP', 1, 0),
      connections: envNumber('BENCH_CONNECTIONS', 50, 1),
    },
    rounds: envNumber('BENCH_ROUNDS', 2, 1),
    createPins: envNumber('BENCH_CREATE_PINS', 200, 1),
    createConcurrency: envNumber('BENCH_CREATE_CONCURRENCY', 8, 1),
    createTimeoutS: envNumber('BENCH_CREATE_TIMEOUT', 300, 1),
    imageLoop: envNumber('BENCH_IMAGE_LOOP', 24, 0),
    cpuProfDir: process.env.BENCH_CPU_PROF || undefined,
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

// ---------------------------------------------------------------------------------------------------
// Seeding

interface SeedInfo {
  seeded: boolean;
  seconds: number | null;
  summary: unknown;
  pinRows: number;
}

/**
 * Planner statistics as autovacuum would leave them. Seeding does not analyze, and a server with
 * autovacuum off (this machine's) would otherwise plan on empty-table estimates: hash joins over the whole
 * images table instead of index lookups, about a third fewer single-pin requests per second.
 */
async function analyze(db: pg.Pool): Promise<void> {
  await db.query(
    `analyze ${['users', 'boards', 'pins', 'pin_images', 'images'].map((t) => `${SCHEMA}.${t}`).join(', ')}`,
  );
}

/** Seeds the bench schema unless it already holds about BENCH_PINS pins (BENCH_RESEED=1 forces it). */
async function ensureSeeded(s: Settings, db: pg.Pool): Promise<SeedInfo> {
  const world = await seedWorld(db, {
    schema: SCHEMA,
    redisUrl: s.redisUrl,
    redisPrefix: REDIS_PREFIX,
    dataDir: DATA_DIR,
    pins: s.pins,
    reseed: s.reseed,
    env: corkboardEnv(s),
    timeoutMs: 30 * 60_000,
    log,
  });
  await analyze(db);
  if (!world.seeded) return { seeded: false, seconds: null, summary: null, pinRows: world.pins };
  const summary = JSON.parse(world.output?.trim().split('\n').pop() ?? '{}') as unknown;
  log(`Seed: ${world.pins} pins in ${fmt(world.seconds ?? 0, 1)} s (including process start and migrations)`);
  return { seeded: true, seconds: world.seconds, summary, pinRows: world.pins };
}

// ---------------------------------------------------------------------------------------------------
// Part 1: reads

interface Target {
  pinId: string;
  boardId: string;
  boardPins: number;
}

/** A public board with at least 25 pins whose owner is not `demo`, and its oldest pin. */
async function pickTargets(db: pg.Pool): Promise<Target> {
  const board = await db.query<{ id: string; n: string }>(
    `select b.id::text as id, count(*)::text as n
       from ${SCHEMA}.boards b
       join ${SCHEMA}.users u on u.id = b.owner_id
       join ${SCHEMA}.pins p on p.board_id = b.id
      where b.privacy = 'PUBLIC' and u.username <> 'demo'
      group by b.id
     having count(*) >= 25
      order by b.id
      limit 1`,
  );
  const row = board.rows[0];
  if (!row) throw new Error('no public board with at least 25 pins in the seeded database');
  const pin = await db.query<{ id: string }>(
    `select id::text as id from ${SCHEMA}.pins where board_id = $1 order by id limit 1`,
    [row.id],
  );
  return { boardId: row.id, boardPins: Number(row.n), pinId: pin.rows[0]!.id };
}

interface PinRoute extends BenchRoute {
  p99TargetMs: number;
}

async function fetchExact(url: string, token: string): Promise<{ body: string; contentType: string }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  return { body, contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
}

interface ReadsResult {
  target: Target;
  bodyBytes: Record<string, number>;
  baselineMatches: Record<string, boolean>;
  routes: (RouteResult & { p99TargetMs: number; meetsP99Target: boolean })[];
  profile: string | null;
}

async function benchReads(s: Settings, db: pg.Pool, token: string, tmp: string): Promise<ReadsResult> {
  const target = await pickTargets(db);
  log(`Reads: pin ${target.pinId}, board ${target.boardId} (${target.boardPins} pins)`);
  const routes: PinRoute[] = [
    {
      name: 'GET /v5/pins/{pin_id}',
      path: `/v5/pins/${target.pinId}`,
      note: 'one pin with its images; baseline answers the same bytes',
      sameBodyAsBaseline: true,
      target: 0.5,
      p99TargetMs: P99_TARGET_MS,
    },
    {
      name: 'GET /v5/boards/{board_id}/pins',
      path: `/v5/boards/${target.boardId}/pins`,
      note: 'first page of 25 pins; baseline answers the same bytes',
      sameBodyAsBaseline: true,
      target: 0.25,
      p99TargetMs: P99_TARGET_MS,
    },
    {
      name: 'GET /v5/pins/{pin_id}/related',
      path: `/v5/pins/${target.pinId}/related`,
      note: 'first page of related pins (the graph built at start); baseline answers the first answer',
      sameBodyAsBaseline: true,
      target: 0.1,
      p99TargetMs: 50,
    },
  ];
  const profArgs = s.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${s.cpuProfDir}`] : [];
  const server = await startChild(
    'corkboard server',
    [...profArgs, 'src/main.ts', 'serve'],
    corkboardEnv(s, { PORT: String(await freePort()), HOST: '127.0.0.1' }),
    START_TIMEOUT_MS,
  );
  const answers: Record<string, { body: string; contentType: string }> = {};
  for (const route of routes) answers[route.path] = await fetchExact(server.url + route.path, token);
  const routesFile = join(tmp, 'baseline-routes.json');
  await writeFile(routesFile, JSON.stringify(answers));
  const baseline = await startChild(
    'baseline server',
    ['bench/baseline-server.ts'],
    { ...process.env, PORT: String(await freePort()), BASELINE_ROUTES: routesFile },
    START_TIMEOUT_MS,
  );
  const baselineMatches: Record<string, boolean> = {};
  const bodyBytes: Record<string, number> = {};
  for (const route of routes) {
    const mine = answers[route.path]!;
    const base = await fetchExact(baseline.url + route.path, token);
    baselineMatches[route.name] = base.body === mine.body && base.contentType === mine.contentType;
    bodyBytes[route.name] = Buffer.byteLength(mine.body);
    if (!baselineMatches[route.name]) process.stderr.write(`warning: baseline differs for ${route.name}\n`);
  }
  // The same request, authorization header included, goes to both servers.
  const load: LoadOptions = { ...s.load, headers: { authorization: `Bearer ${token}` } };
  const results: ReadsResult['routes'] = [];
  for (const route of routes) {
    const b: Sample[] = [];
    const sv: Sample[] = [];
    for (let i = 0; i < s.rounds; i++) {
      b.push(await measure(baseline.url + route.path, load));
      sv.push(await measure(server.url + route.path, load));
      log(`  ${route.name} round ${i + 1}/${s.rounds} done`);
    }
    const r = compare(route, b, sv);
    results.push({
      ...r,
      p99TargetMs: route.p99TargetMs,
      meetsP99Target: r.server.p99Ms < route.p99TargetMs,
    });
  }
  await stopAll();
  log(`\n${formatTable(results)}`);
  for (const r of results) {
    const verdict = r.meetsP99Target ? 'meets' : 'is ABOVE';
    log(`${r.route.name}: p99 ${fmt(r.server.p99Ms, 1)} ms ${verdict} the target of ${r.p99TargetMs} ms`);
    log(`${r.route.name}: body ${bodyBytes[r.route.name]} bytes`);
  }
  log('p99 has 1 ms resolution (autocannon histogram). Rate limiting is off (RATE_LIMITS=off).');
  return { target, bodyBytes, baselineMatches, routes: results, profile: s.cpuProfDir ?? null };
}

// ---------------------------------------------------------------------------------------------------
// Part 2: pin creation with image processing

/** The seed world's deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/**
 * A photo-like 1200×900 JPEG: smooth colour fields, a few soft blobs and fine grain, so it compresses
 * like a photograph (a couple of hundred kB at quality 85) rather than like noise or a flat fill.
 */
async function photoLikeJpeg(seed: number): Promise<Buffer> {
  const width = 1200;
  const height = 900;
  const rand = prng(seed);
  const pixels = new Uint8ClampedArray(width * height * 3);
  const base = [rand() * 255, rand() * 255, rand() * 255];
  const blobs = Array.from({ length: 12 }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: 40 + rand() * 220,
    c: [rand() * 255, rand() * 255, rand() * 255],
  }));
  const fx = 0.005 + rand() * 0.02;
  const fy = 0.005 + rand() * 0.02;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const wave = 40 * Math.sin(x * fx + y * fy * 0.5) + 25 * Math.sin(y * fy - x * fx * 0.3);
      for (let ch = 0; ch < 3; ch++) {
        let v = base[ch]! * (0.6 + (0.4 * y) / height) + wave * (ch === 1 ? 0.5 : 1);
        for (const b of blobs) {
          const d2 = ((x - b.x) ** 2 + (y - b.y) ** 2) / (b.r * b.r);
          if (d2 < 4) v += (b.c[ch]! - v) * Math.exp(-d2 * 1.5) * 0.8;
        }
        v += (rand() - 0.5) * 24;
        pixels[i + ch] = v; // clamped and rounded by the array
      }
    }
  }
  return sharp(Buffer.from(pixels.buffer), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Runs task(0..n-1) with at most `concurrency` in flight. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

interface LoopResult {
  concurrency: number;
  images: number;
  wallS: number;
  cpuS: number;
  imagesPerS: number;
  imagesPerCpuS: number;
}

/** processImage in this process on the same images: `concurrency` at a time, `iterations` in all. */
async function processLoop(images: Buffer[], iterations: number, concurrency: number): Promise<LoopResult> {
  await processImage(images[0]!, IMAGE_LIMITS); // warm-up: libvips init, code paths
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(iterations, concurrency, async (i) => {
    await processImage(images[i % images.length]!, IMAGE_LIMITS);
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return {
    concurrency,
    images: iterations,
    wallS,
    cpuS,
    imagesPerS: iterations / wallS,
    imagesPerCpuS: iterations / cpuS,
  };
}

interface CreateResult {
  pins: number;
  concurrency: number;
  imageBytes: number[];
  created: number;
  failedRequests: { status: number; body: string }[];
  createWallS: number;
  createPerS: number;
  createP50Ms: number;
  createP99Ms: number;
  allReadyWallS: number | null;
  endToEndPinsPerS: number | null;
  imagesReady: number;
  imagesFailed: number;
  serverCpuS: number;
  workerCpuS: number;
  workerImagesPerCpuS: number | null;
  inProcess: LoopResult[];
}

async function benchCreate(s: Settings, db: pg.Pool, token: string): Promise<CreateResult> {
  log(`\nCreate: making 4 distinct 1200×900 JPEGs`);
  const images = await Promise.all([11, 22, 33, 44].map(photoLikeJpeg));
  const payloads = images.map((b) => b.toString('base64'));
  log(`Create: JPEG sizes ${images.map((b) => `${Math.round(b.length / 1024)} kB`).join(', ')}`);
  const board = await db.query<{ id: string }>(
    `select b.id::text as id from ${SCHEMA}.boards b join ${SCHEMA}.users u on u.id = b.owner_id
      where u.username = 'demo' and b.privacy = 'PUBLIC' order by b.id limit 1`,
  );
  const boardId = board.rows[0]?.id;
  if (!boardId) throw new Error('demo has no public board');

  const server = await startChild(
    'corkboard server',
    ['src/main.ts', 'serve'],
    corkboardEnv(s, { PORT: String(await freePort()), HOST: '127.0.0.1' }),
    START_TIMEOUT_MS,
  );
  const worker = await startChild(
    'corkboard worker',
    ['src/main.ts', 'worker'],
    corkboardEnv(s),
    START_TIMEOUT_MS,
    /worker running/,
  );
  const serverPid = server.process.pid!;
  const workerPid = worker.process.pid!;
  const pinIds: string[] = [];
  const failedRequests: CreateResult['failedRequests'] = [];
  const latencies: number[] = [];
  let result: CreateResult | undefined;
  try {
    // Let the worker finish starting (consumer groups) before the clock starts.
    await new Promise((r) => setTimeout(r, 500));
    const serverCpu0 = cpuSeconds(serverPid);
    const workerCpu0 = cpuSeconds(workerPid);
    const t0 = performance.now();
    await pool(s.createPins, s.createConcurrency, async (i) => {
      const started = performance.now();
      const res = await fetch(`${server.url}/v5/pins`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          board_id: boardId,
          title: `Bench pin ${i}`,
          description: 'Created by bench/pins.ts',
          media_source: {
            source_type: 'image_base64',
            content_type: 'image/jpeg',
            data: payloads[i % payloads.length],
          },
        }),
      });
      const text = await res.text();
      latencies.push(performance.now() - started);
      if (res.status === 201) pinIds.push((JSON.parse(text) as { id: string }).id);
      else failedRequests.push({ status: res.status, body: text.slice(0, 300) });
    });
    const createWallS = (performance.now() - t0) / 1000;
    log(
      `Create: ${pinIds.length}/${s.createPins} created (201) in ${fmt(createWallS, 2)} s; waiting for images`,
    );
    let ready = 0;
    let failed = 0;
    let allReadyWallS: number | null = null;
    const deadline = t0 + s.createTimeoutS * 1000;
    while (performance.now() < deadline) {
      const r = await db.query<{ ready: string; failed: string }>(
        `select count(*) filter (where i.status = 'ready')::text as ready,
                count(*) filter (where i.status = 'failed')::text as failed
           from ${SCHEMA}.pin_images pi join ${SCHEMA}.images i on i.id = pi.image_id
          where pi.pin_id = any($1::bigint[])`,
        [pinIds],
      );
      ready = Number(r.rows[0]?.ready ?? 0);
      failed = Number(r.rows[0]?.failed ?? 0);
      if (ready + failed >= pinIds.length) {
        allReadyWallS = (performance.now() - t0) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const serverCpuS = cpuSeconds(serverPid) - serverCpu0;
    const workerCpuS = cpuSeconds(workerPid) - workerCpu0;
    if (allReadyWallS === null)
      process.stderr.write(`warning: only ${ready + failed}/${pinIds.length} images done in time\n`);
    else log(`Create: all ${ready + failed} images done after ${fmt(allReadyWallS, 2)} s (${failed} failed)`);
    result = {
      pins: s.createPins,
      concurrency: s.createConcurrency,
      imageBytes: images.map((b) => b.length),
      created: pinIds.length,
      failedRequests: failedRequests.slice(0, 5),
      createWallS,
      createPerS: pinIds.length / createWallS,
      createP50Ms: percentile(latencies, 50),
      createP99Ms: percentile(latencies, 99),
      allReadyWallS,
      endToEndPinsPerS: allReadyWallS === null ? null : pinIds.length / allReadyWallS,
      imagesReady: ready,
      imagesFailed: failed,
      serverCpuS,
      workerCpuS,
      workerImagesPerCpuS: ready + failed > 0 ? (ready + failed) / workerCpuS : null,
      inProcess: [],
    };
  } finally {
    // Leave the seeded world as it was: delete the pins made here (their image rows stay).
    await pool(pinIds.length, s.createConcurrency, async (i) => {
      await fetch(`${server.url}/v5/pins/${pinIds[i]}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.arrayBuffer());
    });
    await stopAll();
  }
  if (!result) throw new Error('pin creation did not complete');
  if (s.imageLoop > 0) {
    log(
      `Create: in-process processImage loop, ${s.imageLoop} images, concurrency 1 and ${availableParallelism()}`,
    );
    result.inProcess.push(await processLoop(images, s.imageLoop, 1));
    result.inProcess.push(await processLoop(images, s.imageLoop, availableParallelism()));
  }
  log('');
  log(
    `Pin creation, ${result.created} pins, concurrency ${result.concurrency}, worker: one \`corkboard worker\``,
  );
  log(
    `  creation (201s)      ${fmt(result.createPerS, 1)} pins/s  (p50 ${fmt(result.createP50Ms)} ms, p99 ${fmt(result.createP99Ms)} ms)`,
  );
  log(`  end to end (ready)   ${fmt(result.endToEndPinsPerS ?? Number.NaN, 1)} pins/s`);
  log(
    `  worker               ${fmt(result.workerCpuS, 1)} CPU s for ${imagesDone(result)} images = ${fmt(result.workerImagesPerCpuS ?? Number.NaN, 1)} images/s per core; API server ${fmt(result.serverCpuS, 1)} CPU s`,
  );
  for (const l of result.inProcess)
    log(
      `  processImage loop c=${l.concurrency}  ${fmt(l.imagesPerS, 1)} images/s wall, ${fmt(l.imagesPerCpuS, 1)} images/s per core (${fmt(l.cpuS, 1)} CPU s)`,
    );
  if (result.failedRequests.length)
    log(
      `  WARNING: ${s.createPins - result.created} creations failed, e.g. ${JSON.stringify(result.failedRequests[0])}`,
    );
  return result;
}

function imagesDone(r: CreateResult): number {
  return r.imagesReady + r.imagesFailed;
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const s = settings();
  log(
    `Corkboard pin bench — services mode (schema ${SCHEMA}, Redis prefix ${REDIS_PREFIX}), RATE_LIMITS=off, LOG_LEVEL=warn\n${s.load.connections} connections, ${s.load.warmupS} s warm-up + ${s.load.durationS} s per run, ${s.rounds} alternating rounds, ${availableParallelism()} CPUs, Node ${process.version}\n`,
  );
  const db = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
  const tmp = await mkdtemp(join(tmpdir(), 'corkboard-bench-pins-'));
  try {
    const seed = await ensureSeeded(s, db);
    const env = corkboardEnv(s);
    const token = async (scopes: string) =>
      (
        await runCommand(
          'corkboard token',
          ['src/main.ts', 'token', '--user', 'demo', '--scopes', scopes],
          env,
          START_TIMEOUT_MS,
        )
      ).trim();
    const reads = s.parts.has('reads') ? await benchReads(s, db, await token(READ_SCOPES), tmp) : null;
    const create = s.parts.has('create') ? await benchCreate(s, db, await token(WRITE_SCOPES)) : null;
    const out = {
      date: new Date().toISOString(),
      mode: 'services',
      node: process.version,
      cpus: availableParallelism(),
      schema: SCHEMA,
      rateLimits: 'off',
      load: s.load,
      rounds: s.rounds,
      seed,
      reads,
      create,
    };
    await writeResults(RESULTS, out);
    log(`\nJSON: ${RESULTS}`);
  } finally {
    await stopAll();
    await db.end();
    await rm(tmp, { recursive: true, force: true });
  }
}

await runBench(main);
