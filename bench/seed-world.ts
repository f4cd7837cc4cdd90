import { mkdir, rm } from 'node:fs/promises';
import type pg from 'pg';
import { runCommand } from './processes.js';
import { dropRedisPrefix } from './settings.js';

/** Where a bench keeps its seeded world, and how big it should be. */
export interface SeedPlace {
  schema: string;
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  /** BENCH_PINS: the world is reused when it holds at least 95% of this many pins. */
  pins: number;
  /** BENCH_RESEED: seed again even when the schema holds enough pins. */
  reseed: boolean;
  /** Environment of the `corkboard seed` child. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  log: (line: string) => void;
}

/** Rows of a table in `schema`; 0 when the schema or the table does not exist yet. */
export async function tableRows(db: pg.Pool, schema: string, table: string): Promise<number> {
  try {
    const r = await db.query<{ n: string }>(`select count(*)::text as n from ${schema}.${table}`);
    return Number(r.rows[0]?.n ?? 0);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return 0;
    throw err;
  }
}

/**
 * Runs `corkboard seed --pins N --seed 1` into a fresh schema (dropping the old one, its Redis keys and
 * image blobs) unless the schema already holds about N pins. `output` is the seed command's stdout.
 */
export async function seedWorld(
  db: pg.Pool,
  place: SeedPlace,
): Promise<{ seeded: boolean; seconds: number | null; pins: number; output: string | null }> {
  const existing = await tableRows(db, place.schema, 'pins');
  if (!place.reseed && existing >= place.pins * 0.95) {
    place.log(`Seed: reusing schema ${place.schema} (${existing} pins; BENCH_RESEED=1 to seed again)`);
    return { seeded: false, seconds: null, pins: existing, output: null };
  }
  place.log(
    existing > 0
      ? `Seed: dropping schema ${place.schema} (${existing} pins) and Redis keys ${place.redisPrefix}*`
      : `Seed: schema ${place.schema} is empty`,
  );
  await db.query(`drop schema if exists ${place.schema} cascade`);
  await dropRedisPrefix(place.redisUrl, place.redisPrefix);
  await rm(place.dataDir, { recursive: true, force: true });
  await mkdir(place.dataDir, { recursive: true });
  place.log(`Seed: corkboard seed --pins ${place.pins} --seed 1 ...`);
  const started = performance.now();
  const output = await runCommand(
    'corkboard seed',
    ['src/main.ts', 'seed', '--pins', String(place.pins), '--seed', '1'],
    place.env,
    place.timeoutMs,
  );
  const seconds = (performance.now() - started) / 1000;
  return { seeded: true, seconds, pins: await tableRows(db, place.schema, 'pins'), output };
}
