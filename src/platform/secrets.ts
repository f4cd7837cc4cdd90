import { randomBytes } from 'node:crypto';
import type { Db } from './db/database.js';

/**
 * Returns the instance-wide secret `name`, creating it on first use. Every process sharing the database
 * gets the same value: the first insert wins and the rest read it back.
 */
export async function instanceSecret(db: Db, name: string): Promise<Buffer> {
  await db
    .insertInto('instance_secrets')
    .values({ name, value: randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('instance_secrets')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}
