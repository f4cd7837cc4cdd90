import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { migrate } from '../../src/platform/db/database.js';
import { migrations } from '../../src/platform/db/migrations/index.js';
import { TableNamesIntrospector } from '../../src/platform/db/table-introspector.js';
import { decodeId, IdType } from '../../src/platform/ids.js';
import { startTestApp } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';

let app: App;
beforeAll(async () => {
  app = await startTestApp({ modules: [], env: { SHARD_ID: '513' } });
  await sql`create table probe_rows (v text not null)`.execute(app.deps.db);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`database (${testMode()})`, () => {
  it('has applied every migration once, and migrating again changes nothing', async () => {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      app.deps.db,
    );
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    expect(await migrate(app.database, app.config.dbSchema, app.log)).toEqual([]);
  });

  it('retries migration set-up that fails transiently, and gives up after the attempts', async () => {
    let failures = 2;
    let calls = 0;
    const flaky = app.deps.db.withPlugin({
      transformQuery(args) {
        calls++;
        if (failures-- > 0)
          throw Object.assign(new Error('cache lookup failed for relation 1'), { code: 'XX000' });
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const handle = { ...app.database, db: flaky };
    expect(await migrate(handle, app.config.dbSchema, app.log)).toEqual([]);
    expect(calls).toBeGreaterThan(2);
    failures = 100;
    await expect(migrate(handle, app.config.dbSchema, app.log, 2)).rejects.toThrow('cache lookup failed');
  });

  it("asks the catalog only for table names when it looks for the migrator's tables", async () => {
    const introspection = app.deps.db.introspection;
    expect(introspection).toBeInstanceOf(TableNamesIntrospector);
    expect((await introspection.getSchemas()).map((s) => s.name)).toContain(app.config.dbSchema);
    const mine = (tables: { schema?: string; name: string }[]) =>
      tables.filter((t) => t.schema === app.config.dbSchema).map((t) => t.name);
    const plain = await introspection.getTables();
    expect(mine(plain)).toContain('probe_rows');
    expect(mine(plain)).toContain('pins');
    expect(mine(plain)).not.toContain('kysely_migration');
    const withKysely = await introspection.getTables({ withInternalKyselyTables: true });
    expect(mine(withKysely)).toEqual(expect.arrayContaining(['kysely_migration', 'kysely_migration_lock']));
    expect(withKysely.every((t) => t.columns.length === 0)).toBe(true);
  });

  // Services only: PGlite has one session, and a session never waits on its own advisory lock.
  it.runIf(testMode() === 'services')(
    "locks migrations per schema: another schema's migration does not wait, this schema's does",
    async () => {
      const lockClass = 0x636b6d67;
      const schema = app.config.dbSchema;
      await app.deps.db.connection().execute(async (holder) => {
        await sql`select pg_advisory_lock(${lockClass}, hashtext('another_schema'))`.execute(holder);
        expect(await migrate(app.database, schema, app.log)).toEqual([]);
        await sql`select pg_advisory_unlock(${lockClass}, hashtext('another_schema'))`.execute(holder);

        await sql`select pg_advisory_lock(${lockClass}, hashtext(${schema}))`.execute(holder);
        let finished = false;
        const waiting = migrate(app.database, schema, app.log).then((applied) => {
          finished = true;
          return applied;
        });
        await sleep(300);
        expect(finished).toBe(false);
        await sql`select pg_advisory_unlock(${lockClass}, hashtext(${schema}))`.execute(holder);
        expect(await waiting).toEqual([]);
      });
    },
  );

  it('keeps a statement issued during another transaction out of that transaction', async () => {
    // On PGlite's single session, running the outside insert between BEGIN and ROLLBACK would lose it.
    const tx = app.deps.db.transaction().execute(async (trx) => {
      await sql`insert into probe_rows (v) values ('inside')`.execute(trx);
      await sleep(50);
      throw new Error('roll back');
    });
    await sleep(5);
    const outside = sql`insert into probe_rows (v) values ('outside')`.execute(app.deps.db);
    await expect(tx).rejects.toThrow('roll back');
    await outside;
    const { rows } = await sql<{ v: string }>`select v from probe_rows`.execute(app.deps.db);
    expect(rows.map((r) => r.v)).toEqual(['outside']);
  });

  it('runs many concurrent transactions without losing an update', async () => {
    await sql`create table probe_counter (id int primary key, n int not null)`.execute(app.deps.db);
    await sql`insert into probe_counter values (1, 0)`.execute(app.deps.db);
    await Promise.all(
      Array.from({ length: 25 }, () =>
        app.deps.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{
            n: number;
          }>`select n from probe_counter where id = 1 for update`.execute(trx);
          await sleep(2);
          await sql`update probe_counter set n = ${rows[0]!.n + 1} where id = 1`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`select n from probe_counter`.execute(app.deps.db);
    expect(rows[0]!.n).toBe(25);
  });

  it('hands out unique IDs of the configured shard and kind, under concurrency', async () => {
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 ? app.deps.ids.many('pin', 100) : app.deps.ids.next('board'),
      ),
    );
    const all = batches.flat();
    expect(all.length).toBe(10 * 100 + 10);
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) {
      const d = decodeId(id)!;
      expect(d.shard).toBe(513);
      expect([IdType.pin, IdType.board]).toContain(d.type);
    }
  });

  it('returns int8 values as decimal strings on every engine', async () => {
    const { rows } = await sql<{ big: unknown }>`select 9007199254740993::int8 as big`.execute(app.deps.db);
    expect(rows[0]!.big).toBe('9007199254740993');
  });
});
