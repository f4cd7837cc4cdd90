import type { Db } from '../db/database.js';

/**
 * Records an event in the outbox. Call it with the transaction that makes the change the event tells
 * of, so both commit or neither does.
 */
export async function emit(trx: Db, topic: string, payload: unknown): Promise<string> {
  const row = await trx
    .insertInto('outbox')
    .values({ topic, payload: JSON.stringify(payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
