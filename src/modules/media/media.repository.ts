import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { MediaUploadTable } from '../../platform/db/schema.js';

export type MediaStatus = MediaUploadTable['status'];

export interface MediaRow {
  id: string;
  user_id: string;
  media_type: 'video';
  status: MediaStatus;
  upload_token_hash: string;
  /** created_at in UTC with microseconds, for exact keyset cursors (a JS Date keeps only milliseconds). */
  created_key: string;
}

const columns = [
  'id',
  'user_id',
  'media_type',
  'status',
  'upload_token_hash',
  sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
] as const;

/** Reads and writes media uploads. */
export const mediaRepository = {
  async insert(db: Db, row: { id: string; user_id: string; media_type: 'video'; upload_token_hash: string }) {
    await db
      .insertInto('media_uploads')
      .values({ ...row, status: 'registered' })
      .execute();
  },

  async byId(db: Db, id: string): Promise<MediaRow | undefined> {
    return (await db.selectFrom('media_uploads').select(columns).where('id', '=', id).executeTakeFirst()) as
      | MediaRow
      | undefined;
  },

  /** The user's uploads, newest first, after the (created_key, id) cursor. */
  async listByUser(db: Db, userId: string, after: [string, string] | undefined, limit: number) {
    let q = db.selectFrom('media_uploads').select(columns).where('user_id', '=', userId);
    if (after) q = q.where(sql<boolean>`(created_at, id) < (${after[0]}::timestamptz, ${after[1]}::bigint)`);
    return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()) as MediaRow[];
  },

  /**
   * Spends the upload token: moves a `registered` upload whose token hash matches to `processing`.
   * False when another request got there first (or the upload is no longer registered).
   */
  async claim(db: Db, id: string, tokenHash: string): Promise<boolean> {
    const r = await db
      .updateTable('media_uploads')
      .set({ status: 'processing', updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'registered')
      .where('upload_token_hash', '=', tokenHash)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async succeed(db: Db, id: string, stored: { contentType: string; bytes: number }) {
    await db
      .updateTable('media_uploads')
      .set({
        status: 'succeeded',
        content_type: stored.contentType,
        bytes: String(stored.bytes),
        error: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .execute();
  },

  /** Marks failed the user's uploads still `processing` long after they began (their process died). */
  async failStale(db: Db, userId: string, olderThanMs: number) {
    await db
      .updateTable('media_uploads')
      .set({
        status: 'failed',
        error: 'The upload was interrupted before it finished.',
        updated_at: sql`now()`,
      })
      .where('user_id', '=', userId)
      .where('status', '=', 'processing')
      .where('updated_at', '<', new Date(Date.now() - olderThanMs))
      .execute();
  },

  /** Serialises quota checks of one person's uploads until the transaction ends. */
  async lockOwner(trx: Db, userId: string) {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':media-quota:' || ${userId}))`.execute(
      trx,
    );
  },

  /** The person's unused registrations still waiting for a file (changed since `since`), and the oldest. */
  async pending(db: Db, userId: string, since: Date) {
    const row = await db
      .selectFrom('media_uploads')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('updated_at').as('oldest')])
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .where('status', 'in', ['registered', 'processing'])
      .where('updated_at', '>', since)
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : undefined };
  },

  /** Bytes of the person's stored uploads that no pin has used (changed since `since`), but `except`. */
  async unusedBytes(db: Db, userId: string, since: Date, except?: string): Promise<number> {
    let q = db
      .selectFrom('media_uploads')
      .select(sql<string | null>`sum(bytes)`.as('total'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .where('status', '=', 'succeeded')
      .where('updated_at', '>', since);
    if (except) q = q.where('id', '<>', except);
    return Number((await q.executeTakeFirstOrThrow()).total ?? 0);
  },

  /** Marks a succeeded, unused upload of the person as used by a pin; false if there is none such. */
  async markUsed(db: Db, id: string, userId: string): Promise<boolean> {
    const r = await db
      .updateTable('media_uploads')
      .set({ used_at: sql`now()` })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('status', '=', 'succeeded')
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /**
   * Locks up to `limit` unused uploads that have not changed since `cutoff` (`processing` ones: since
   * `processingCutoff`, so an upload still arriving is left alone). Rows another sweeper holds are skipped.
   */
  async lockExpired(trx: Db, cutoff: Date, processingCutoff: Date, limit: number): Promise<string[]> {
    const rows = await trx
      .selectFrom('media_uploads')
      .select('id')
      .where('used_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '<>', 'processing'), eb('updated_at', '<', cutoff)]),
          eb.and([eb('status', '=', 'processing'), eb('updated_at', '<', processingCutoff)]),
        ]),
      )
      .orderBy('updated_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map((r) => r.id);
  },

  async deleteMany(trx: Db, ids: readonly string[]) {
    if (ids.length > 0) await trx.deleteFrom('media_uploads').where('id', 'in', ids).execute();
  },

  async fail(db: Db, id: string, error: string) {
    await db
      .updateTable('media_uploads')
      .set({ status: 'failed', error, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .execute();
  },
};
