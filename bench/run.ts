/**
 * `npm run bench`: measures Corkboard routes against a raw node:http baseline with autocannon,
 * alternating baseline and server runs, and prints medians and ratios (also bench/results/latest.json).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadOptions, measure, type Sample } from './measure.js';
import { type Child, freePort, runBench, startChild, stopAll } from './processes.js';
import { compare, formatTable, type RouteResult, writeJson } from './report.js';
import { type BenchRoute, routes } from './routes.js';
import { envNumber } from './settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json');
const START_TIMEOUT_MS = 60_000;

/** Environment for the Corkboard child: services mode if DATABASE_URL and REDIS_URL are both set. */
function serverEnv(port: number, dataDir: string): { env: NodeJS.ProcessEnv; mode: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  if (process.env.DATABASE_URL && process.env.REDIS_URL) return { env, mode: 'services' };
  delete env.REDIS_URL;
  return { env: { ...env, DATABASE_URL: 'memory://', DATA_DIR: dataDir }, mode: 'embedded' };
}

/** Fails unless the server answers 200; warns when the baseline is meant to match but does not. */
async function check(route: BenchRoute, server: Child, baseline: Child): Promise<boolean | null> {
  const got = await fetch(server.url + route.path);
  const body = await got.text();
  if (got.status !== 200) throw new Error(`${route.name} answered ${got.status}: ${body.slice(0, 200)}`);
  if (!route.sameBodyAsBaseline) return null;
  const base = await fetch(baseline.url + route.path);
  const same =
    body === (await base.text()) && got.headers.get('content-type') === base.headers.get('content-type');
  if (!same) process.stderr.write(`warning: baseline body or content-type differs from ${route.name}\n`);
  return same;
}

/** Alternates baseline and server runs for one route, `rounds` times each. */
async function benchRoute(
  route: BenchRoute,
  server: Child,
  baseline: Child,
  load: LoadOptions,
  rounds: number,
): Promise<RouteResult> {
  const b: Sample[] = [];
  const s: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await measure(baseline.url + route.path, load));
    s.push(await measure(server.url + route.path, load));
    process.stdout.write(`  ${route.name} round ${i + 1}/${rounds} done\n`);
  }
  return compare(route, b, s);
}

async function bench(load: LoadOptions, rounds: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'corkboard-bench-'));
  try {
    const { env, mode } = serverEnv(await freePort(), dataDir);
    const baseEnv = { ...process.env, PORT: String(await freePort()) };
    const where =
      mode === 'services'
        ? 'services mode: DATABASE_URL and REDIS_URL from the environment'
        : 'embedded mode: in-memory PGlite, no Redis (set DATABASE_URL and REDIS_URL for services mode)';
    process.stdout.write(
      `Corkboard bench — ${where}\n${load.connections} connections, ${load.warmupS} s warm-up + ${load.durationS} s per run, ${rounds} alternating rounds, ${availableParallelism()} CPUs, Node ${process.version}\n\n`,
    );
    const [server, baseline] = await Promise.all([
      startChild('corkboard server', ['src/main.ts', 'serve'], env, START_TIMEOUT_MS),
      startChild('baseline server', ['bench/baseline-server.ts'], baseEnv, START_TIMEOUT_MS),
    ]);
    const results: RouteResult[] = [];
    const matches: Record<string, boolean | null> = {};
    for (const route of routes) {
      matches[route.name] = await check(route, server, baseline);
      results.push(await benchRoute(route, server, baseline, load, rounds));
    }
    process.stdout.write(
      `\n${formatTable(results)}\n\np99 has 1 ms resolution (autocannon histogram).\nJSON: ${RESULTS}\n`,
    );
    const meta = {
      date: new Date().toISOString(),
      mode,
      node: process.version,
      cpus: availableParallelism(),
      load,
      rounds,
      baselineMatches: matches,
    };
    await writeJson(RESULTS, meta, results);
  } finally {
    await stopAll();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await runBench(async () => {
  const load: LoadOptions = {
    durationS: envNumber('BENCH_DURATION', 5, 1),
    warmupS: envNumber('BENCH_WARMUP', 1, 0),
    connections: envNumber('BENCH_CONNECTIONS', 50, 1),
  };
  await bench(load, envNumber('BENCH_ROUNDS', 2, 1));
});
