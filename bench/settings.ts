import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCommand } from './processes.js';
import { fmt, log } from './report.js';

/** A numeric setting from the environment (unset or empty: `fallback`); anything below `min` stops the bench. */
export function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

/** A yes/no setting from the environment (1, true, yes, on). */
export function envFlag(name: string): boolean {
  return ['1', 'true', 'yes', 'on'].includes((process.env[name] ?? '').trim().toLowerCase());
}

/** The p-th percentile (nearest rank) of `values`; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Where a services-mode bench keeps its data: its own schema, Redis prefix and data directory. */
export interface BenchPlace {
  databaseUrl: string;
  redisUrl: string;
  schema: string;
  redisPrefix: string;
  dataDir: string;
}

/** Environment of every corkboard child of a services-mode bench (quiet logs, no rate limits, no demo). */
export function servicesEnv(place: BenchPlace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: place.databaseUrl,
    REDIS_URL: place.redisUrl,
    DB_SCHEMA: place.schema,
    REDIS_PREFIX: place.redisPrefix,
    ...quiet(place.dataDir),
    ...extra,
  };
}

/** What every bench's corkboard runs with: its data directory, quiet logs, no rate limits, no demo. */
function quiet(dataDir: string): NodeJS.ProcessEnv {
  return {
    DATA_DIR: dataDir,
    MEDIA_DIR: join(dataDir, 'media'),
    LOG_LEVEL: 'warn',
    RATE_LIMITS: 'off',
    SEED_DEMO: 'false',
  };
}

/** Where a bench that runs in either mode keeps its data: services mode when both URLs are given. */
export type ModePlace = Omit<BenchPlace, 'databaseUrl' | 'redisUrl'> & {
  databaseUrl?: string;
  redisUrl?: string;
};

/**
 * The place of a bench run in either mode, from the environment: services mode when DATABASE_URL (a
 * PostgreSQL URL) and REDIS_URL are set, in schema DB_SCHEMA or `bench_<name>_<random>` and the Redis
 * prefix of the same name; embedded otherwise. A data directory of its own under the system's temporary
 * directory either way.
 */
export function modePlace(name: string): ModePlace {
  const services = Boolean(process.env.DATABASE_URL?.startsWith('postgres') && process.env.REDIS_URL);
  const schema = process.env.DB_SCHEMA || `bench_${name}_${randomBytes(4).toString('hex')}`;
  return {
    ...(services ? { databaseUrl: process.env.DATABASE_URL!, redisUrl: process.env.REDIS_URL! } : {}),
    schema,
    redisPrefix: `${schema}:`,
    dataDir: join(tmpdir(), `corkboard-bench-${name}-${process.pid}`),
  };
}

/** `corkboard seed --pins <pins> --seed 1` into the bench's place (its data directory made first). */
export async function seedPins(place: ModePlace, pins: number): Promise<void> {
  await mkdir(place.dataDir, { recursive: true });
  log(`Seed: corkboard seed --pins ${pins} --seed 1 ...`);
  const started = performance.now();
  await runCommand(
    'corkboard seed',
    ['src/main.ts', 'seed', '--pins', String(pins), '--seed', '1'],
    modeEnv(place),
    30 * 60_000,
  );
  log(`Seed: ${fmt((performance.now() - started) / 1000, 1)} s`);
}

/**
 * Environment of a bench that runs in either mode: services (`databaseUrl` and `redisUrl` given, as
 * servicesEnv) or embedded (PGlite under `dataDir`; the services variables removed).
 */
export function modeEnv(place: ModePlace, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  if (place.databaseUrl && place.redisUrl)
    return servicesEnv({ ...place, databaseUrl: place.databaseUrl, redisUrl: place.redisUrl }, extra);
  const e: NodeJS.ProcessEnv = { ...process.env, ...quiet(place.dataDir), ...extra };
  delete e.DATABASE_URL;
  delete e.REDIS_URL;
  delete e.DB_SCHEMA;
  return e;
}

/**
 * Drops what a bench run kept: in services mode its schema and Redis keys (`databaseUrl`, `redisUrl`
 * given), and its data directory.
 */
export async function dropBenchPlace(place: ModePlace): Promise<void> {
  if (place.databaseUrl && place.redisUrl) {
    const pg = (await import('pg')).default;
    const db = new pg.Pool({ connectionString: place.databaseUrl, max: 1 });
    await db.query(`drop schema if exists ${place.schema} cascade`).finally(() => db.end());
    await dropRedisPrefix(place.redisUrl, place.redisPrefix);
  }
  await rm(place.dataDir, { recursive: true, force: true });
}

/**
 * Commands Redis has run so far, by command (INFO commandstats), across every client of the server: the
 * difference of two readings around a run is what that run asked of Redis.
 */
export async function redisCommandCounts(redisUrl: string): Promise<Map<string, number>> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const info = await redis.info('commandstats');
    const out = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every Redis key under `prefix`. */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
