import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, Migrator, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { connectionWarning, type Logger } from '../logger.js';
import { CorkboardPostgresDialect } from './migration-lock.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect, type PGliteUsage } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface PoolStats {
  total: number;
  idle: number;
  busy: number;
  waiting: number;
}

/** The database as the rest of the app sees it, whichever engine is underneath. */
export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** How a database is opened, besides its config. */
export interface OpenOptions {
  /**
   * An in-memory PGlite (`memory://`) starts as a copy of this dump of a data directory (PGlite's
   * `dumpDataDir`, see migratedPGliteDump) instead of an empty cluster: much quicker than the cluster's
   * initialisation, so a test suite starts each of its databases from one migrated copy.
   */
  readonly pgliteTemplate?: Blob;
}

/** Opens PGlite (no DATABASE_URL, or `memory://`) or a pg pool, per config. Does not migrate. */
export async function openDatabase(
  config: Config,
  log: Logger,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl === undefined || config.databaseUrl.startsWith('memory:')) {
    return openPGlite(config, log, options);
  }
  return openPostgres(config, config.databaseUrl, log);
}

/** An in-memory PGlite database migrated to the latest schema (in `schema`), dumped: see OpenOptions. */
export async function migratedPGliteDump(schema: string, log: Logger): Promise<Blob> {
  const pglite = await PGlite.create(PGLITE_OPTIONS);
  const handle = pgliteHandle(pglite);
  try {
    await migrate(handle, schema, log);
    return await pglite.dumpDataDir('none');
  } finally {
    await handle.close();
  }
}

/** How PGlite is opened, file-backed or in memory. */
const PGLITE_OPTIONS = {
  // Trigram similarity (typo-tolerant global search); the migration creates the extension.
  extensions: { pg_trgm },
  // int8 as decimal strings, as node-postgres does: 64-bit IDs do not fit a JS number.
  // and dates as 'YYYY-MM-DD' (a JS Date would put a calendar day at some local midnight).
  parsers: { [types.INT8]: (value: string) => value, [types.DATE]: (value: string) => value },
};

async function openPGlite(config: Config, log: Logger, options: OpenOptions): Promise<DatabaseHandle> {
  const inMemory = config.databaseUrl?.startsWith('memory:') ?? false;
  let unlock = () => {};
  let dataDir: string | undefined;
  if (!inMemory) {
    dataDir = path.join(config.dataDir, 'pglite');
    fs.mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(config.dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...PGLITE_OPTIONS,
      ...(dataDir ? { dataDir } : {}),
      ...(inMemory && options.pgliteTemplate ? { loadDataDir: options.pgliteTemplate } : {}),
    });
  } catch (err) {
    unlock();
    // PGlite may throw plain objects (Emscripten errors); give the operator a readable message.
    if (err instanceof Error) throw err;
    throw new Error(`PGlite could not open ${dataDir ?? 'an in-memory database'}: ${JSON.stringify(err)}`);
  }
  log.info({ dataDir: dataDir ?? 'memory' }, 'embedded PGlite database open');
  return pgliteHandle(pglite, unlock);
}

/** An open PGlite as a handle; closing it closes the database, then runs `unlock`. */
function pgliteHandle(pglite: PGlite, unlock = () => {}): DatabaseHandle {
  const usage: PGliteUsage = { busy: 0, waiting: 0 };
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, usage) });
  return {
    db,
    kind: 'pglite',
    async ping() {
      await sql`select 1`.execute(db);
    },
    poolStats: () => ({ total: 1, idle: 1 - usage.busy, busy: usage.busy, waiting: usage.waiting }),
    async close() {
      await db.destroy();
      unlock();
    },
  };
}

/**
 * PGlite lives in this process, so only one process may open a data directory. The pid file is created
 * atomically (`wx`), so of two processes starting together exactly one gets it; a file whose process is
 * gone is taken over by renaming it away first, which again only one process can do.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'corkboard.pid');
  for (let tries = 0; ; tries++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 5) throw err;
    }
    const holder = readPid(file);
    if (holder === undefined || (holder !== process.pid && isAlive(holder))) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder ?? '(starting)'}; embedded mode allows one process per data directory`,
      );
    }
    // Stale: move it aside under a unique name, check it is the file we judged, and try again.
    const aside = `${file}.stale-${process.pid}-${tries}`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      continue;
    }
    if (readPid(aside) !== holder) {
      fs.renameSync(aside, file);
      throw new Error(`DATA_DIR ${dataDir} is being taken over by another process`);
    }
    fs.rmSync(aside, { force: true });
  }
  return () => {
    if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
  };
}

/** The pid in a lock file; undefined while the file is empty (being written) or unreadable. */
function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** node-postgres' parsers, except dates as 'YYYY-MM-DD', as PGlite is set up above (int8 is text in both). */
const pgTypeParser = ((oid: number, format?: 'text' | 'binary') =>
  oid === pg.types.builtins.DATE
    ? (value: string) => value
    : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;

async function openPostgres(config: Config, url: string, log: Logger): Promise<DatabaseHandle> {
  if (config.dbSchema !== 'public') {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query(`create schema if not exists "${config.dbSchema}"`);
    } catch (err) {
      // Two processes creating the schema at the same moment: the loser sees a duplicate.
      if ((err as { code?: string }).code !== '23505') throw err;
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: config.dbPoolMax,
    options: `-c search_path="${config.dbSchema}"`,
    types: { getTypeParser: pgTypeParser },
    // Named per schema, so an operator (and a test) can tell this app's sessions in pg_stat_activity.
    application_name: `corkboard:${config.dbSchema}`,
    // A server that does not answer (a failover, a black-holed address) fails the request in bounded
    // time instead of queueing it forever; a dead peer is noticed by TCP keepalive.
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    keepAlive: true,
  });
  watchConnections(pool, log);
  const db = new Kysely<Database>({ dialect: new CorkboardPostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    async ping() {
      await sql`select 1`.execute(db);
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      busy: pool.totalCount - pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async close() {
      await db.destroy();
    },
  };
}

/**
 * A connection the server ends (a restart, a failover, `pg_terminate_backend`, an idle-connection
 * killer) makes node-postgres emit `error`, on the pool for an idle client and on the client itself for
 * one that is checked out; with no listener that error would end the process. Listening is all it
 * takes: pg-pool drops a broken client when it is released (Kysely releases it after the failed query)
 * and opens a new one for the next request, and the query in flight on it fails with an error that
 * `isDatabaseUnavailable` recognises (a 503 for a request, a retry for a job).
 */
function watchConnections(pool: pg.Pool, log: Logger): void {
  const report = connectionWarning(log, 'database connection lost; it is replaced on next use');
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
}

/**
 * Applies pending migrations under the migrator's database lock; safe to call from many processes.
 * Kysely first looks for its tables through the catalog of every schema, which can fail transiently
 * while another client drops objects ("cache lookup failed"); that step is retried. A migration that
 * itself fails is not.
 */
export async function migrate(
  handle: DatabaseHandle,
  schema: string,
  log: Logger,
  attempts = 5,
): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (!error) {
      if (applied.length > 0) log.info({ applied }, 'migrations applied');
      return applied;
    }
    const failed = (results ?? []).find((r) => r.status === 'Error');
    if (failed || attempt >= attempts) {
      log.error({ err: error, migration: failed?.migrationName }, 'migration failed');
      throw error instanceof Error ? error : new Error(String(error));
    }
    log.warn({ err: error, attempt }, 'migration set-up failed; retrying');
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}
