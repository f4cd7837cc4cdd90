import type { Db } from '../db/database.js';

/**
 * Records an event in the outbox, unchecked. Call it with the transaction that makes the change the event
 * tells of, so both commit or neither does. Product code emits through the typed `emit` of
 * src/modules/topics.ts instead; this one is for the job machinery's own tests (probe topics).
 */
export async function emitUntyped(trx: Db, topic: string, payload: unknown): Promise<string> {
  const row = await trx
    .insertInto('outbox')
    .values({ topic, payload: JSON.stringify(payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An `emit` checked against a topic map `M` (topic name to payload type): same rows as emitUntyped. */
export type Emit<M extends object> = <K extends keyof M & string>(
  trx: Db,
  topic: K,
  payload: M[K],
) => Promise<string>;

/** Makes the `emit` of a topic map; the platform knows no topics of its own. */
export function typedEmit<M extends object>(): Emit<M> {
  return (trx, topic, payload) => emitUntyped(trx, topic, payload);
}
