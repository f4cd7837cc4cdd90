import {
  type DatabaseIntrospector,
  type Kysely,
  type MigrationLockOptions,
  PostgresAdapter,
  PostgresDialect,
  sql,
} from 'kysely';
import { TableNamesIntrospector } from './table-introspector.js';

/** The advisory-lock class of migration locks ("ckmg"); the second key is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x636b6d67;

/**
 * Kysely's Postgres adapter takes one advisory lock for the whole database while it migrates. Corkboard
 * migrates one schema per deployment (and per test file, in a shared database), so the lock is the
 * schema's: processes migrating one schema still take turns, different schemas never wait on each other.
 */
export class SchemaMigrationLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_CLASS)}, hashtext(${lockSchema(opt)}))`.execute(
      db,
    );
  }

  override async releaseMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_CLASS)}, hashtext(${lockSchema(opt)}))`.execute(
      db,
    );
  }
}

const lockSchema = (opt: MigrationLockOptions): string => opt.lockTableSchema ?? 'public';

/** PostgresDialect with the per-schema migration lock and the catalog-light introspector. */
export class CorkboardPostgresDialect extends PostgresDialect {
  override createAdapter(): SchemaMigrationLockAdapter {
    return new SchemaMigrationLockAdapter();
  }
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new TableNamesIntrospector(db);
  }
}
