import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/platform/db/migrations/index.js';
import { decodeId, IdType } from '../../src/platform/ids.js';
import { testMode } from '../helpers/mode.js';
import { Children, get, STARTUP_MS, startProbe } from './child.js';
import { processEnv } from './env.js';

const children = new Children();
const cleanups: (() => Promise<void>)[] = [];
afterEach(() => children.stopAll());
afterAll(async () => {
  for (const c of cleanups) await c();
});

// Services mode only: two server processes can share PostgreSQL and Redis. In embedded mode PGlite lives
// inside one process, so a data directory has exactly one owner (see the embedded test below).
describe.runIf(testMode() === 'services')('two servers started together on a fresh schema', () => {
  it('migrate once, both become ready, and their IDs never collide', {
    timeout: 4 * STARTUP_MS,
  }, async () => {
    const shard = 4242;
    const { env, config, cleanup } = await processEnv({ SHARD_ID: String(shard), LOG_LEVEL: 'info' });
    cleanups.push(cleanup);

    // Started at the same moment, so both race through schema creation and migrations.
    const servers = [
      children.add(startProbe('server-a', 'serve', env)),
      children.add(startProbe('server-b', 'serve', env)),
    ];
    const urls = await Promise.all(servers.map((s) => s.address(STARTUP_MS)));

    for (const url of urls) {
      const ready = await get(`${url}/readyz`);
      expect(ready.status, ready.body).toBe(200);
    }

    // Exactly one process applied the migrations; the other found nothing left to do.
    const names = Object.keys(migrations);
    const appliedBy = servers.map((s) =>
      s.lines.filter((l) => l.msg === 'migrations applied').flatMap((l) => l.applied as string[]),
    );
    expect(appliedBy.flat().sort()).toEqual([...names].sort());
    expect(appliedBy.filter((a) => a.length > 0)).toHaveLength(1);
    const client = new pg.Client({ connectionString: config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: number }>(
        `select name, count(*)::int as n from "${config.dbSchema}".kysely_migration group by name order by name`,
      );
      expect(rows).toEqual(
        names.map((name) => ({ name, n: 1 })).sort((a, b) => a.name.localeCompare(b.name)),
      );
    } finally {
      await client.end();
    }

    // Several thousand IDs, asked of both processes at once.
    const perRequest = 500;
    const requests = urls.flatMap((url) =>
      Array.from({ length: 5 }, () => get(`${url}/test/ids?n=${perRequest}`)),
    );
    const responses = await Promise.all(requests);
    const ids: string[] = [];
    for (const r of responses) {
      expect(r.status, r.body).toBe(200);
      const body = JSON.parse(r.body) as { ids: string[] };
      expect(body.ids).toHaveLength(perRequest);
      ids.push(...body.ids);
    }
    expect(ids).toHaveLength(requests.length * perRequest);
    expect(new Set(ids).size).toBe(ids.length);
    const locals = new Set<bigint>();
    for (const id of ids) {
      const decoded = decodeId(id);
      expect(decoded, id).toBeDefined();
      expect(decoded!.shard).toBe(shard);
      expect(decoded!.type).toBe(IdType.pin);
      locals.add(decoded!.local);
    }
    // Uniqueness comes from the shared sequence, not from shard or type bits.
    expect(locals.size).toBe(ids.length);
  });
});

describe.runIf(testMode() === 'embedded')('a second process on the same DATA_DIR (embedded)', () => {
  it('is refused with a clear error while the first runs, and the first keeps serving', {
    timeout: 4 * STARTUP_MS,
  }, async () => {
    const { env, config, cleanup } = await processEnv({ LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '5000' });
    cleanups.push(cleanup);

    const first = children.add(startProbe('first', 'serve', env));
    const url = await first.address(STARTUP_MS);

    const second = children.add(startProbe('second', 'serve', env));
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.stderr).toContain(
      `DATA_DIR ${config.dataDir} is in use by process ${first.pid}; embedded mode allows one process per data directory`,
    );
    expect(second.lines.filter((l) => l.probe === 'listening')).toEqual([]);

    // The refused process did not disturb the owner or its lock.
    expect((await get(`${url}/readyz`)).status).toBe(200);
    const ids = await get(`${url}/test/ids?n=3`);
    expect(ids.status).toBe(200);
    expect(JSON.parse(ids.body).ids).toHaveLength(3);

    // A clean stop releases the directory: the next process opens it.
    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const third = children.add(startProbe('third', 'serve', env));
    const thirdUrl = await third.address(STARTUP_MS);
    expect((await get(`${thirdUrl}/readyz`)).status).toBe(200);
  });
});
