import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { migratedPGliteDump } from '../../src/platform/db/database.js';
import { servicesUrls, testMode } from './mode.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Tags this run's schemas and Redis keys (services mode; '' embedded): see testEnv. */
    testRun: string;
    /**
     * Embedded mode: a file holding a migrated in-memory PGlite database's dump, which every test app's
     * database starts from (startTestApp); '' in services mode.
     */
    pgliteTemplate: string;
  }
}

/**
 * A services run fails at once, loudly, when PostgreSQL or Redis is missing or unreachable. It tags its
 * isolations (schemas `t_<run>…`, key prefixes `t:<run>…`) and drops whatever of them is left when it ends:
 * a test that starts processes or apps of its own may not remove theirs.
 */
export default async function setup(project: {
  provide: (key: 'testRun' | 'pgliteTemplate', value: string) => void;
}): Promise<(() => Promise<void>) | undefined> {
  if (testMode() !== 'services') {
    project.provide('testRun', '');
    // Initialising a PGlite cluster takes seconds; loading a dump of one, migrated, a fraction of that.
    const file = path.join(os.tmpdir(), `corkboard-test-pglite-${randomBytes(5).toString('hex')}.tar`);
    const dump = await migratedPGliteDump('public', pino({ level: 'silent' }));
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteTemplate', file);
    return () => rm(file, { force: true });
  }
  const run = randomBytes(3).toString('hex');
  project.provide('testRun', run);
  project.provide('pgliteTemplate', '');
  const { databaseUrl, redisUrl } = servicesUrls();
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL at DATABASE_URL is not reachable: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at REDIS_URL is not reachable: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return () => dropRun(run);
}

/** Drops the schemas and Redis keys of this run's isolations that are still there. */
async function dropRun(run: string): Promise<void> {
  const { databaseUrl, redisUrl } = servicesUrls();
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname like $1',
      [`t\\_${run}%`],
    );
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`);
  } finally {
    await client.end();
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t:${run}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
