import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type {
  ExperimentAuditTable,
  ExperimentLayerTable,
  ExperimentTable,
  FeatureFlagTable,
} from '../../../platform/db/schema.js';

export type LayerRow = Selectable<ExperimentLayerTable>;
export type ExperimentRow = Selectable<ExperimentTable>;
export type FlagRow = Selectable<FeatureFlagTable>;
export type AuditRow = Selectable<ExperimentAuditTable>;
export type AuditInsert = Insertable<ExperimentAuditTable>;
export type Subject = ExperimentAuditTable['subject'];

/** One page of a list by key: after `after`, `limit` rows. */
export interface KeyPage {
  after?: string;
  limit: number;
}

/** Reads and writes layers, experiments, flags and their audit log. */
export const definitionsRepository = {
  layer(db: Db, key: string, lock = false): Promise<LayerRow | undefined> {
    let q = db.selectFrom('experiment_layers').selectAll().where('key', '=', key);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  layers(db: Db, page?: KeyPage): Promise<LayerRow[]> {
    let q = db.selectFrom('experiment_layers').selectAll().orderBy('key');
    if (page?.after !== undefined) q = q.where('key', '>', page.after);
    if (page) q = q.limit(page.limit);
    return q.execute();
  },

  async saveLayer(db: Db, row: Insertable<ExperimentLayerTable>, existing: boolean): Promise<LayerRow> {
    if (!existing)
      return db.insertInto('experiment_layers').values(row).returningAll().executeTakeFirstOrThrow();
    return db
      .updateTable('experiment_layers')
      .set({ holdout: row.holdout, description: row.description, updated_at: new Date() })
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('key', '=', row.key)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async deleteLayer(db: Db, key: string): Promise<void> {
    await db.deleteFrom('experiment_layers').where('key', '=', key).execute();
  },

  experiment(db: Db, key: string, lock = false): Promise<ExperimentRow | undefined> {
    let q = db.selectFrom('experiments').selectAll().where('key', '=', key);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  experiments(
    db: Db,
    filter: { status?: string; layer?: string; running?: boolean },
    page?: KeyPage,
  ): Promise<ExperimentRow[]> {
    let q = db.selectFrom('experiments').selectAll().orderBy('key');
    if (filter.status) q = q.where('status', '=', filter.status as ExperimentRow['status']);
    if (filter.layer) q = q.where('layer', '=', filter.layer);
    if (page?.after !== undefined) q = q.where('key', '>', page.after);
    if (page) q = q.limit(page.limit);
    return q.execute();
  },

  async countInLayer(db: Db, layer: string): Promise<number> {
    const r = await db
      .selectFrom('experiments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('layer', '=', layer)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async saveExperiment(db: Db, row: Insertable<ExperimentTable>, existing: boolean): Promise<ExperimentRow> {
    if (!existing) return db.insertInto('experiments').values(row).returningAll().executeTakeFirstOrThrow();
    const { key, created_at: _, version: __, ...changes } = row;
    return db
      .updateTable('experiments')
      .set({ ...changes, updated_at: new Date() })
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async deleteExperiment(db: Db, key: string): Promise<void> {
    await db.deleteFrom('experiments').where('key', '=', key).execute();
  },

  flag(db: Db, key: string, lock = false): Promise<FlagRow | undefined> {
    let q = db.selectFrom('feature_flags').selectAll().where('key', '=', key);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  },

  flags(db: Db, page?: KeyPage): Promise<FlagRow[]> {
    let q = db.selectFrom('feature_flags').selectAll().orderBy('key');
    if (page?.after !== undefined) q = q.where('key', '>', page.after);
    if (page) q = q.limit(page.limit);
    return q.execute();
  },

  async saveFlag(db: Db, row: Insertable<FeatureFlagTable>, existing: boolean): Promise<FlagRow> {
    if (!existing) return db.insertInto('feature_flags').values(row).returningAll().executeTakeFirstOrThrow();
    const { key, created_at: _, version: __, ...changes } = row;
    return db
      .updateTable('feature_flags')
      .set({ ...changes, updated_at: new Date() })
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async deleteFlag(db: Db, key: string): Promise<void> {
    await db.deleteFrom('feature_flags').where('key', '=', key).execute();
  },

  async appendAudit(db: Db, row: AuditInsert): Promise<void> {
    await db.insertInto('experiment_audit').values(row).execute();
  },

  audit(
    db: Db,
    subject: Subject,
    key: string,
    after: string | undefined,
    limit: number,
  ): Promise<AuditRow[]> {
    let q = db
      .selectFrom('experiment_audit')
      .selectAll()
      .where('subject', '=', subject)
      .where('subject_key', '=', key)
      .orderBy('id')
      .limit(limit);
    if (after !== undefined) q = q.where('id', '>', after);
    return q.execute();
  },

  /** The newest audit entry's id: every write appends one, so it changes whenever a definition does. */
  async version(db: Db): Promise<string> {
    const r = await db
      .selectFrom('experiment_audit')
      .select((eb) => eb.fn.max('id').as('v'))
      .executeTakeFirst();
    return String(r?.v ?? '0');
  },
};
