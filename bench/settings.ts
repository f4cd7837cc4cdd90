import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';

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

/**
 * Environment of a bench that runs in either mode: services (`databaseUrl` and `redisUrl` given, as
 * servicesEnv) or embedded (PGlite under `dataDir`; the services variables removed).
 */
export function modeEnv(
  place: Omit<BenchPlace, 'databaseUrl' | 'redisUrl'> & { databaseUrl?: string; redisUrl?: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
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
export async function dropBenchPlace(
  place: Omit<BenchPlace, 'databaseUrl' | 'redisUrl'> & { databaseUrl?: string; redisUrl?: string },
): Promise<void> {
  if (place.databaseUrl && place.redisUrl) {
    const pg = (await import('pg')).default;
    const db = new pg.Pool({ connectionString: place.databaseUrl, max: 1 });
    await db.query(`drop schema if exists ${place.schema} cascade`).finally(() => db.end());
    await dropRedisPrefix(place.redisUrl, place.redisPrefix);
  }
  await rm(place.dataDir, { recursive: true, force: true });
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
